-- Export of usage records to Event Hubs (dev.tollgate.export, docs/events.md).
--
-- seq orders the records for export: each new row draws the next value, and an exporter remembers the last value it
-- has sent. The column is nullable with a default rather than an identity column: UsageWriter stages rows in a
-- `(like usage_record)` temporary table, which copies NOT NULL (an identity column is NOT NULL) but not defaults, and
-- the staged rows have no seq; nullable, the previous version's writer keeps working during a rolling update too.
-- Rows written before this migration keep a null seq and are not exported (docs/events.md shows how to add them).
--
-- `cache 1` (the default, spelled out) matters: the exporter reads the sequence's last value as "every seq up to
-- here has been drawn", which a per-session cache of values would make untrue.
create sequence usage_record_seq as bigint cache 1;

alter table usage_record add column seq bigint;
alter table usage_record alter column seq set default nextval('usage_record_seq');
alter sequence usage_record_seq owned by usage_record.seq;

create unique index usage_record_seq_key on usage_record (seq);

-- Where each exporter stands: every record with seq <= last_seq has been accepted by its destination. Of several
-- replicas, the one holding the lease (owner, until lease_until) exports; the others wait for it to lapse.
create table usage_export_position (
    name        text        primary key,
    last_seq    bigint      not null,
    updated_at  timestamptz not null default now(),
    owner       text,
    lease_until timestamptz
);
