/**
 * A backup's ground truth restored, in CVAT's two layouts:
 *
 * - validation mode "gt": the ground-truth job entry of task.json lists its `frames`; it is made
 *   over them once the task's frames exist, as POST /api/jobs makes one with manual frames.
 * - honeypots ("gt_pool"): `data.validation_layout.frames` names the pool's files, the ground-truth
 *   job's `files` are those, and each annotation job's `files` its frames in order, a honeypot
 *   named by the pool file it shows. CVAT's importer rebuilds the frames from these lists (a file
 *   of the pool inside a job is a honeypot of that pool frame); so does this. The media is
 *   attached once per file through the usual task creation, then, in one transaction, the frames
 *   are laid out as the lists say, with the annotation jobs (and their consensus replicas), the
 *   ground-truth job over the pool and the layout.
 *
 * What the lists get wrong fails the restore naming task.json's field.
 */
import { checkDisabledFrames, selectGroundTruthFrames, ValidationSetupError, type SegmentRange } from '@framewise/core';
import type { Insertable } from 'kysely';
import type { Db } from '../../db/database.js';
import type { TaskFramesTable } from '../../db/schema.js';
import type { JobRepository } from '../../repositories/job.repository.js';
import type { ValidationRepository } from '../../repositories/validation.repository.js';
import { ExpectedFailure } from '../request-runner.js';
import type { BackupTask } from './layout.js';

export interface ValidationRestoreDeps {
  db: Db;
  jobs: JobRepository;
  validation: ValidationRepository;
}

/** Rows a statement when the frames are laid out again (10 parameters a row). */
const FRAME_ROWS = 2000;

/** A core refusal (frames that are not the task's, repeats) as a failure naming the field. */
function named<T>(where: string, run: () => T): T {
  try {
    return run();
  } catch (e) {
    if (e instanceof ValidationSetupError) throw new ExpectedFailure(`${where}.${e.field}: ${e.message}`);
    throw e;
  }
}

/** The ground-truth job entry of task.json, if any (a task has at most one). */
export function groundTruthEntry(taskFile: string, manifest: BackupTask): { index: number; frames: number[] | undefined; files: string[] | undefined } | null {
  const found = manifest.jobs.flatMap((j, index) => (j.type === 'ground_truth' ? [{ index, frames: j.frames, files: j.files }] : []));
  if (found.length > 1) throw new ExpectedFailure(`${taskFile}: jobs: a task has at most one ground-truth job; the backup lists ${found.length} (jobs.${found[0]!.index}, jobs.${found[1]!.index})`);
  return found[0] ?? null;
}

/**
 * Validation mode "gt": the ground-truth job over the frames its entry lists, with `disabled`
 * (from quality.json) taken out of use. Runs once the task's `size` frames exist.
 */
export async function restoreGroundTruth(
  d: ValidationRestoreDeps,
  taskId: number,
  taskFile: string,
  entry: { index: number; frames: number[] | undefined },
  size: number,
  disabled: { file: string; frames: number[] },
): Promise<void> {
  const where = `${taskFile}: jobs.${entry.index}`;
  if (!entry.frames) throw new ExpectedFailure(`${where}.frames: a ground-truth job lists its frames`);
  const frames = named(where, () => selectGroundTruthFrames({ method: 'manual', frames: entry.frames, seed: 0 }, { size, segments: [], overlap: 0, segmentSize: size }));
  const off = named(`${disabled.file}: validation_layout`, () => checkDisabledFrames(disabled.frames, frames));
  await d.db.transaction().execute(async (trx) => {
    await d.validation.createGroundTruthJob(trx, taskId, { start: 0, stop: size - 1, frames });
    await d.validation.saveLayout(trx, taskId, { mode: 'gt', frames, disabled: off, framesPerJobCount: null });
  });
}

/** A task with honeypots as its backup lays it out. */
export interface HoneypotRestorePlan {
  /** Every file once: the regular ones in job order, then the pool's; the media is attached in this order. */
  files: string[];
  /** The task's frames: an index into `files`, and for a honeypot the pool frame it shows. */
  frames: Array<{ file: number; real?: number }>;
  /** The annotation jobs' segments. */
  jobs: SegmentRange[];
  /** The pool's frames (the ground-truth job's), ascending. */
  pool: number[];
  framesPerJobCount: number;
}

