-- The journal (docs/operations.md#journal): a request the gateway sent to a backend but never saw end (crash,
-- SIGKILL, out of memory) is recorded at the next start from its journal entry, as 'interrupted'.
alter table usage_record drop constraint usage_record_usage_source_check;
alter table usage_record add constraint usage_record_usage_source_check
    check (usage_source in ('reported', 'estimated', 'missing', 'none', 'interrupted'));

-- An answer cut before it named its model is priced as the model its target is known to serve; this says so.
alter table usage_record add column model_inferred boolean not null default false;
