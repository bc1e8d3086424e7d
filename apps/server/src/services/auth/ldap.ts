/**
 * Login against an LDAP directory (OpenLDAP, Active Directory, FreeIPA...): search for the user
 * with the service account, then bind as the entry found with the password given; the
 * directory, not Framewise, checks the password. Groups come from a group search (member,
 * uniqueMember, memberUid) and from the entry's memberOf, and map to roles by GroupRule.
 */
import type { ConnectionOptions } from 'node:tls';
import { Client, Filter, InvalidCredentialsError, SizeLimitExceededError, type Entry } from 'ldapts';
import type { LdapConfig } from '../../config/env.js';
import type { UserRow } from '../../db/schema.js';
import { AppError } from '../../errors.js';
import type { ExternalUsers } from './sso-users.js';

export interface DirectoryUser {
  dn: string;
  username: string;
  email: string;
  firstName: string;
  lastName: string;
  /** DNs of the groups the user belongs to. */
  groups: string[];
}

function first(value: Entry[string] | undefined): string {
  const v = Array.isArray(value) ? value[0] : value;
  return v === undefined ? '' : Buffer.isBuffer(v) ? v.toString('utf8') : String(v);
}

function all(value: Entry[string] | undefined): string[] {
  const list = value === undefined ? [] : Array.isArray(value) ? value : [value];
  return list.map((v) => (Buffer.isBuffer(v) ? v.toString('utf8') : String(v)));
}

/** Fills `{name}` placeholders with values escaped per RFC 4515, so input cannot change the filter. */
export function fillFilter(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? Filter.escape(values[name] ?? '') : whole));
}

export class LdapDirectory {
  constructor(private readonly config: LdapConfig) {}

  /**
   * The directory entry for these credentials, or null when the user is unknown, ambiguous or
   * the password is wrong. A directory that cannot be reached is a 503, not a wrong password.
   */
  async authenticate(username: string, password: string): Promise<DirectoryUser | null> {
    // An empty password would be an unauthenticated bind, which many directories accept.
    if (!username || !password) return null;
    const service = await this.connect();
    try {
      if (this.config.bindDn) await service.bind(this.config.bindDn, this.config.bindPassword);
      const c = this.config;
      let entries: Entry[];
      try {
        ({ searchEntries: entries } = await service.search(c.searchBase, {
          scope: 'sub',
          filter: fillFilter(c.userFilter, { username }),
          attributes: ['dn', c.usernameAttribute, 'mail', 'givenName', 'sn', 'memberOf'],
          sizeLimit: 2,
        }));
      } catch (e) {
        if (e instanceof SizeLimitExceededError) return null;
        throw e;
      }
      const entry = entries.length === 1 ? entries[0] : undefined;
      if (!entry) return null;
      if (!(await this.checkPassword(entry.dn, password))) return null;

      const directoryName = first(entry[c.usernameAttribute]) || username;
      const { searchEntries: groups } = await service.search(c.groupSearchBase, {
        scope: 'sub',
        filter: fillFilter(c.groupFilter, { dn: entry.dn, username: directoryName }),
        attributes: ['dn'],
      });
      return {
        dn: entry.dn,
        username: directoryName,
        email: first(entry.mail),
        firstName: first(entry.givenName),
        lastName: first(entry.sn),
        groups: [...new Set([...groups.map((g) => g.dn), ...all(entry.memberOf)])],
      };
    } catch (e) {
      throw unavailable(e);
    } finally {
      await service.unbind().catch(() => undefined);
    }
  }

  private async checkPassword(dn: string, password: string): Promise<boolean> {
    const user = await this.connect();
    try {
      await user.bind(dn, password);
      return true;
    } catch (e) {
      if (e instanceof InvalidCredentialsError) return false;
      throw e;
    } finally {
      await user.unbind().catch(() => undefined);
    }
  }

  private async connect(): Promise<Client> {
    const tlsOptions: ConnectionOptions = this.config.ca ? { ca: this.config.ca } : {};
    const client = new Client({
      url: this.config.url,
      timeout: this.config.timeoutMs,
      connectTimeout: this.config.timeoutMs,
      tlsOptions,
    });
    try {
      if (this.config.startTls) await client.startTLS(tlsOptions);
    } catch (e) {
      throw unavailable(e);
    }
    return client;
  }
}

function unavailable(e: unknown): unknown {
  if (e instanceof AppError) return e;
  return new AppError('UNAVAILABLE', `the LDAP directory cannot be used: ${e instanceof Error ? e.message : String(e)}`);
}

/** Password login through the directory, for AuthService. */
export class LdapLogin {
  constructor(
    readonly directory: LdapDirectory,
    private readonly externalUsers: ExternalUsers,
    private readonly config: LdapConfig,
  ) {}

  /**
   * Whether the directory decides this login: users from the directory, and names no local
   * account holds. Local accounts keep their local password and are never looked up in LDAP.
   */
  handles(existing: UserRow | undefined): boolean {
    return !existing || existing.auth_source === 'ldap';
  }

  /** The synced local account, or null for wrong credentials or a name held by a local account. */
  async login(login: string, password: string, existing: UserRow | undefined): Promise<UserRow | null> {
    if (!this.handles(existing)) return null;
    // Someone logging in by email: the directory is searched by the name we know them by.
    const found = await this.directory.authenticate(existing?.username ?? login, password);
    if (!found) return null;
    return this.externalUsers.sync(
      {
        source: 'ldap',
        externalId: found.dn,
        username: found.username,
        email: found.email,
        firstName: found.firstName,
        lastName: found.lastName,
        groups: found.groups,
      },
      this.config.groupRules,
    );
  }
}
