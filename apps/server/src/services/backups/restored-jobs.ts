/**
 * The jobs of a restored task paired with task.json's job entries (and so with annotations.json's,
 * which follow them one for one). The task's media made its annotation jobs, their consensus
 * replicas and, where the backup has one, its ground-truth job; each entry is matched by type and
 * frames: annotation jobs in frame order, a replica to the next unused replica of the annotation
 * job with its frames, the ground-truth job to the task's.
 */
import type { Db } from '../../db/database.js';
import { ExpectedFailure } from '../request-runner.js';
import { JOB_TYPES, type BackupJob } from './layout.js';

export async function matchJobs(db: Db, taskId: number, taskFile: string, entries: BackupJob[]): Promise<number[]> {
  const made = await db
    .selectFrom('jobs as j')
    .innerJoin('segments as s', 's.id', 'j.segment_id')
    .select(['j.id', 'j.type', 'j.parent_job_id', 's.start_frame', 's.stop_frame'])
    .where('j.task_id', '=', taskId)
    .orderBy('s.start_frame')
    .orderBy('j.id')
    .execute();
  const annotation = made.filter((j) => j.type === 'annotation');
  const groundTruth = made.find((j) => j.type === 'ground_truth');
  const replicas = new Map<number, number[]>();
  for (const j of made) if (j.type === 'consensus_replica') replicas.set(j.parent_job_id!, [...(replicas.get(j.parent_job_id!) ?? []), j.id]);

  const wanted = entries.filter((j) => j.type === 'annotation').length;
  if (annotation.length !== wanted) {
    throw new ExpectedFailure(`${taskFile}: jobs: the backup has ${wanted} annotation jobs, but its media and segment size make ${annotation.length}`);
  }
  const range = (start: number, stop: number) => `${start}-${stop}`;
  const parents = new Map<string, number>();
  let k = 0;
  const out: number[] = [];
  for (const [i, job] of entries.entries()) {
    if (job.type === 'annotation') {
      const m = annotation[k++]!;
      if (m.start_frame !== job.start_frame || m.stop_frame !== job.stop_frame) {
        throw new ExpectedFailure(
          `${taskFile}: jobs.${i}: frames ${job.start_frame}-${job.stop_frame} in the backup, but the restored task's job has frames ${m.start_frame}-${m.stop_frame}`,
        );
      }
      parents.set(range(m.start_frame, m.stop_frame), m.id);
      out.push(m.id);
    } else if (job.type === 'ground_truth') {
      // Made before matching from the entry itself; only a restore that made none lands here.
      if (!groundTruth) throw new ExpectedFailure(`${taskFile}: jobs.${i}: a ground-truth job, which the restored task does not have`);
      out.push(groundTruth.id);
    } else if (job.type === 'consensus_replica') {
      out.push(-1);
    } else {
      throw new ExpectedFailure(`${taskFile}: jobs.${i}.type: "${job.type}" is not a job type (${JOB_TYPES.join(', ')})`);
    }
  }
  // Replicas second: CVAT lists them after their parent, but their frames say whose they are.
  for (const [i, job] of entries.entries()) {
    if (job.type !== 'consensus_replica') continue;
    const parent = parents.get(range(job.start_frame, job.stop_frame));
    if (parent === undefined) {
      throw new ExpectedFailure(`${taskFile}: jobs.${i}: a consensus replica of frames ${job.start_frame}-${job.stop_frame}, but no annotation job has those frames`);
    }
    const free = replicas.get(parent) ?? [];
    if (free.length === 0) {
      const count = made.filter((j) => j.parent_job_id === parent).length;
      throw new ExpectedFailure(
        `${taskFile}: jobs.${i}: one consensus replica too many for the job of frames ${job.start_frame}-${job.stop_frame}; the task has ${count} per job (consensus_replicas)`,
      );
    }
    out[i] = free.shift()!;
  }
  return out;
}
