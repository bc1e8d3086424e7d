import { auditEventSchema, toAuditEventDto } from '../dtos/auth.dto.js';
import { pageSchema } from '../dtos/common.js';
import { authOf } from '../http/auth-hook.js';
import { listQuerySchema, paginated } from '../http/list-query.js';
import type { App } from '../http/types.js';
import { requestUrl } from '../http/urls.js';
import type { AuditService } from '../services/audit.service.js';

/** The audit log (an extension of CVAT's API): administrators only. */
export function registerAuditRoutes(app: App, audit: AuditService): void {
  app.get(
    '/api/audit-events',
    {
      schema: {
        tags: ['audit'],
        summary: 'Account events (logins, failed logins, user and token changes), newest first; administrators only',
        description: 'Filters: user_id (the user the event is about), actor_id (who acted), action, address; sort by id or date.',
        querystring: listQuerySchema,
        response: { 200: pageSchema(auditEventSchema) },
      },
    },
    async (request) => {
      const page = await audit.list(authOf(request), request.query);
      return paginated(requestUrl(request), page, page.rows.map(toAuditEventDto));
    },
  );
}
