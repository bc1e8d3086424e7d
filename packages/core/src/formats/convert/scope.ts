/**
 * What one import shares while it turns a parsed dataset into the task's annotations: the task's
 * labels and frames, the problems found and what was skipped on request.
 */
import { labelFitProblem } from '../../annotations/label-index.js';
import type { LabelSchema } from '../../annotations/schema.js';
import type { ShapeType } from '../../annotations/types.js';
import type { DatasetImage } from '../model.js';
import { FrameNumbers, TaskFrames } from './frames.js';
import { ProblemList, usage } from './problems.js';
import { LabelResolver, type ResolvedLabel } from './resolve.js';

export interface ApplyOptions {
  /** 'error': a label the task lacks is a problem; 'skip': its objects are left out and counted. */
  onUnknownLabel: 'error' | 'skip';
  /** Leave out items naming images the task lacks (listed in `skipped.items`) instead of reporting them. */
  ignoreMissingImages?: boolean;
  /**
   * 'skip' (the default, as CVAT): values of attributes the label lacks are left out and counted
   * in `skipped.attributes`; formats write their own (VOC's truncated and difficult, KITTI's
   * score), which a task need not declare. 'error': each is a problem.
   */
  onUnknownAttribute?: 'error' | 'skip';
  /**
   * Let each parsed frame's shapes and tags go once converted, so that a large import's parsed
   * dataset shrinks as it is saved; the dataset cannot be applied again afterwards.
   */
  consume?: boolean;
}

export interface Skipped {
  /** Objects left out per label name (a skeleton's point as "skeleton.point"). */
  labels: Record<string, number>;
  /** Items left out because the task has no image of that name. */
  items: string[];
  /** Values left out per "label.attribute" the task's label does not declare. */
  attributes: Record<string, number>;
}

export class ImportScope {
  readonly problems = new ProblemList();
  readonly labels: LabelResolver;
  readonly frames: TaskFrames;
  readonly numbers: FrameNumbers;
  readonly skipped: Skipped = { labels: {}, items: [], attributes: {} };

  constructor(schema: LabelSchema, images: readonly DatasetImage[], readonly options: ApplyOptions) {
    const skipAttributes = (options.onUnknownAttribute ?? 'skip') === 'skip';
    this.labels = new LabelResolver(
      schema,
      this.problems,
      skipAttributes ? (label, name) => (this.skipped.attributes[`${label}.${name}`] = (this.skipped.attributes[`${label}.${name}`] ?? 0) + 1) : null,
    );
    this.frames = new TaskFrames(images);
    this.numbers = new FrameNumbers(this.frames);
  }

  private unknown(skipKey: string, problemKey: string, where: string, message: string): void {
    if (this.options.onUnknownLabel === 'skip') {
      this.skipped.labels[skipKey] = (this.skipped.labels[skipKey] ?? 0) + 1;
      return;
    }
    this.problems.count(problemKey, where, (n, first) => `${message} ${usage(n, first)}`);
  }

  /** The task's label `name` for an object of `kind`, or null (and why, in the problems or skipped). */
  label(name: string, kind: ShapeType | 'tag', where: string): ResolvedLabel | null {
    const label = this.labels.label(name);
    if (!label) {
      this.unknown(name, `label\u0000${name}`, where, `label "${name}" is not a label of the task`);
      return null;
    }
    const misfit = labelFitProblem(label.indexed, kind);
    if (misfit) {
      this.problems.count(`fit\u0000${label.label.id}\u0000${kind}`, where, (n, first) => `${misfit} ${usage(n, first)}`);
      return null;
    }
    return label;
  }

  /** The point `name` of `skeleton`, or null as for labels. */
  point(skeleton: ResolvedLabel, name: string, where: string): ResolvedLabel | null {
    const point = skeleton.points.get(name);
    if (point) return point;
    const key = `${skeleton.label.name}.${name}`;
    this.unknown(key, `point\u0000${skeleton.label.id}\u0000${name}`, where, `skeleton "${skeleton.label.name}" has no point "${name}"`);
    return null;
  }
}
