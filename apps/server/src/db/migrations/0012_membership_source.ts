import { sql, type Kysely } from 'kysely';

/**
 * Where a membership came from: 'manual' (made in Framewise: the creator's ownership, an
 * accepted invitation) or the directory that grants it at login ('ldap', 'oidc'; see
 * services/organizations/directory-roles.ts). Only memberships a directory made follow it
 * down and away; everything that existed before this migration was made by hand.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table memberships add column source text not null default 'manual'
      check (source in ('manual', 'ldap', 'oidc'));
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table memberships drop column if exists source;`.execute(db);
}