/** Reads the honeypot layout of a backup whose data.validation_layout.mode is "gt_pool". */
export function planHoneypotRestore(taskFile: string, manifest: BackupTask): HoneypotRestorePlan {
  const poolNames = manifest.data.validation_layout!.frames;
  if (poolNames.length === 0) throw new ExpectedFailure(`${taskFile}: data.validation_layout.frames: a task with honeypots lists its validation frames`);
  const poolIndex = new Map<string, number>();
  poolNames.forEach((n, k) => {
    if (poolIndex.has(n)) throw new ExpectedFailure(`${taskFile}: data.validation_layout.frames: "${n}" is listed twice`);
    poolIndex.set(n, k);
  });
  const gt = groundTruthEntry(taskFile, manifest);
  if (!gt) throw new ExpectedFailure(`${taskFile}: jobs: a task with honeypots (data.validation_layout.mode "gt_pool") has a ground-truth job, but the backup lists none`);
  if (!gt.files || gt.files.length !== poolNames.length || gt.files.some((f, k) => f !== poolNames[k])) {
    throw new ExpectedFailure(`${taskFile}: jobs.${gt.index}.files: the ground-truth job of a task with honeypots names the files of data.validation_layout.frames, in their order`);
  }

  const files: string[] = [];
  const fileIndex = new Map<string, number>();
  const frames: Array<{ file: number; pool?: number }> = [];
  const jobs: SegmentRange[] = [];
  let perJob = 0;
  for (const [i, j] of manifest.jobs.entries()) {
    if (j.type !== 'annotation') continue;
    const where = `${taskFile}: jobs.${i}`;
    if (!j.files?.length) throw new ExpectedFailure(`${where}.files: in a task with honeypots each job names its files`);
    const start = frames.length;
    if (j.start_frame !== start || j.stop_frame !== start + j.files.length - 1) {
      throw new ExpectedFailure(`${where}: frames ${j.start_frame}-${j.stop_frame}, but its ${j.files.length} files follow the jobs before it at frames ${start}-${start + j.files.length - 1}`);
    }
    let honeypots = 0;
    for (const name of j.files) {
      const k = poolIndex.get(name);
      if (k !== undefined) {
        frames.push({ file: -1, pool: k });
        honeypots++;
        continue;
      }
      if (fileIndex.has(name)) throw new ExpectedFailure(`${where}.files: "${name}" is a regular frame of more than one place in the task; only validation frames repeat (as honeypots)`);
      fileIndex.set(name, files.length);
      frames.push({ file: files.length });
      files.push(name);
    }
    perJob = Math.max(perJob, honeypots);
    jobs.push({ start, stop: frames.length - 1 });
  }
  if (jobs.length === 0) throw new ExpectedFailure(`${taskFile}: jobs: no annotation job`);
  const poolStart = frames.length;
  const gtJob = manifest.jobs[gt.index]!;
  if (gtJob.start_frame !== poolStart || gtJob.stop_frame !== poolStart + poolNames.length - 1) {
    throw new ExpectedFailure(`${taskFile}: jobs.${gt.index}: frames ${gtJob.start_frame}-${gtJob.stop_frame}, but the pool follows the annotation jobs at frames ${poolStart}-${poolStart + poolNames.length - 1}`);
  }
  for (const name of poolNames) {
    fileIndex.set(name, files.length);
    frames.push({ file: files.length });
    files.push(name);
  }
  return {
    files,
    frames: frames.map((f) => (f.pool === undefined ? { file: f.file } : { file: fileIndex.get(poolNames[f.pool]!)!, real: poolStart + f.pool })),
    jobs,
    pool: poolNames.map((_, k) => poolStart + k),
    framesPerJobCount: manifest.data.validation_layout!.frames_per_job_count ?? perJob,
  };
}

/**
 * Lays out a task whose media was attached once per file, in `plan.files` order, as the plan
 * says: its frames (honeypots pointing at their pool frames), its annotation jobs with
 * `replicas` consensus replicas each, the ground-truth job over the pool and the layout with
 * `disabled` pool frames. One transaction: the task is never seen half laid out.
 */
export async function layOutHoneypots(
  d: ValidationRestoreDeps,
  taskId: number,
  plan: HoneypotRestorePlan,
  replicas: number,
  disabled: { file: string; frames: number[] },
): Promise<void> {
  const off = named(`${disabled.file}: validation_layout`, () => checkDisabledFrames(disabled.frames, plan.pool));
  await d.db.transaction().execute(async (trx) => {
    const made = await trx.selectFrom('task_frames').selectAll().where('task_id', '=', taskId).orderBy('frame').execute();
    const byName = new Map(made.map((r) => [r.name, r]));
    const missing = plan.files.find((f) => !byName.has(f));
    if (made.length !== plan.files.length || missing !== undefined) {
      throw new Error(`task ${taskId} was made with ${made.length} frames for the backup's ${plan.files.length} files${missing ? `, without "${missing}"` : ''}`);
    }
    await d.jobs.deleteForTask(trx, taskId);
    await trx.deleteFrom('task_frames').where('task_id', '=', taskId).execute();
    const rows: Insertable<TaskFramesTable>[] = plan.frames.map((f, frame) => {
      const r = byName.get(plan.files[f.file]!)!;
      return { task_id: taskId, frame, name: r.name, source: r.source, key: r.key, width: r.width, height: r.height, orientation: r.orientation, bytes: r.bytes, real_frame: f.real ?? null };
    });
    for (let i = 0; i < rows.length; i += FRAME_ROWS) await trx.insertInto('task_frames').values(rows.slice(i, i + FRAME_ROWS)).execute();
    await d.jobs.createForSegments(trx, taskId, plan.jobs, replicas);
    await d.validation.createGroundTruthJob(trx, taskId, { start: plan.pool[0]!, stop: plan.pool[plan.pool.length - 1]!, frames: null });
    await d.validation.saveLayout(trx, taskId, { mode: 'gt_pool', frames: plan.pool, disabled: off, framesPerJobCount: plan.framesPerJobCount });
    // Frames read in the instant between the creation and this are cached under the layout's
    // revision: a new one keeps them from being served for the frames laid out here.
    await d.validation.updateLayout(trx, taskId, { bumpRevision: true });
    const size = plan.frames.length;
    await trx.updateTable('tasks').set({ size, segment_size: 0, start_frame: 0, stop_frame: size - 1, frame_filter: '', updated_at: new Date() }).where('id', '=', taskId).execute();
  });
}

/** Frames a honeypot backup lists as deleted that its disabled pool frames account for (CVAT's way of writing them). */
export function poolDeletedFrames(plan: HoneypotRestorePlan, disabled: readonly number[]): Set<number> {
  const off = new Set(disabled);
  return new Set(plan.frames.flatMap((f, frame) => (off.has(frame) || (f.real !== undefined && off.has(f.real)) ? [frame] : [])));
}
