/**
 * The <meta> of a CVAT XML file, read while streaming: labels with their attribute specs and
 * skeleton points (task, job or project layout), and how the file numbers frames. CVAT writes
 * absolute frame numbers (start_frame + index * step); a task's frames are numbered from 0.
 */
import { isAttributeInputType, isLabelType, COLOR_RE, type AttributeSpec } from '../../labels.js';
import type { DatasetLabel } from '../model.js';
import type { XmlValues } from './xml-values.js';

interface AttrDraft {
  name: string;
  mutable?: string;
  input_type?: string;
  default_value: string;
  values: string;
  line: number;
}

interface LabelDraft {
  name: string;
  color?: string;
  type?: string;
  parent?: string;
  svg?: string;
  attributes: AttrDraft[];
  line: number;
}

interface TaskDraft {
  kind: 'task' | 'job';
  id?: string;
  start?: number;
  step?: number;
  segmentStart?: number;
}

/** rel = (abs - base) / step */
export interface FrameNumbering {
  base: number;
  step: number;
}

/**
 * CVAT joins values with newlines; files from old versions separate them with spaces. A single
 * line that is exactly the default value is one value (a radio option may contain spaces).
 */
function splitValues(text: string, defaultValue: string): string[] {
  if (text === '') return [];
  if (text.includes('\n')) return text.split('\n').map((s) => s.trim()).filter((s) => s !== '');
  if (text === defaultValue) return [text];
  return text.split(/\s+/).filter((s) => s !== '');
}

export class MetaReader {
  private readonly labelDrafts: LabelDraft[] = [];
  private label: LabelDraft | undefined;
  private attr: AttrDraft | undefined;
  private task: TaskDraft | undefined;
  private readonly tasks = new Map<string, FrameNumbering>();
  readonly originalSize = { width: 0, height: 0 };
  private built: { labels: DatasetLabel[]; declaredMutability: Set<string> } | undefined;

  constructor(private readonly v: XmlValues) {}

  open(name: string, parent: string | undefined, line: number): void {
    if (name === 'label' && parent === 'labels') this.label = { name: '', attributes: [], line };
    else if (name === 'attribute' && parent === 'attributes' && this.label) {
      this.attr = { name: '', default_value: '', values: '', line };
    } else if ((name === 'task' && (parent === 'meta' || parent === 'tasks')) || (name === 'job' && parent === 'meta')) {
      this.task = { kind: name };
    }
  }

  close(name: string, parent: string | undefined, grandparent: string | undefined, text: string, line: number): void {
    if (this.attr && parent === 'attribute') {
      if (name === 'name') this.attr.name = text;
      else if (name === 'mutable') this.attr.mutable = text;
      else if (name === 'input_type') this.attr.input_type = text;
      else if (name === 'default_value') this.attr.default_value = text;
      else if (name === 'values') this.attr.values = text;
    } else if (this.label && parent === 'label') {
      if (name === 'name') this.label.name = text;
      else if (name === 'color') this.label.color = text;
      else if (name === 'type') this.label.type = text;
      else if (name === 'parent') this.label.parent = text;
      else if (name === 'svg') this.label.svg = text;
    } else if (name === 'attribute' && this.attr) {
      this.label?.attributes.push(this.attr);
      this.attr = undefined;
    } else if (name === 'label' && this.label) {
      if (this.label.name === '') this.v.fail(line, '<label> has no name');
      this.labelDrafts.push(this.label);
      this.label = undefined;
    } else if (this.task && (parent === 'task' || parent === 'job')) {
      if (name === 'id') this.task.id = text;
      else if (name === 'start_frame') this.task.start = this.v.intText(name, text, line);
      else if (name === 'frame_filter') {
        const step = /^step\s*=\s*(\d+)$/.exec(text.trim());
        if (text.trim() !== '' && !step) this.v.fail(line, `<frame_filter> "${text}" is not "step=N"`);
        this.task.step = step ? Number(step[1]) : 1;
        if (this.task.step < 1) this.v.fail(line, `<frame_filter> step must be at least 1`);
      }
    } else if (this.task?.kind === 'job' && name === 'start' && parent === 'segment' && grandparent === 'segments') {
      this.task.segmentStart ??= this.v.intText(name, text, line);
    } else if ((name === 'task' || name === 'job') && this.task) {
      const t = this.task;
      const step = t.step ?? 1;
      const base = (t.start ?? 0) - (t.kind === 'job' ? (t.segmentStart ?? 0) * step : 0);
      this.tasks.set(t.id ?? '', { base, step });
      this.task = undefined;
    } else if (parent === 'original_size' && (name === 'width' || name === 'height')) {
      this.originalSize[name] = this.v.intText(name, text, line);
    }
  }

  /** How frames of the given task (images and tracks name it in project files) are numbered. */
  numbering(taskId: string | undefined): FrameNumbering {
    const own = this.tasks.get(taskId ?? '');
    if (own) return own;
    if (taskId === undefined && this.tasks.size === 1) return [...this.tasks.values()][0]!;
    return { base: 0, step: 1 };
  }

  /** The task's frame for an absolute frame number in the file. */
  frame(abs: number, taskId: string | undefined, line: number): number {
    const { base, step } = this.numbering(taskId);
    const rel = (abs - base) / step;
    if (!Number.isInteger(rel) || rel < 0) {
      this.v.fail(line, `frame ${abs} is not a frame of the task (first frame ${base}, step ${step})`);
    }
    return rel;
  }

  /** The declared labels, skeleton points under their skeletons. Built once, when annotations start. */
  labels(): { labels: DatasetLabel[]; declaredMutability: Set<string> } {
    if (this.built) return this.built;
    const declaredMutability = new Set<string>();
    const convert = (d: LabelDraft, isPoint: boolean): DatasetLabel => {
      const attributes: AttributeSpec[] = d.attributes.map((a) => {
        const inputType = a.input_type ?? 'text';
        if (!isAttributeInputType(inputType)) this.v.fail(a.line, `attribute "${a.name}" has unknown input_type "${inputType}"`);
        if (a.mutable !== undefined) declaredMutability.add(`${d.parent ?? ''}\u0000${d.name}\u0000${a.name}`);
        return {
          name: a.name,
          mutable: a.mutable?.toLowerCase() === 'true',
          input_type: inputType,
          default_value: a.default_value,
          values: splitValues(a.values, a.default_value),
        };
      });
      const children = this.labelDrafts.filter((c) => c.parent === d.name && !isPoint);
      const fallback = isPoint ? 'points' : children.length > 0 ? 'skeleton' : 'any';
      const type = d.type && isLabelType(d.type) ? d.type : fallback;
      const label: DatasetLabel = { name: d.name, type, attributes };
      if (d.color && COLOR_RE.test(d.color)) label.color = d.color;
      if (children.length > 0) label.sublabels = children.map((c) => convert(c, true));
      if (d.svg) label.svg = d.svg;
      return label;
    };
    const names = new Set(this.labelDrafts.filter((d) => d.parent === undefined).map((d) => d.name));
    for (const d of this.labelDrafts) {
      if (d.parent !== undefined && !names.has(d.parent)) this.v.fail(d.line, `label "${d.name}" names parent "${d.parent}", which is not declared`);
    }
    const labels = this.labelDrafts.filter((d) => d.parent === undefined).map((d) => convert(d, false));
    this.built = { labels, declaredMutability };
    return this.built;
  }
}
