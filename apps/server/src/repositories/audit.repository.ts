import type { Db } from '../db/database.js';

export interface NewAuditEvent {
  action: string;
  actorId?: number | null;
  actorUsername?: string;
  userId?: number | null;
  username?: string;
  address?: string;
  details?: Record<string, unknown>;
}

export class AuditRepository {
  constructor(private readonly db: Db) {}

  async insert(e: NewAuditEvent): Promise<void> {
    await this.db
      .insertInto('audit_events')
      .values({
        action: e.action,
        actor_id: e.actorId ?? null,
        actor_username: e.actorUsername ?? '',
        user_id: e.userId ?? null,
        username: e.username ?? '',
        address: e.address ?? '',
        details: JSON.stringify(e.details ?? {}),
      })
      .execute();
  }

  query() {
    return this.db.selectFrom('audit_events').selectAll();
  }
}
