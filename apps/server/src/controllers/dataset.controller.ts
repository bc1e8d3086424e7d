/**
 * Datasets in and out, on CVAT's paths: the format list, exports of tasks, jobs and projects
 * (202 and a request id; the archive comes from the request's result_url), and annotation
 * imports into tasks and jobs.
 */
import { DATASET_FORMATS, formatVersion, type FormatCodec } from '@framewise/core';
import { z } from 'zod';
import { idParams, queryBool } from '../dtos/common.js';
import { authOf } from '../http/auth-hook.js';
import type { App } from '../http/types.js';
import type { DatasetExportService, ExportTarget } from '../services/datasets/export.service.js';
import { TUS_TARGETS, type DatasetImportService, type ImportTarget } from '../services/datasets/import.service.js';
import type { TusService } from '../services/tus.service.js';
import { PROJECT_DATASET_TUS_TARGET, type ProjectImportService } from '../services/datasets/project-import.service.js';
import { AppError } from '../errors.js';
import { flag } from './task-data.controller.js';
import { isTusCreation, replyTusCreate } from './tus.controller.js';

const formatSchema = z.object({ name: z.string(), ext: z.string(), version: z.string(), enabled: z.boolean(), dimension: z.string() });

function formatDto(f: FormatCodec) {
  return { name: f.name, ext: f.ext, version: formatVersion(f), enabled: true, dimension: f.dimension.toUpperCase() };
}

const exportQuery = z.object({
  format: z.string().min(1),
  save_images: queryBool.optional(),
  filename: z.string().max(255).optional(),
  location: z.enum(['local', 'cloud_storage']).optional(),
  cloud_storage_id: z.coerce.number().int().positive().optional(),
});

const rqIdSchema = z.object({ rq_id: z.string() });

const importQuery = z.object({
  format: z.string().min(1).optional(),
  filename: z.string().max(1024).optional(),
  location: z.enum(['local', 'cloud_storage']).optional(),
  cloud_storage_id: z.coerce.number().int().positive().optional(),
  import_mode: z.enum(['replace', 'append']).optional(),
  on_unknown_label: z.enum(['error', 'skip', 'create']).optional(),
  // Sent by CVAT's clients; masks are kept as masks here, so these change nothing.
  conv_mask_to_poly: queryBool.optional(),
  use_default_location: queryBool.optional(),
});

export function registerDatasetRoutes(app: App, exports: DatasetExportService, imports: DatasetImportService, tus: TusService): void {
  app.get(
    '/api/server/annotation/formats',
    { schema: { tags: ['server'], response: { 200: z.object({ importers: z.array(formatSchema), exporters: z.array(formatSchema) }) } } },
    async () => ({
      importers: DATASET_FORMATS.filter((f) => f.import).map(formatDto),
      exporters: DATASET_FORMATS.filter((f) => f.export).map(formatDto),
    }),
  );

  const targets: Array<[string, ExportTarget]> = [['tasks', 'task'], ['jobs', 'job'], ['projects', 'project']];
  for (const [plural, target] of targets) {
    app.post(
      `/api/${plural}/:id/dataset/export`,
      { schema: { tags: [plural], summary: `Start exporting the ${target} as a dataset`, params: idParams, querystring: exportQuery, response: { 202: rqIdSchema } } },
      async (request, reply) => {
        const rqId = await exports.start(authOf(request), target, request.params.id, request.query);
        return reply.status(202).send({ rq_id: rqId });
      },
    );
  }

  const importTargets: Array<[string, ImportTarget]> = [['tasks', 'task'], ['jobs', 'job']];
  for (const [plural, target] of importTargets) {
    app.post(
      `/api/${plural}/:id/annotations`,
      {
        schema: {
          tags: [plural],
          summary: `Import annotations into the ${target} from a file in a dataset format (multipart annotation_file, TUS, or a cloud storage key)`,
          params: idParams,
          querystring: importQuery,
        },
      },
      async (request, reply) => {
        const auth = authOf(request);
        const id = request.params.id;
        const start = flag(request, 'upload-start');
        const finish = flag(request, 'upload-finish');
        if (isTusCreation(request) && !start && !finish) return replyTusCreate(request, reply, tus, TUS_TARGETS[target], id);
        if (start && !finish) {
          await imports.requireImportable(auth, target, id);
          return reply.status(202).send({});
        }
        if (request.isMultipart()) {
          let rqId: string | undefined;
          for await (const part of request.parts()) {
            if (part.type !== 'file') continue;
            if (rqId || part.fieldname !== 'annotation_file') {
              part.file.resume();
              continue;
            }
            rqId = await imports.fromUpload(auth, target, id, request.query, { filename: part.filename || 'annotations', stream: part.file });
          }
          if (!rqId) throw AppError.invalid('annotation_file', 'attach the file to import as annotation_file');
          return reply.status(202).send({ rq_id: rqId });
        }
        return reply.status(202).send({ rq_id: await imports.fromNamedFile(auth, target, id, request.query) });
      },
    );
  }

  app.get(
    '/api/requests/:id/download',
    { schema: { tags: ['requests'], summary: "Download a finished export's archive", params: z.object({ id: z.string().min(1).max(512) }) } },
    async (request, reply) => {
      const { stream, filename } = await exports.download(authOf(request), request.params.id);
      return reply
        .header('content-type', 'application/zip')
        .header('content-length', String(stream.length))
        .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(filename)}`)
        .send(stream.stream);
    },
  );
}

const projectImportQuery = z.object({
  format: z.string().min(1).optional(),
  filename: z.string().max(1024).optional(),
  location: z.enum(['local', 'cloud_storage']).optional(),
  cloud_storage_id: z.coerce.number().int().positive().optional(),
  // Sent by CVAT's clients; masks are kept as masks here, so these change nothing.
  conv_mask_to_poly: queryBool.optional(),
  use_default_location: queryBool.optional(),
});

/**
 * CVAT's dataset import into a project: the archive and its images become tasks of the project,
 * one per subset (multipart `dataset_file`, TUS, or a cloud storage key).
 */
export function registerProjectDatasetImportRoutes(app: App, imports: ProjectImportService, tus: TusService): void {
  app.post(
    '/api/projects/:id/dataset',
    {
      schema: {
        tags: ['projects'],
        summary: 'Import a dataset with its images into the project: one new task per subset (multipart dataset_file, TUS, or a cloud storage key)',
        params: idParams,
        querystring: projectImportQuery,
        // Upload-Start answers without one.
        response: { 202: z.object({ rq_id: z.string().optional() }) },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const id = request.params.id;
      const start = flag(request, 'upload-start');
      const finish = flag(request, 'upload-finish');
      if (isTusCreation(request) && !start && !finish) return replyTusCreate(request, reply, tus, PROJECT_DATASET_TUS_TARGET, id);
      if (start && !finish) {
        await imports.requireImportable(auth, id);
        return reply.status(202).send({});
      }
      if (request.isMultipart()) {
        let rqId: string | undefined;
        for await (const part of request.parts()) {
          if (part.type !== 'file') continue;
          if (rqId || part.fieldname !== 'dataset_file') {
            part.file.resume();
            continue;
          }
          rqId = await imports.fromUpload(auth, id, request.query, { filename: part.filename || 'dataset', stream: part.file });
        }
        if (!rqId) throw AppError.invalid('dataset_file', 'attach the dataset archive as dataset_file');
        return reply.status(202).send({ rq_id: rqId });
      }
      return reply.status(202).send({ rq_id: await imports.fromNamedFile(auth, id, request.query) });
    },
  );
}
