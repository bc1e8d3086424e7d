/**
 * CVAT's real annotation payloads (../shared/cvat-api/assets) with the labels and frames each was
 * saved against: a job's labels are its task's, or its project's when the task has one (as
 * JobAnnotation.db_labels), its frames the job's segment; a task's frames 0..size-1.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FrameSet, LabelSchema, SchemaLabel } from '../../src/annotations/index.js';

// packages/core/test/annotations -> the repository root is four levels up, ../shared beside it.
export const CVAT_ASSETS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../../shared/cvat-api/assets');
export const HAVE_CVAT_ASSETS = fs.existsSync(path.join(CVAT_ASSETS, 'annotations.json'));
if (!HAVE_CVAT_ASSETS) console.warn(`CVAT reference assets not found at ${CVAT_ASSETS}; the tests that use them are skipped`);

export interface AssetPayload {
  name: string;
  data: Record<string, unknown>;
  schema: LabelSchema;
  frames: FrameSet;
}

interface RawAttribute {
  id: number;
  name: string;
  mutable: boolean;
  input_type: SchemaLabel['attributes'][number]['input_type'];
  default_value: string;
  values: string[];
}

interface RawLabel {
  id: number;
  name: string;
  type: SchemaLabel['type'];
  task_id?: number | null;
  project_id?: number | null;
  attributes: RawAttribute[];
  sublabels?: RawLabel[];
}

const read = (file: string): any => JSON.parse(fs.readFileSync(path.join(CVAT_ASSETS, file), 'utf8'));

function toSchemaLabel(l: RawLabel): SchemaLabel {
  return {
    id: l.id,
    name: l.name,
    type: l.type,
    attributes: l.attributes.map(({ id, name, mutable, input_type, default_value, values }) => ({ id, name, mutable, input_type, default_value, values })),
    sublabels: (l.sublabels ?? []).map(toSchemaLabel),
  };
}

/** Every job and task payload, or [] when the assets are absent. */
export function loadAssetPayloads(): AssetPayload[] {
  if (!HAVE_CVAT_ASSETS) return [];
  const labels: RawLabel[] = read('labels.json').results;
  const tasks = new Map<number, { id: number; project_id: number | null; size: number | null }>(read('tasks.json').results.map((t: any) => [t.id, t]));
  const jobs = new Map<number, { task_id: number; start_frame: number; stop_frame: number }>(read('jobs.json').results.map((j: any) => [j.id, j]));
  const schemaOf = (taskId: number): LabelSchema => {
    const task = tasks.get(taskId);
    const own = (l: RawLabel) => (task?.project_id ? l.project_id === task.project_id : l.task_id === taskId);
    return { labels: labels.filter(own).map(toSchemaLabel) };
  };
  const annotations: Record<'job' | 'task', Record<string, Record<string, unknown>>> = read('annotations.json');
  const out: AssetPayload[] = [];
  for (const [id, data] of Object.entries(annotations.job)) {
    const job = jobs.get(Number(id))!;
    out.push({ name: `job ${id}`, data, schema: schemaOf(job.task_id), frames: { start: job.start_frame, stop: job.stop_frame } });
  }
  for (const [id, data] of Object.entries(annotations.task)) {
    const task = tasks.get(Number(id))!;
    out.push({ name: `task ${id}`, data, schema: schemaOf(task.id), frames: { start: 0, stop: (task.size ?? 1) - 1 } });
  }
  return out;
}
