import { sql, type Kysely } from 'kysely';

/**
 * Organizations, their members and invitations, with CVAT's meaning (see services/access.ts).
 *
 * A membership row exists from the moment someone is invited (is_active false until they
 * accept), as in CVAT, so an invitation always names its user: inviting an address with no
 * account makes a placeholder user (inactive, no password) that registering with the
 * invitation key turns into a real account.
 *
 * The three `workers_*` columns are the per-organization settings that CVAT users had to edit
 * policy files and rebuild for. Their defaults keep CVAT's behaviour except export, which is
 * closed: a worker hired to label should not walk away with the dataset.
 *
 * organization_id on projects, tasks and cloud storages already existed (always null until
 * now); it gains a foreign key that refuses to delete an organization still holding data.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table organizations (
      id serial primary key,
      slug text not null,
      name text not null default '',
      description text not null default '',
      contact jsonb not null default '{}'::jsonb,
      owner_id integer references users(id) on delete set null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      workers_can_export boolean not null default false,
      workers_see_task boolean not null default true,
      workers_change_completed_jobs boolean not null default true
    );
    create unique index organizations_slug_key on organizations (lower(slug));

    create table memberships (
      id serial primary key,
      user_id integer not null references users(id) on delete cascade,
      organization_id integer not null references organizations(id) on delete cascade,
      role text not null check (role in ('owner', 'maintainer', 'supervisor', 'worker')),
      is_active boolean not null default false,
      joined_at timestamptz,
      unique (organization_id, user_id)
    );
    create index memberships_user_idx on memberships (user_id, organization_id) where is_active;

    create table invitations (
      key text primary key,
      membership_id integer not null unique references memberships(id) on delete cascade,
      owner_id integer references users(id) on delete set null,
      created_at timestamptz not null default now(),
      sent_at timestamptz not null default now(),
      accepted_at timestamptz
    );

    alter table projects add constraint projects_organization_fk foreign key (organization_id) references organizations(id);
    alter table tasks add constraint tasks_organization_fk foreign key (organization_id) references organizations(id);
    alter table cloud_storages add constraint cloud_storages_organization_fk foreign key (organization_id) references organizations(id);
    create index projects_organization_idx on projects (organization_id) where organization_id is not null;
    create index tasks_organization_idx on tasks (organization_id) where organization_id is not null;
    create index cloud_storages_organization_idx on cloud_storages (organization_id) where organization_id is not null;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table projects drop constraint if exists projects_organization_fk;
    alter table tasks drop constraint if exists tasks_organization_fk;
    alter table cloud_storages drop constraint if exists cloud_storages_organization_fk;
    drop index if exists projects_organization_idx;
    drop index if exists tasks_organization_idx;
    drop index if exists cloud_storages_organization_idx;
    drop table if exists invitations;
    drop table if exists memberships;
    drop table if exists organizations;
  `.execute(db);
}
