/** CVAT's /api/quality (settings, reports, conflicts) and Framewise's job validation feedback. */
import { z } from 'zod';
import { idParams, pageSchema } from '../dtos/common.js';
import {
  annotationConflictSchema,
  qualityReportCreateSchema,
  qualityReportReadSchema,
  qualitySettingsPatchSchema,
  qualitySettingsReadSchema,
  reportDataQuerySchema,
  toConflictDto,
  toReportDto,
  toSettingsDto,
  validationFeedbackSchema,
  type ReportListRow,
} from '../dtos/quality.dto.js';
import { authOf } from '../http/auth-hook.js';
import { listQuerySchema, paginated } from '../http/list-query.js';
import type { App } from '../http/types.js';
import { requestUrl } from '../http/urls.js';
import type { QualityFeedbackService } from '../services/quality-feedback.service.js';
import type { QualityService } from '../services/quality.service.js';
import type { RequestService } from '../services/request.service.js';

const tags = ['quality'];

export function registerQualityRoutes(app: App, quality: QualityService, feedback: QualityFeedbackService, requests: RequestService): void {
  app.get(
    '/api/quality/settings',
    { schema: { tags, summary: 'List quality settings (task_id, project_id with its tasks, parent_type, inherit)', querystring: listQuerySchema, response: { 200: pageSchema(qualitySettingsReadSchema) } } },
    async (request) => {
      const page = await quality.listSettings(authOf(request), request.query);
      return paginated(requestUrl(request), page, page.rows.map(toSettingsDto));
    },
  );

  app.get(
    '/api/quality/settings/:id',
    { schema: { tags, summary: 'Get quality settings', params: idParams, response: { 200: qualitySettingsReadSchema } } },
    async (request) => toSettingsDto(await quality.getSettings(authOf(request), request.params.id)),
  );

  app.patch(
    '/api/quality/settings/:id',
    { schema: { tags, summary: 'Update quality settings', params: idParams, body: qualitySettingsPatchSchema, response: { 200: qualitySettingsReadSchema } } },
    async (request) => toSettingsDto(await quality.patchSettings(authOf(request), request.params.id, request.body)),
  );

  app.get(
    '/api/quality/reports',
    {
      schema: {
        tags,
        summary: 'List quality reports (job_id, task_id and project_id include child reports; parent_id nested ones; target)',
        querystring: listQuerySchema,
        response: { 200: pageSchema(qualityReportReadSchema) },
      },
    },
    async (request) => {
      const page = await quality.listReports(authOf(request), request.query);
      return paginated(requestUrl(request), page, page.rows.map((r) => toReportDto(r as ReportListRow, request.urls)));
    },
  );

  app.post(
    '/api/quality/reports',
    {
      schema: {
        tags,
        summary: 'Compute a task or project report in the background: 202 {rq_id}, followed at /api/requests/{rq_id}',
        querystring: z.object({ rq_id: z.string().max(512).optional().describe('Deprecated (CVAT): the status of an earlier request') }),
        body: qualityReportCreateSchema.optional(),
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const rqId = request.query.rq_id;
      if (rqId === undefined) return reply.status(202).send({ rq_id: await quality.createReport(auth, request.body ?? {}) });
      // CVAT's deprecated status check: 202 while running, 201 with the report when done.
      const row = await requests.get(auth, rqId);
      if (row.status === 'failed') return reply.status(500).send(row.message);
      if (row.status !== 'finished' || row.result_id === null) return reply.status(202).send({ rq_id: rqId });
      return reply.status(201).send(toReportDto(await quality.getReport(auth, row.result_id), request.urls));
    },
  );

  app.get(
    '/api/quality/reports/:id',
    { schema: { tags, summary: 'Get a quality report', params: idParams, response: { 200: qualityReportReadSchema } } },
    async (request) => toReportDto(await quality.getReport(authOf(request), request.params.id), request.urls),
  );

  app.get(
    '/api/quality/reports/:id/data',
    { schema: { tags, summary: 'Get a quality report\'s contents: JSON, or its confusion matrix as CSV', params: idParams, querystring: reportDataQuerySchema } },
    async (request, reply) => {
      const data = await quality.reportData(authOf(request), request.params.id, request.query.format, `${request.urls.base}/`);
      if (request.query.format === 'csv') reply.header('content-disposition', `attachment; filename="${data.filename}"`);
      return reply.type(data.type).send(data.body);
    },
  );

  app.get(
    '/api/quality/conflicts',
    { schema: { tags, summary: 'List the conflicts of quality reports (report_id includes nested reports)', querystring: listQuerySchema, response: { 200: pageSchema(annotationConflictSchema) } } },
    async (request) => {
      const page = await quality.listConflicts(authOf(request), request.query);
      return paginated(requestUrl(request), page, page.rows.map(toConflictDto));
    },
  );

  app.get(
    '/api/jobs/:id/validation_feedback',
    { schema: { tags: ['jobs'], summary: 'The immediate feedback on the job: its latest check against the ground truth and the attempts left', params: idParams, response: { 200: validationFeedbackSchema } } },
    async (request) => feedback.feedback(authOf(request), request.params.id),
  );
}
