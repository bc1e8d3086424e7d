/**
 * The audit trail of account events: who did what to which user, from where. Other services
 * (organizations, SSO) record through `record`; admins read it through GET /api/audit-events.
 */
import type { Logger } from 'pino';
import { AppError } from '../errors.js';
import type { AuditRepository } from '../repositories/audit.repository.js';
import { listPage, type ListSpec } from '../http/list-query.js';
import { isAdmin, type Auth } from './auth/auth.js';

export type AuditAction =
  | 'login'
  | 'login.failed'
  | 'logout'
  | 'user.registered'
  | 'user.created'
  | 'user.updated'
  | 'user.deactivated'
  | 'user.deleted'
  | 'password.changed'
  | 'access_token.created'
  | 'access_token.updated'
  | 'access_token.revoked'
  // Room for other slices (memberships, roles, SSO) without changing this file's callers.
  | (string & {});

export interface AuditEntry {
  action: AuditAction;
  /** Who did it; null for anonymous (failed logins, registration). */
  actor?: { id: number; username: string } | null;
  /** The user the event is about (the account logged into, the user changed, the token's owner). */
  user?: { id: number | null; username: string } | null;
  /** The client's address. */
  address?: string;
  details?: Record<string, unknown>;
}

export const auditListSpec: ListSpec = {
  id: { expr: 'audit_events.id', kind: 'number' },
  date: { expr: 'audit_events.created_at', kind: 'date' },
  action: { expr: 'audit_events.action', kind: 'string', param: 'exact' },
  user_id: { expr: 'audit_events.user_id', kind: 'number', param: 'exact' },
  actor_id: { expr: 'audit_events.actor_id', kind: 'number', param: 'exact' },
  username: { expr: 'audit_events.username', kind: 'string', search: true },
  address: { expr: 'audit_events.address', kind: 'string', param: 'exact' },
};

export class AuditService {
  constructor(
    private readonly repo: AuditRepository,
    private readonly log: Logger,
  ) {}

  /**
   * Writes one event. An audit write that fails is logged, not thrown: the action it describes
   * has already happened and the client must learn its outcome.
   */
  async record(entry: AuditEntry): Promise<void> {
    try {
      await this.repo.insert({
        action: entry.action,
        actorId: entry.actor?.id ?? null,
        actorUsername: entry.actor?.username ?? '',
        userId: entry.user?.id ?? null,
        username: entry.user?.username ?? '',
        address: entry.address ?? '',
        details: entry.details ?? {},
      });
    } catch (err) {
      this.log.error({ err, audit: entry }, 'audit: could not record event');
    }
  }

  list(auth: Auth, query: Record<string, unknown>) {
    if (!isAdmin(auth)) throw AppError.forbidden('only administrators may read the audit log');
    return listPage(this.repo.query(), auditListSpec, query, { defaultSort: '-id' });
  }
}
