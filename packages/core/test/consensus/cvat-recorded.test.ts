/**
 * A merge CVAT made, replayed: task 30 of the recorded CVAT server (../shared/cvat-api/assets)
 * has a parent job (42) with three replicas; 43 and 45 were started, 44 is still new and so not
 * merged. CVAT 2.73 merged them keeping every object (no quorum), which is quorum 0 here; the
 * parent's recorded annotations are that merge. Compared: which objects were kept and whose
 * shape each took. The frame size is not recorded; 800 x 600 holds every shape.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { LabelSchema } from '../../src/annotations/schema.js';
import type { Annotations, LabeledShape } from '../../src/annotations/types.js';
import { mergeReplicas } from '../../src/consensus/merge.js';

const ASSETS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../../shared/cvat-api/assets');
const HAVE_ASSETS = fs.existsSync(path.join(ASSETS, 'annotations.json'));

const text = (id: number) => ({ id, name: 'src', mutable: false, input_type: 'text' as const, default_value: '', values: [''] });
const SCHEMA: LabelSchema = {
  labels: [
    { id: 78, name: 'cat', type: 'any', attributes: [text(16)], sublabels: [] },
    { id: 79, name: 'dog', type: 'any', attributes: [text(17)], sublabels: [] },
  ],
};

const key = (s: LabeledShape) => ({ type: s.type, label_id: s.label_id, points: s.points });
const order = (a: ReturnType<typeof key>, b: ReturnType<typeof key>) =>
  a.type.localeCompare(b.type) || a.label_id - b.label_id || a.points[0]! - b.points[0]! || a.points[1]! - b.points[1]!;

describe.skipIf(!HAVE_ASSETS)('a merge recorded from CVAT', () => {
  it('keeps the objects CVAT kept, each with the shape CVAT chose', () => {
    const jobs = JSON.parse(fs.readFileSync(path.join(ASSETS, 'annotations.json'), 'utf8')).job as Record<string, Annotations>;
    const { annotations } = mergeReplicas({
      parent_job_id: 42,
      labels: SCHEMA,
      replicas: [43, 45].map((id) => ({ job_id: id, annotations: jobs[String(id)]! })),
      frames: [0, 1, 2, 3, 4].map((frame) => ({ frame, width: 800, height: 600 })),
      settings: { quorum: 0 },
    });
    const recorded = jobs['42']!;
    const ours = annotations.shapes.map(key).sort(order), theirs = recorded.shapes.map(key).sort(order);
    expect(ours.map((o) => [o.type, o.label_id, o.points.length])).toEqual(theirs.map((o) => [o.type, o.label_id, o.points.length]));
    // CVAT stored its merge's coordinates rounded to two decimals.
    ours.forEach((o, i) => o.points.forEach((v, k) => expect(Math.abs(v - theirs[i]!.points[k]!), `${o.type} ${i} [${k}]`).toBeLessThanOrEqual(0.005 + 1e-9)));
    expect(annotations.tags.map((t) => [t.frame, t.label_id])).toEqual(recorded.tags.map((t) => [t.frame, t.label_id]));
  });
});
