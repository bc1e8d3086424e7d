/**
 * Which parent jobs a merge takes, by CVAT's rule: a parent job in the annotation stage, with
 * its replicas that someone has started (a replica still new in the annotation stage has
 * nothing to say and does not count among the replicas). Checked when a merge is asked for, with
 * a message saying why there is nothing to merge, and again when it runs.
 */
import { AppError } from '../errors.js';
import type { ReplicaRow } from '../repositories/consensus.repository.js';

export interface MergeableJob {
  id: number;
  start: number;
  stop: number;
  /** Its replicas that take part, by id. */
  replicas: number[];
}

function started(r: ReplicaRow): boolean {
  return !(r.stage === 'annotation' && r.state === 'new');
}

/** The parent jobs to merge, by id: all of the task's, or only `jobId`. */
export function mergeableJobs(replicas: readonly ReplicaRow[], jobId: number | null): MergeableJob[] {
  const out = new Map<number, MergeableJob>();
  for (const r of replicas) {
    if (jobId !== null && r.parent_job_id !== jobId) continue;
    if (r.parent_type !== 'annotation' || r.parent_stage !== 'annotation' || !started(r)) continue;
    let job = out.get(r.parent_job_id);
    if (!job) out.set(r.parent_job_id, (job = { id: r.parent_job_id, start: r.start_frame, stop: r.stop_frame, replicas: [] }));
    job.replicas.push(r.id);
  }
  return [...out.values()].sort((a, b) => a.id - b.id);
}

/** Why a merge of the task (or of job `jobId`) has nothing to merge, as a 400 naming `field`. */
export function nothingToMerge(replicas: readonly ReplicaRow[], jobId: number | null, field: string): AppError {
  if (jobId === null) {
    return AppError.invalid(
      field,
      'nothing to merge: no annotation job in the annotation stage has a replica that was started (a replica still "new" in the annotation stage is not merged)',
    );
  }
  const own = replicas.filter((r) => r.parent_job_id === jobId);
  const stage = own[0]?.parent_stage;
  if (stage !== undefined && stage !== 'annotation') {
    return AppError.invalid(field, `job ${jobId} is in the ${stage} stage; only jobs in the annotation stage are merged (move it back to annotation to merge again)`);
  }
  return AppError.invalid(field, `nothing to merge: no replica of job ${jobId} was started yet (all are "new" in the annotation stage)`);
}
