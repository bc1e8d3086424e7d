/**
 * The background half of a dataset export: the scope's labels, annotations and frames are turned
 * into the dataset model (packages/core/src/formats/convert) and handed to the format's codec,
 * which writes through a sink straight into a ZIP streamed into the blob store (and from there,
 * when asked, into a cloud storage). Frames flow one at a time; annotations are read a window of
 * frames at a time (annotation-windows.ts), so memory does not grow with the task. On PostgreSQL
 * the whole export reads one snapshot. Progress is reported per frame.
 */
import {
  DatasetFormatError,
  annotationsToDataset,
  findExporter,
  type DatasetExport,
  type DatasetImage,
  type DatasetTrack,
  type ExportInput,
  type FrameAnnotations,
  type LabelSchema,
} from '@framewise/core';
import type { Logger } from 'pino';
import type { Db, ReadSnapshot } from '../../db/database.js';
import type { RequestRow } from '../../db/schema.js';
import { AppError } from '../../errors.js';
import type { JobHandler } from '../../jobs/queue.js';
import type { FrameRepository } from '../../repositories/frame.repository.js';
import type { LabelRepository } from '../../repositories/label.repository.js';
import { sharpRasterCodec } from '../../repositories/raster.repository.js';
import type { RequestRepository } from '../../repositories/request.repository.js';
import type { BlobStore } from '../../repositories/storage/blob-store.js';
import { MEDIA_TASK_COLUMNS, type MediaTask } from '../../repositories/task.repository.js';
import type { CloudStorageService } from '../cloud-storage.service.js';
import type { FrameService } from '../frame.service.js';
import type { ProgressReporter } from '../progress.js';
import { ExpectedFailure, runRequest } from '../request-runner.js';
import type { ZipToBlob } from '../../repositories/zip-writer.js';
import { deliverArchive, downloadPath, EXPORT_KEEP_SECONDS, openExportArchive } from '../export-archive.js';
import { readFrameObjectWindows, readScopeTracks, type AnnotationScope } from './annotation-windows.js';
import { CountingReport, EXPORT_REPORT } from './export-report.js';
import type { ExportParams } from './export.service.js';
import { taskImages } from './images.js';
import { datasetLabelsOf, schemaOf } from './labels.js';

/** One task's share of an export: its frames start..stop and the jobs holding their annotations. */
interface Part {
  task: MediaTask & { name: string; subset: string; mode: string };
  scope: AnnotationScope;
  /**
   * The frames the export leaves out or keeps alone: a honeypot is a copy of a validation frame,
   * not a frame of the dataset (the validation frame carries the ground truth); a ground-truth job
   * of some frames exports those frames.
   */
  skip?: ReadonlySet<number>;
  only?: ReadonlySet<number>;
}

function exported(part: Part, frame: number): boolean {
  return !part.skip?.has(frame) && (!part.only || part.only.has(frame));
}

function frameCount(part: Part): number {
  if (part.only) return part.only.size;
  return part.scope.stop - part.scope.start + 1 - (part.skip?.size ?? 0);
}

interface Loaded {
  part: Part;
  /** Added to the part's frame numbers and track ids in the export. */
  offset: number;
  trackBase: number;
  /** The part's tracks; its shapes and tags are set window by window. */
  view: DatasetExport;
}

export class DatasetExportHandler {
  constructor(
    private readonly db: Db,
    private readonly requests: RequestRepository,
    private readonly frames: FrameRepository,
    private readonly labels: LabelRepository,
    private readonly snapshot: ReadSnapshot,
    private readonly frameService: FrameService,
    private readonly blobs: BlobStore,
    private readonly cloudStorages: CloudStorageService,
    private readonly log: Logger,
  ) {}

  handle: JobHandler<'dataset.export'> = async ({ requestId }, ctx) => {
    await runRequest(this.requests, this.log, requestId, ctx, (progress, request) => this.run(request, progress));
  };

