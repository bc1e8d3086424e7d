/** /api/consensus/settings and /api/consensus/merges (CVAT's), and GET /api/consensus/merges (Framewise's reports). */
import { idParams, pageSchema } from '../dtos/common.js';
import {
  consensusSettingsPatchSchema,
  consensusSettingsSchema,
  mergeCreateSchema,
  mergeReadSchema,
  rqIdSchema,
  toConsensusSettingsDto,
  toMergeDto,
} from '../dtos/consensus.dto.js';
import { authOf } from '../http/auth-hook.js';
import { listQuerySchema, paginated } from '../http/list-query.js';
import type { App } from '../http/types.js';
import { requestUrl } from '../http/urls.js';
import type { ConsensusService } from '../services/consensus.service.js';

export function registerConsensusRoutes(app: App, consensus: ConsensusService): void {
  app.post(
    '/api/consensus/merges',
    {
      schema: {
        tags: ['consensus'],
        summary: "Merge the replicas of a task's jobs (task_id) or of one job (job_id) into their parent jobs",
        description: 'Answers 202 with a request id; GET /api/requests/{rq_id} reports progress, and its result_url the merge report.',
        body: mergeCreateSchema,
        response: { 202: rqIdSchema },
      },
    },
    async (request, reply) => reply.status(202).send({ rq_id: await consensus.startMerge(authOf(request), request.body) }),
  );

  app.get(
    '/api/consensus/merges',
    {
      schema: {
        tags: ['consensus'],
        summary: 'Merge runs with the agreement between annotators they measured (Framewise); filter by id, task_id or job_id',
        querystring: listQuerySchema,
        response: { 200: pageSchema(mergeReadSchema) },
      },
    },
    async (request) => {
      const page = await consensus.listMerges(authOf(request), request.query);
      return paginated(requestUrl(request), page, page.rows.map(toMergeDto));
    },
  );

  app.get(
    '/api/consensus/settings',
    { schema: { tags: ['consensus'], summary: 'List consensus settings (one per task)', querystring: listQuerySchema, response: { 200: pageSchema(consensusSettingsSchema) } } },
    async (request) => {
      const page = await consensus.listSettings(authOf(request), request.query);
      return paginated(requestUrl(request), page, page.rows.map(toConsensusSettingsDto));
    },
  );

  app.get(
    '/api/consensus/settings/:id',
    { schema: { tags: ['consensus'], summary: 'Get consensus settings (the id is the task\'s)', params: idParams, response: { 200: consensusSettingsSchema } } },
    async (request) => toConsensusSettingsDto(await consensus.getSettings(authOf(request), request.params.id)),
  );

  app.patch(
    '/api/consensus/settings/:id',
    {
      schema: {
        tags: ['consensus'],
        summary: 'Update consensus settings',
        params: idParams,
        body: consensusSettingsPatchSchema,
        response: { 200: consensusSettingsSchema },
      },
    },
    async (request) => toConsensusSettingsDto(await consensus.patchSettings(authOf(request), request.params.id, request.body)),
  );
}
