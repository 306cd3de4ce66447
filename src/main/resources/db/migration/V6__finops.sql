-- FinOps (docs/chargeback.md): Azure cost exports uploaded for the reconciliation with the bill, kept as uploaded,
-- with the charges read from them.

-- One upload. content is the file exactly as received, so a reconciliation can always be traced to its source.
--   format        focus (Cost Management's FOCUS export) or actual-cost (the classic actual cost CSV)
--   first_day, last_day  the UTC days its charges cover
create table reconciliation_import (
    id          bigint      generated always as identity primary key,
    format      text        not null check (format in ('focus', 'actual-cost')),
    file_name   text,
    imported_at timestamptz not null default now(),
    imported_by text,
    currency    text        not null check (currency ~ '^[A-Z]{3}$'),
    first_day   date        not null,
    last_day    date        not null,
    line_count  integer     not null,
    content     text        not null,
    check (last_day >= first_day)
);

-- One charge line of an upload, as Tollgate reads it.
--   line        the line of the file it starts on (1 is the header)
--   resource_id lower case ('' when the line names none): ARM ids are case-insensitive and exports differ in case
--   meter       the meter's name as Azure writes it
--   quantity    in the meter's own unit (unit, as written), tokens = quantity * unit_size
--   cost        what Azure billed, in currency
create table reconciliation_charge (
    import_id       bigint  not null references reconciliation_import (id) on delete cascade,
    line            integer not null,
    day             date    not null,
    resource_id     text    not null,
    charge_category text    not null,
    meter           text    not null,
    quantity        numeric not null,
    unit            text    not null,
    unit_size       numeric not null,
    cost            numeric not null,
    primary key (import_id, line)
);

create index reconciliation_charge_day on reconciliation_charge (day, import_id);
