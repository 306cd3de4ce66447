-- Provisioned throughput (docs/chargeback.md#provisioned-throughput): the capacity catalog, the hourly allocation of
-- its cost to the apps that used it, and what a record needs to say about it.

-- Effective-dated capacity of provisioned deployments, next to the price catalog. A change is a new row: a resize or
-- a new rate starts a row with a later effective_from; a correction is a row with the same start (the later id wins).
-- Per (backend, deployment, billing), the row in force at an hour is the one with the latest (effective_from, id)
-- not after it, unless its effective_to has passed; ptu 0 releases the capacity. An hourly line and a reservation
-- can be in force together (billing differs).
--   deployment  the upstream deployment name on that backend (what the target asks the backend for)
--   model       the model family it serves, which picks the utilisation weights (tollgate.capacity.models.*)
--   billing     hourly: amount per PTU-hour; monthly / yearly: a reservation's amount per calendar month / year
--   policy      full: the apps of an hour pay all of it; utilization: they pay what they used, idle goes to idle_owner
create table capacity (
    id              bigint      generated always as identity primary key,
    backend_id      text        not null,
    deployment      text        not null,
    model           text        not null,
    deployment_type text        not null check (deployment_type in
                                    ('global-provisioned', 'data-zone-provisioned', 'regional-provisioned')),
    ptu             integer     not null check (ptu >= 0),
    billing         text        not null check (billing in ('hourly', 'monthly', 'yearly')),
    currency        text        not null check (currency ~ '^[A-Z]{3}$'),
    amount          numeric     not null check (amount >= 0 and scale(amount) <= 6),
    policy          text        not null check (policy in ('full', 'utilization')),
    idle_owner      text        not null,
    effective_from  timestamptz not null check (extract(epoch from effective_from) % 3600 = 0),
    effective_to    timestamptz check (extract(epoch from effective_to) % 3600 = 0),
    source          text        not null,
    created_at      timestamptz not null default now(),
    check (effective_to is null or effective_to > effective_from)
);

-- Loading the same file twice adds nothing; a row that differs in any value is a new row.
create unique index capacity_identity on capacity (backend_id, deployment, billing, effective_from, ptu, amount, policy,
                                                   idle_owner, coalesce(effective_to, 'infinity'), model);

-- What each UTC hour of a provisioned deployment cost and who pays it. Usage lines: an app's weighted tokens on that
-- deployment, per deployment name it asked for and served model; the idle line (app_id, deployment and model '')
-- is charged to the row's idle_owner. The lines of a (capacity_id, hour) sum exactly to the row's cost of the hour.
create table capacity_allocation (
    hour                timestamptz not null,
    capacity_id         bigint      not null,
    backend_id          text        not null,
    capacity_deployment text        not null,
    app_id              text        not null,
    deployment          text        not null,
    model               text        not null,
    idle_owner          text,
    requests            bigint      not null,
    weighted_tokens     numeric     not null,
    cost                numeric     not null,
    primary key (hour, capacity_id, app_id, deployment, model)
);

-- Per provisioned deployment and UTC hour: capacity, use, cost and spillover (GET /api/capacity).
create table capacity_hour (
    backend_id       text        not null,
    deployment       text        not null,
    hour             timestamptz not null,
    ptu              integer     not null,
    capacity_tokens  numeric,
    weighted_tokens  numeric     not null,
    requests         bigint      not null,
    cost             numeric     not null,
    allocated_cost   numeric     not null,
    idle_cost        numeric     not null,
    spilled_requests bigint      not null,
    spilled_tokens   bigint      not null,
    primary key (hour, backend_id, deployment)
);

-- Every allocation run, as reprice reports its own: what it covered, why, and what it changed.
create table capacity_allocation_run (
    id            bigint      generated always as identity primary key,
    ran_at        timestamptz not null default now(),
    from_hour     timestamptz not null,
    to_hour       timestamptz not null,
    reason        text        not null,
    hours         bigint      not null,
    changed_hours bigint      not null,
    cost_before   numeric     not null,
    cost_after    numeric     not null
);

-- Where the background allocation stands: every hour before frontier is allocated, with the records up to last_seq.
-- The row is also the lock every allocation takes, so replicas never allocate at once.
create table capacity_allocator_state (
    singleton boolean primary key default true check (singleton),
    frontier  timestamptz,
    last_seq  bigint      not null
);
insert into capacity_allocator_state values (true, null, 0);

-- Which target served a record (the backend's deployment, which may differ from the name the caller asked for), and
-- the provisioned target that refused it first when it spilled to another.
alter table usage_record add column upstream_deployment text;
alter table usage_record add column spilled_from_backend text;
alter table usage_record add column spilled_from_deployment text;
alter table usage_record add column spilled_status integer;
