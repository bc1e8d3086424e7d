import { sql, type Kysely } from 'kysely';

/**
 * Where a user's identity comes from: 'local' (a password here), 'ldap' or 'oidc'. Directory and
 * provider users have no local password, and a local account is never taken over by a directory
 * entry or an OIDC subject of the same name. `external_id` is the LDAP DN or the OIDC issuer and
 * subject, the provider's stable key (a preferred_username may change).
 *
 * sso_logins holds an OIDC login between the redirect to the provider and the callback (state,
 * nonce, PKCE verifier): in the database, so the callback may land on any instance.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table users add column auth_source text not null default 'local';
    alter table users add column external_id text;
    create unique index users_external_id_key on users (auth_source, external_id) where external_id is not null;

    create table sso_logins (
      state text primary key,
      nonce text not null,
      code_verifier text not null,
      redirect_uri text not null,
      next_path text not null,
      expires_at timestamptz not null
    );
    create index sso_logins_expires_idx on sso_logins (expires_at);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop table if exists sso_logins;
    drop index if exists users_external_id_key;
    alter table users drop column if exists external_id;
    alter table users drop column if exists auth_source;
  `.execute(db);
}
