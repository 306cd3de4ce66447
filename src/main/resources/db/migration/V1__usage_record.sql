-- One row per proxied request, the system of record for chargeback.
-- The id is the request id the gateway hands the caller (x-request-id), so a retried write can never double a row.
create table usage_record (
    id                  uuid        primary key,
    occurred_at         timestamptz not null,
    app_id              text        not null,
    tenant_id           text,
    deployment          text        not null,
    model               text,
    backend_id          text,
    region              text,
    operation           text        not null,
    stream              boolean     not null,
    status              integer     not null,
    latency_ms          integer     not null,
    attempts            integer     not null default 1,
    input_tokens        bigint      not null default 0,
    cached_input_tokens bigint      not null default 0,
    output_tokens       bigint      not null default 0,
    reasoning_tokens    bigint      not null default 0,
    total_tokens        bigint      not null default 0,
    usage_source        text        not null check (usage_source in ('reported', 'estimated', 'missing', 'none')),
    upstream_request_id text
);

create index usage_record_occurred_at on usage_record (occurred_at);
create index usage_record_app_occurred_at on usage_record (app_id, occurred_at);