  private async run(request: RequestRow, progress: ProgressReporter) {
    const requestId = request.id;
    const params = request.params as unknown as ExportParams;
    const codec = findExporter(params.format);
    if (!codec?.export) throw new ExpectedFailure(`"${params.format}" is no longer an export format`);
    const write = codec.export.bind(codec);
    const found = await this.parts(params);
    if (found.length === 0) throw new ExpectedFailure(`${params.target} ${params.id} has no frames to export`);
    const labelRows = await this.labels.listForTask(found[0]!.task.id);
    const skeletons = labelRows.some((l) => l.type === 'skeleton');
    const parts = found.map((p) => ({ ...p, scope: { ...p.scope, skeletons } }));
    const schema = schemaOf(labelRows);
    const total = parts.reduce((n, p) => n + frameCount(p), 0);
    await progress.report(0, `Exporting ${total} frames as ${codec.name}`, true);

    // The archive is opened once the tracks are read, so a failure before leaves none behind.
    let key: string | undefined;
    const report = new CountingReport();
    try {
      await this.snapshot(async (db) => {
        const { loaded, tracks } = await this.loadTracks(db, parts, schema);
        const { zip, key: archiveKey } = openExportArchive(this.blobs, params.filename);
        key = archiveKey;
        let done = 0;
        const frames = this.frameStream(db, loaded, params.target === 'project', async () => {
          done++;
          await progress.report((0.95 * done) / total, `Exported ${done} of ${total} frames`);
        });
        const first = parts[0]!.task;
        const input: ExportInput = {
          name: params.target === 'project' ? `project ${params.id}` : first.name,
          labels: datasetLabelsOf(labelRows, schema),
          frames,
          tracks,
          saveImages: params.saveImages,
          meta: { size: total, mode: first.mode === 'interpolation' ? 'interpolation' : 'annotation', createdAt: first.created_at.toISOString() },
        };
        try {
          await write(
            input,
            {
              file: (path, content) => zip.add(path, content),
              image: (image, path) => this.addImage(zip, loaded, image, path),
            },
            { raster: sharpRasterCodec, report },
          );
          if (!report.empty) await zip.add(EXPORT_REPORT, report.text(codec.name));
          await zip.finish();
        } catch (e) {
          zip.abort(e as Error);
          throw e;
        }
      });
    } catch (e) {
      if (key) await this.blobs.delete(key).catch(() => undefined);
      if (e instanceof DatasetFormatError) throw new ExpectedFailure(e.message);
      throw e;
    }

    if (params.cloudStorageId !== null) await progress.report(0.97, 'Uploading to the cloud storage', true);
    const resultKey = await deliverArchive(this.blobs, this.cloudStorages, key!, params);
    await this.requests.update(requestId, { params: JSON.stringify({ ...params, resultKey }) });
    const summary = report.summary(codec.name);
    return {
      message: `Exported ${total} frames as ${codec.name}${summary ? `; ${summary}` : ''}`,
      ...(resultKey ? { resultUrl: downloadPath(requestId) } : {}),
      keepSeconds: EXPORT_KEEP_SECONDS,
    };
  }

  /**
   * Each part's tracks, whole (the codec gets them up front). Frame numbers and track ids run on
   * across the parts of a project, so each is unique.
   */
  private async loadTracks(db: Db, parts: Part[], schema: LabelSchema): Promise<{ loaded: Loaded[]; tracks: DatasetTrack[] }> {
    const loaded: Loaded[] = [];
    const tracks: DatasetTrack[] = [];
    let frameBase = 0;
    let trackBase = 0;
    for (const part of parts) {
      const { start, stop } = part.scope;
      const view = annotationsToDataset({ tags: [], shapes: [], tracks: await readScopeTracks(db, part.scope) }, schema, { range: { start, stop } });
      const offset = frameBase - start;
      loaded.push({ part, offset, trackBase, view });
      for (const t of view.tracks) tracks.push(shiftTrack(t, offset, trackBase));
      frameBase += stop - start + 1;
      trackBase += view.tracks.length;
    }
    return { loaded, tracks };
  }

  private async *frameStream(db: Db, loaded: Loaded[], withSubsets: boolean, tick: () => Promise<void>): AsyncGenerator<FrameAnnotations> {
    for (const { part, offset, trackBase, view } of loaded) {
      for await (const window of readFrameObjectWindows(db, part.scope)) {
        view.setFrameObjects(window);
        const images = (await taskImages(this.frames, part.task.id, window.from, window.to)).filter((im) => exported(part, im.frame));
        for (const f of view.framesSync(images)) {
          yield {
            ...f,
            image: { ...f.image, frame: f.image.frame + offset, ...(withSubsets && part.task.subset ? { subset: part.task.subset } : {}) },
            shapes: trackBase ? f.shapes.map((s) => (s.track_id !== undefined ? { ...s, track_id: s.track_id + trackBase } : s)) : f.shapes,
          };
          await tick();
        }
      }
      view.setFrameObjects({ shapes: [], tags: [] });
    }
  }

