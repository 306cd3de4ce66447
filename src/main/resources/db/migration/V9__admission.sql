-- Admission (docs/admission.md): limit rules, the counters replicas exchange, and the soft-threshold alerts sent.

-- One row per rule; body is the rule as the admin API shows it (read back through the same strict reader).
create table admission_rule (
    id         text        primary key,
    body       jsonb       not null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);

-- One rule per subject and scope: two would only contradict each other (precedence is between subjects and scopes).
create unique index admission_rule_subject_scope on admission_rule (
    (body -> 'subject' ->> 'type'), coalesce(body -> 'subject' ->> 'id', ''), coalesce(body ->> 'deployment', ''),
    coalesce(body ->> 'modelFamily', ''));

-- Bumped by every change to admission_rule, so each replica reloads the rules within one exchange interval.
create table admission_rule_version (
    singleton boolean primary key default true check (singleton),
    version   bigint  not null
);
insert into admission_rule_version values (true, 0);

create function bump_admission_rule_version() returns trigger language plpgsql as $$
begin
    update admission_rule_version set version = version + 1;
    return null;
end
$$;

create trigger admission_rule_changed after insert or update or delete or truncate on admission_rule
    for each statement execute function bump_admission_rule_version();

-- Each replica's running totals per rule, subject and period: one-second slots of the rolling minute (period
-- 'second') and the calendar periods of quotas and budgets. A replica overwrites its own rows with its current totals
-- (idempotent: a failed push is simply repeated with newer numbers) and reads the sum of everyone else's.
--   tokens        settled tokens + estimates of requests in flight
--   cost          exact cost of settled requests, priced as the usage writer prices them
--   inflight_cost estimated cost of requests in flight; ignored once updated_at is older than the in-flight expiry
--                 (a replica that died cannot settle them)
create table admission_counter (
    rule_id       text        not null,
    subject       text        not null,
    period        text        not null check (period in ('second', 'hour', 'day', 'month')),
    period_start  timestamptz not null,
    replica       text        not null,
    requests      bigint      not null,
    tokens        bigint      not null,
    cost          numeric     not null,
    inflight_cost numeric     not null,
    updated_at    timestamptz not null default now(),
    primary key (rule_id, subject, period, period_start, replica)
);

create index admission_counter_period on admission_counter (period, period_start);

-- Soft thresholds already alerted: the replica whose insert succeeds sends the alert, so each fires once per period.
create table admission_alert (
    rule_id      text        not null,
    subject      text        not null,
    period       text        not null,
    period_start timestamptz not null,
    measure      text        not null check (measure in ('tokens', 'cost')),
    threshold    integer     not null,
    replica      text        not null,
    alerted_at   timestamptz not null default now(),
    primary key (rule_id, subject, period, period_start, measure, threshold)
);

-- A request admission refused is recorded (status 429 or 403, no tokens) with the rule that refused it, so reports show
-- throttled demand per app and rule.
alter table usage_record add column limited_by text;
