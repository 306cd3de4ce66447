-- Finance views (docs/chargeback.md): the signed-in user of delegated calls, per-user rollups, and names of apps
-- looked up in Microsoft Graph.

-- The user a delegated token names (its oid, or a keyed hash of it: tollgate.identity.user-id); null for app-only
-- tokens, which act for no user. Taken from the validated token only.
alter table usage_record add column user_id text;

-- The daily rollups gain the user as a key column ('' for app-only calls, as the other text keys use '' for none).
-- Existing rows are app-only as far as anyone can tell: they were written before users were recorded.
alter table usage_daily add column user_id text not null default '';
alter table usage_daily drop constraint usage_daily_pkey;
alter table usage_daily add primary key (zone, day, app_id, model, deployment, backend_id, priced, user_id);

-- Names of apps looked up in Microsoft Graph (servicePrincipals by appId), for app ids nobody registered by hand. A
-- registered name (table app) always wins; this one only fills the gap. found is false when Graph knows no service
-- principal for the app id (a deleted app, another tenant's app not consented here): asked again at the next refresh.
create table app_directory (
    app_id          text        primary key,
    found           boolean     not null,
    display_name    text,
    owner_tenant_id text,
    tags            jsonb       not null default '[]'::jsonb,
    looked_up_at    timestamptz not null default now()
);
