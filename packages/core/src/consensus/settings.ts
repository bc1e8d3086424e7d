/**
 * Consensus settings as CVAT's ConsensusSettings holds them (/api/consensus/settings), with
 * CVAT's defaults, and CVAT's rule for a task's consensus_replicas.
 */

export interface ConsensusSettings {
  /**
   * The share of a parent job's merged replicas that must agree on an object (vote for the label
   * it is given) for it to be kept: ceil(quorum x replicas) votes.
   */
  quorum: number;
  /** The least similarity (IoU, OKS, ...) for two replicas' objects to be one object. */
  iou_threshold: number;
}

/** CVAT's defaults: half the replicas, and the quality reports' default overlap. */
export const DEFAULT_CONSENSUS_SETTINGS: Readonly<ConsensusSettings> = Object.freeze({ quorum: 0.5, iou_threshold: 0.4 });

/** CVAT's MAX_CONSENSUS_REPLICAS. */
export const MAX_CONSENSUS_REPLICAS = 11;

/** Why `n` cannot be a task's consensus_replicas (CVAT: 0, or 2 to 11), or null when it can. */
export function consensusReplicasProblem(n: number): string | null {
  if (!Number.isInteger(n)) return 'must be an integer';
  if (n === 0 || (n >= 2 && n <= MAX_CONSENSUS_REPLICAS)) return null;
  if (n === 1) return 'must be 0 (no consensus) or at least 2: one replica has no one to agree with';
  return `must be 0 (no consensus) or from 2 to ${MAX_CONSENSUS_REPLICAS} (got ${n})`;
}

/** The defaults with `overrides` applied; undefined fields keep their defaults. */
export function consensusSettings(overrides: Partial<ConsensusSettings> = {}): ConsensusSettings {
  return {
    quorum: overrides.quorum ?? DEFAULT_CONSENSUS_SETTINGS.quorum,
    iou_threshold: overrides.iou_threshold ?? DEFAULT_CONSENSUS_SETTINGS.iou_threshold,
  };
}

/**
 * Votes an object needs among `replicas`: the quorum's share rounded up (5 replicas at 0.7 need
 * 4). A hair is taken off before rounding so that 0.6 x 5 needs 3, not the 4 that floating point
 * would make of 3.0000000000000004.
 */
export function requiredVotes(quorum: number, replicas: number): number {
  return Math.max(0, Math.ceil(quorum * replicas - 1e-9));
}

/** What is wrong with a settings patch (PATCH /api/consensus/settings/{id}), as { path, message }. */
export function consensusSettingsProblems(patch: Record<string, unknown>): Array<{ path: string; message: string }> {
  const out: Array<{ path: string; message: string }> = [];
  for (const k of ['quorum', 'iou_threshold'] as const) {
    if (!(k in patch)) continue;
    const v = patch[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) out.push({ path: k, message: 'must be a number in [0, 1]' });
  }
  return out;
}
