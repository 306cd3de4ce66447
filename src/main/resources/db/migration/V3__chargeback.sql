-- Chargeback (docs/chargeback.md): the app registry, the price catalog, the cost of each usage record and the daily
-- rollups the reports read.

-- Apps, by the Entra app id their tokens carry (azp / appid). Apps that call before they are registered are metered
-- all the same and reported as unregistered.
create table app (
    app_id        text        primary key,
    display_name  text        not null,
    business_unit text        not null,
    cost_center   text        not null,
    owner_contact text,
    tags          jsonb       not null default '{}'::jsonb,
    created_at    timestamptz not null default now(),
    updated_at    timestamptz not null default now()
);

-- Effective-dated list prices per 1M tokens. A price change is a new row; rows that were applied stay (usage_record
-- names them), so any past request can be priced with what was in force at its time.
--   model         the family of the served model, e.g. gpt-4o for gpt-4o-2024-08-06
--   model_version e.g. 2024-08-06; null: every version of the family
--   region        an Azure region; null: every region
--   cached_input_per_1m null: cached input is priced as input
create table price (
    id                  bigint      generated always as identity primary key,
    model               text        not null,
    model_version       text,
    deployment_type     text        not null check (deployment_type in ('global', 'data-zone', 'regional')),
    region              text,
    currency            text        not null check (currency ~ '^[A-Z]{3}$'),
    input_per_1m        numeric     not null check (input_per_1m >= 0),
    cached_input_per_1m numeric     check (cached_input_per_1m >= 0),
    output_per_1m       numeric     not null check (output_per_1m >= 0),
    effective_from      timestamptz not null,
    effective_to        timestamptz,
    source              text        not null,
    meter_ids           text,
    created_at          timestamptz not null default now(),
    check (effective_to is null or effective_to > effective_from)
);

-- One row per price identity and start: loading the same file or import twice adds nothing.
create unique index price_identity on price (model, coalesce(model_version, ''), deployment_type, coalesce(region, ''),
                                             effective_from);

-- Bumped by every change to the price table, so each replica's writer notices a new catalog within one batch.
create table price_catalog_version (
    singleton boolean primary key default true check (singleton),
    version   bigint  not null
);
insert into price_catalog_version values (true, 0);

create function bump_price_catalog_version() returns trigger language plpgsql as $$
begin
    update price_catalog_version set version = version + 1;
    return null;
end
$$;

create trigger price_changed after insert or update or delete or truncate on price
    for each statement execute function bump_price_catalog_version();

-- What each record cost. cost is null when the record has tokens but no price was in force for its model, deployment
-- type and region (unpriced: never reported as zero); a record without tokens costs 0 with no price row.
-- price_id names the applied price row. It is not a foreign key: PostgreSQL checks one with a trigger per inserted
-- row, which cost the writer a fifth of its throughput. Instead a price row is deleted only under the catalog
-- version row's lock, which writers share while they price (PriceStore.delete, PriceCatalogCache).
alter table usage_record add column deployment_type text;
alter table usage_record add column price_id bigint;
alter table usage_record add column cost numeric;

-- Daily totals per time zone, maintained in the same transaction as the records they count (and by reprice), so a
-- month's report reads a few thousand rows instead of millions. Text keys use '' for "unknown" so the key is total.
create table usage_daily (
    zone                text    not null,
    day                 date    not null,
    app_id              text    not null,
    model               text    not null,
    deployment          text    not null,
    backend_id          text    not null,
    priced              boolean not null,
    requests            bigint  not null,
    estimated_requests  bigint  not null,
    missing_requests    bigint  not null,
    input_tokens        bigint  not null,
    cached_input_tokens bigint  not null,
    output_tokens       bigint  not null,
    reasoning_tokens    bigint  not null,
    total_tokens        bigint  not null,
    estimated_tokens    bigint  not null,
    cost                numeric not null,
    primary key (zone, day, app_id, model, deployment, backend_id, priced)
);

-- The zones usage_daily is kept for. Writers maintain every zone listed here from the moment it is listed; the records
-- before that (seq up to backfill_to_seq, and pre-export rows without seq) are added once by a back-fill, after which
-- the zone is ready and reports read it (RollupZones).
create table usage_rollup_zone (
    zone            text        primary key,
    backfill_to_seq bigint      not null,
    ready           boolean     not null default false,
    added_at        timestamptz not null default now()
);
