/**
 * Personal access tokens (CVAT's /api/auth/access_tokens): named, optionally expiring, optionally
 * read-only keys for scripts, sent as `Authorization: Bearer <key>`. The key is shown once, at
 * creation; only its hash is stored. Each user sees and manages only their own tokens.
 */
import { AppError } from '../../errors.js';
import { listPage, type ListSpec } from '../../http/list-query.js';
import type { AccessTokenListRow, TokenRepository } from '../../repositories/token.repository.js';
import type { AuditService } from '../audit.service.js';
import type { Auth } from './auth.js';
import type { AuthService } from './auth.service.js';
import { newTokenKey, tokenHash } from './tokens.js';

export interface AccessTokenInput {
  name?: string | undefined;
  expiry_date?: string | null | undefined;
  read_only?: boolean | undefined;
}

export const accessTokenListSpec: ListSpec = {
  id: { expr: 't.id', kind: 'number' },
  name: { expr: 't.name', kind: 'string', search: true, param: 'exact' },
  read_only: { expr: 't.read_only', kind: 'boolean', param: 'exact' },
  created_date: { expr: 't.created_at', kind: 'date' },
  updated_date: { expr: 't.updated_at', kind: 'date' },
  expiry_date: { expr: 't.expires_at', kind: 'date' },
  last_used_date: { expr: 't.last_used_at', kind: 'date' },
};

function expiry(value: string | null | undefined): Date | null | undefined {
  if (value === undefined || value === null) return value;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw AppError.invalid('expiry_date', 'must be an ISO 8601 date-time');
  if (date.getTime() <= Date.now()) throw AppError.invalid('expiry_date', 'must be in the future');
  return date;
}

export class AccessTokenService {
  constructor(
    private readonly tokens: TokenRepository,
    private readonly auth: AuthService,
    private readonly audit: AuditService,
  ) {}

  async create(auth: Auth, input: AccessTokenInput & { name: string }, address: string): Promise<{ row: AccessTokenListRow; key: string }> {
    const key = newTokenKey();
    const created = await this.tokens.createAccess({
      userId: auth.user.id,
      keyHash: tokenHash(key),
      name: input.name,
      expiresAt: expiry(input.expiry_date) ?? null,
      readOnly: input.read_only ?? false,
    });
    await this.audit.record({
      action: 'access_token.created',
      actor: auth.user,
      user: auth.user,
      address,
      details: { token_id: created.id, name: created.name, read_only: created.read_only, expiry_date: created.expires_at?.toISOString() ?? null },
    });
    return { row: await this.get(auth, created.id), key };
  }

  list(auth: Auth, query: Record<string, unknown>) {
    return listPage(this.tokens.accessQuery(auth.user.id), accessTokenListSpec, query, { defaultSort: '-id' });
  }

  /** Another user's token answers 404 like a missing one: ids must not reveal other people's tokens. */
  async get(auth: Auth, id: number): Promise<AccessTokenListRow> {
    const row = await this.tokens.findAccess(auth.user.id, id);
    if (!row) throw AppError.notFound('access token', id);
    return row;
  }

  async self(auth: Auth): Promise<AccessTokenListRow> {
    if (!auth.accessToken) throw new AppError('BAD_REQUEST', 'this request was not authenticated with an access token');
    return this.get(auth, auth.accessToken.id);
  }

  async update(auth: Auth, id: number, input: AccessTokenInput, address: string): Promise<AccessTokenListRow> {
    await this.get(auth, id);
    const values: { name?: string; expires_at?: Date | null; read_only?: boolean } = {};
    if (input.name !== undefined) values.name = input.name;
    if (input.expiry_date !== undefined) values.expires_at = expiry(input.expiry_date) ?? null;
    if (input.read_only !== undefined) values.read_only = input.read_only;
    await this.tokens.updateAccess(id, values);
    this.auth.forgetTokens();
    await this.audit.record({
      action: 'access_token.updated',
      actor: auth.user,
      user: auth.user,
      address,
      details: { token_id: id, ...input },
    });
    return this.get(auth, id);
  }

  async revoke(auth: Auth, id: number, address: string): Promise<void> {
    const row = await this.get(auth, id);
    await this.tokens.delete(id);
    this.auth.forgetTokens();
    await this.audit.record({ action: 'access_token.revoked', actor: auth.user, user: auth.user, address, details: { token_id: id, name: row.name } });
  }
}