  private async addImage(zip: ZipToBlob, loaded: Loaded[], image: DatasetImage, path: string): Promise<void> {
    const owner = loaded.find((l) => image.frame - l.offset >= l.part.scope.start && image.frame - l.offset <= l.part.scope.stop);
    if (!owner) throw new AppError('NOT_FOUND', `no frame ${image.frame} in this export`);
    const { task, scope: frames } = owner.part;
    const scope = { task, start: frames.start, stop: frames.stop, what: `task ${task.id}` };
    await zip.add(path, (await this.frameService.originalOf(scope, image.frame - owner.offset)).body, { compress: false });
  }

  /** The parts to export; whether their labels have skeletons is filled in once the labels are read. */
  private async parts(params: ExportParams): Promise<Part[]> {
    const columns = [...MEDIA_TASK_COLUMNS.map((c) => `t.${c}` as const), 't.name', 't.subset', 't.mode'] as const;
    if (params.target === 'job') {
      const row = await this.db
        .selectFrom('jobs as j')
        .innerJoin('segments as s', 's.id', 'j.segment_id')
        .innerJoin('tasks as t', 't.id', 'j.task_id')
        .select([...columns, 's.start_frame', 's.stop_frame', 's.frames', 'j.id as job_id'])
        .where('j.id', '=', params.id)
        .executeTakeFirst();
      if (!row) throw new ExpectedFailure(`job ${params.id} no longer exists`);
      const { start_frame: start, stop_frame: stop, job_id: jobId, frames, ...task } = row;
      return [{ task, scope: { start, stop, jobs: [{ jobId, start, stop }], skeletons: false }, ...(frames ? { only: new Set(frames) } : {}) }];
    }
    const tasks = await this.db
      .selectFrom('tasks as t')
      .select(columns)
      .where(params.target === 'task' ? 't.id' : 't.project_id', '=', params.id)
      .where('t.data_state', '=', 'ready')
      .orderBy('t.id')
      .execute();
    if (tasks.length === 0) return [];
    // A task's annotations are its annotation jobs' (a ground-truth job is not merged into them,
    // but with honeypots it alone holds the validation frames, so it is).
    const jobs = await this.db
      .selectFrom('jobs as j')
      .innerJoin('segments as s', 's.id', 'j.segment_id')
      .innerJoin('tasks as t', 't.id', 'j.task_id')
      .select(['j.id', 'j.task_id', 's.start_frame', 's.stop_frame'])
      .where('j.task_id', 'in', tasks.map((t) => t.id))
      .where((eb) => eb.or([eb('j.type', '=', 'annotation'), eb.and([eb('j.type', '=', 'ground_truth'), eb('t.validation_mode', '=', 'gt_pool')])]))
      .orderBy('s.start_frame')
      .orderBy('j.id')
      .execute();
    const pooled = tasks.filter((t) => t.validation_mode === 'gt_pool').map((t) => t.id);
    const honeypots = pooled.length
      ? await this.db.selectFrom('task_frames').select(['task_id', 'frame']).where('task_id', 'in', pooled).where('real_frame', 'is not', null).execute()
      : [];
    return tasks.map((task) => ({
      task,
      scope: {
        start: 0,
        stop: task.size - 1,
        jobs: jobs.filter((j) => j.task_id === task.id).map((j) => ({ jobId: j.id, start: j.start_frame, stop: j.stop_frame })),
        skeletons: false,
      },
      ...(task.validation_mode === 'gt_pool' ? { skip: new Set(honeypots.filter((h) => h.task_id === task.id).map((h) => h.frame)) } : {}),
    }));
  }
}

function shiftTrack<T extends { id: number; shapes: Array<{ frame: number }>; elements?: Array<{ shapes: Array<{ frame: number }> }> }>(
  t: T,
  offset: number,
  idBase: number,
): T {
  if (offset === 0 && idBase === 0) return t;
  const shift = <S extends { frame: number }>(shapes: S[]) => shapes.map((s) => ({ ...s, frame: s.frame + offset }));
  return {
    ...t,
    id: t.id + idBase,
    shapes: shift(t.shapes),
    ...(t.elements ? { elements: t.elements.map((e) => ({ ...e, shapes: shift(e.shapes) })) } : {}),
  };
}
