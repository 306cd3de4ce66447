-- Daily totals of the capacity allocation per reporting time zone (docs/chargeback.md#provisioned-throughput), as
-- usage_daily is for the records: a month's chargeback report then reads some thousand rows instead of millions of
-- hourly allocation lines. Kept exact by the allocator: a run that replaces the lines of some hours takes the old
-- lines out of these totals and adds the new ones, in its own transaction.

-- Per zone, local day (of the hour's start) and the columns a report groups allocation lines by. Usage lines: the app,
-- the deployment it asked for, the served model, owner ''; idle lines: app_id '', the provisioned deployment, model '',
-- and the owner charged. lines counts the allocation lines summed: a row whose lines all went is deleted, so a report
-- lists the same groups as from the lines themselves.
create table capacity_daily (
    zone       text    not null,
    day        date    not null,
    app_id     text    not null,
    model      text    not null,
    deployment text    not null,
    backend_id text    not null,
    owner      text    not null,
    lines      bigint  not null,
    cost       numeric not null,
    primary key (zone, day, app_id, model, deployment, backend_id, owner)
);

-- The zones capacity_daily is complete for. A zone is added, and its rows computed from every allocation line, in
-- one transaction that holds the allocator's lock (capacity_allocator_state), so no allocation runs meanwhile; every
-- later run maintains it.
create table capacity_rollup_zone (
    zone     text        primary key,
    added_at timestamptz not null default now()
);
