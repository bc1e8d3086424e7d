/**
 * The words of CVAT's validation API and the rules its parameters follow, shared by a ground-truth
 * job request (POST /api/jobs) and a task's validation_params: which count or share each frame
 * selection method takes, and how a share becomes a count.
 */

/** A task's validation: a ground-truth job over its frames, or a pool of frames shown as honeypots. */
export const TASK_VALIDATION_MODES = ['gt', 'gt_pool'] as const;
export type TaskValidationMode = (typeof TASK_VALIDATION_MODES)[number];

export const FRAME_SELECTION_METHODS = ['random_uniform', 'random_per_job', 'manual'] as const;
export type FrameSelectionMethod = (typeof FRAME_SELECTION_METHODS)[number];

/** A request the validation rules refuse; `field` names the parameter, as a 400 does. */
export class ValidationSetupError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'ValidationSetupError';
  }
}

/** The counts and shares a frame selection may name; which apply depends on the method. */
export interface SelectionAmounts {
  frameCount?: number | undefined;
  frameShare?: number | undefined;
  framesPerJobCount?: number | undefined;
  framesPerJobShare?: number | undefined;
}

const FIELD: Record<keyof SelectionAmounts, string> = {
  frameCount: 'frame_count',
  frameShare: 'frame_share',
  framesPerJobCount: 'frames_per_job_count',
  framesPerJobShare: 'frames_per_job_share',
};

/** Exactly one of `keys` is given (CVAT's require_one_of_fields), or a 400 naming them. */
export function requireOneOf(amounts: SelectionAmounts, keys: ReadonlyArray<keyof SelectionAmounts>): keyof SelectionAmounts {
  const given = keys.filter((k) => amounts[k] !== undefined);
  const names = keys.map((k) => `"${FIELD[k]}"`).join(', ');
  if (given.length === 0) throw new ValidationSetupError(FIELD[keys[0]!], `one of the fields ${names} is required`);
  if (given.length > 1) throw new ValidationSetupError(FIELD[given[1]!], `only one of the fields ${names} can be used`);
  return given[0]!;
}

/** A share is a fraction of frames, 0 to 1 (CVAT's validate_share). */
export function checkShare(field: string, share: number | undefined): void {
  if (share === undefined) return;
  if (!Number.isFinite(share) || share < 0 || share > 1) throw new ValidationSetupError(field, `must be in the range [0, 1], got ${share}`);
}

/** A share of `total` frames as a count: at least one frame, rounded down otherwise (as CVAT). */
export function shareToCount(share: number, total: number): number {
  return Math.max(1, Math.floor(share * total));
}

/** `field` lists integers none of which repeats. */
export function checkUnique<T>(field: string, values: readonly T[]): void {
  const seen = new Set<T>();
  for (const v of values) {
    if (seen.has(v)) throw new ValidationSetupError(field, `frames must not repeat (${String(v)} is given twice)`);
    seen.add(v);
  }
}

/** At most this many items of a list go into a message. */
export function listForMessage(items: ReadonlyArray<string | number>, max = 10): string {
  const shown = items.slice(0, max).join(', ');
  return items.length > max ? `${shown} (and ${items.length - max} more)` : shown;
}
