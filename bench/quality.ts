/**
 * Quality report speed: a task of 20 jobs x 1,000 frames with every 10th frame a validation
 * frame (2,000 frames) holding 50 ground-truth shapes each (100,000 shapes: boxes, some turned,
 * polygons, masks, point groups, lines, ellipses, skeletons; one tag per frame), and as many
 * annotated: the ground truth moved a little, some objects dropped, relabelled, regrouped, turned
 * around (lines) or added. Times the 20 job reports and the task report built from them, as the
 * server will when a report is requested; median of RUNS (default 3).
 *   node --import tsx bench/quality.ts
 */
import {
  compareJob,
  qualityReportSummary,
  taskReport,
  type Annotations,
  type ComparisonReport,
  type LabeledShape,
  type LabelSchema,
  type LabeledTag,
  type ShapeType,
} from '../packages/core/src/index.js';

const RUNS = Number(process.env.RUNS ?? 3);
const JOBS = 20;
const JOB_SIZE = 1000;
const STEP = 10; // every 10th frame is a validation frame
const PER_FRAME = 50;
const W = 1920, H = 1080;

let seed = 12345;
function rnd(): number {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
}
const between = (a: number, b: number) => a + rnd() * (b - a);
const jitter = (v: number, d: number) => v + between(-d, d);

const attr = (id: number, name: string, input_type: 'select' | 'checkbox', values: string[]) => ({ id, name, mutable: false, input_type, default_value: values[0]!, values });
const LABELS: LabelSchema = {
  labels: [
    { id: 1, name: 'car', type: 'rectangle', attributes: [attr(101, 'color', 'select', ['red', 'blue', 'white']), attr(102, 'parked', 'checkbox', ['false', 'true'])], sublabels: [] },
    { id: 2, name: 'road', type: 'polygon', attributes: [], sublabels: [] },
    { id: 3, name: 'sky', type: 'mask', attributes: [], sublabels: [] },
    { id: 4, name: 'face', type: 'points', attributes: [], sublabels: [] },
    { id: 5, name: 'lane', type: 'polyline', attributes: [], sublabels: [] },
    { id: 6, name: 'sign', type: 'ellipse', attributes: [], sublabels: [] },
    {
      id: 7, name: 'person', type: 'skeleton', attributes: [],
      sublabels: [8, 9, 10, 11, 12].map((id) => ({ id, name: `p${id}`, type: 'points' as const, attributes: [], sublabels: [] })),
    },
    { id: 13, name: 'truck', type: 'any', attributes: [], sublabels: [] },
    { id: 14, name: 'day', type: 'tag', attributes: [], sublabels: [] },
    { id: 15, name: 'night', type: 'tag', attributes: [], sublabels: [] },
  ],
};

let nextId = 1;
function shape(frame: number, type: ShapeType, label_id: number, points: number[], extra: Partial<LabeledShape> = {}): LabeledShape {
  return { id: nextId++, frame, type, label_id, group: 0, source: 'manual', attributes: [], points, rotation: 0, occluded: false, outside: false, z_order: 0, score: 1, elements: [], ...extra };
}

function polygon(cx: number, cy: number, r: number, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const a = (2 * Math.PI * i) / n;
    const rr = r * between(0.7, 1);
    out.push(cx + rr * Math.cos(a), cy + rr * Math.sin(a));
  }
  return out;
}

/** A blob mask (filled circle) in CVAT's encoding. */
function mask(cx: number, cy: number, r: number): number[] {
  const left = Math.round(cx - r), top = Math.round(cy - r), right = Math.round(cx + r), bottom = Math.round(cy + r);
  const runs: number[] = [];
  let on = false, run = 0;
  for (let y = top; y <= bottom; y++) {
    for (let x = left; x <= right; x++) {
      const v = (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
      if (v === on) run++;
      else {
        runs.push(run);
        on = v;
        run = 1;
      }
    }
  }
  runs.push(run);
  return [...runs, left, top, right, bottom];
}

function groundTruthFrame(frame: number): { shapes: LabeledShape[]; tags: LabeledTag[] } {
  const shapes: LabeledShape[] = [];
  const x = () => between(100, W - 100), y = () => between(100, H - 100);
  let group = frame * 100;
  for (let i = 0; i < 22; i++) {
    const cx = x(), cy = y(), w = between(20, 200), h = between(20, 150);
    shapes.push(shape(frame, 'rectangle', rnd() < 0.8 ? 1 : 13, [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], {
      rotation: rnd() < 0.2 ? between(0, 90) : 0,
      attributes: [{ spec_id: 101, value: ['red', 'blue', 'white'][Math.floor(rnd() * 3)]! }],
      z_order: Math.floor(rnd() * 3),
    }));
  }
  for (let i = 0; i < 8; i++) shapes.push(shape(frame, 'polygon', 2, polygon(x(), y(), between(15, 100), 10 + Math.floor(rnd() * 20)), { z_order: Math.floor(rnd() * 3) }));
  for (let i = 0; i < 3; i++) shapes.push(shape(frame, 'mask', 3, mask(x(), y(), between(10, 50)), { z_order: Math.floor(rnd() * 3) }));
  for (let i = 0; i < 4; i++) {
    const cx = x(), cy = y();
    const n = 1 + Math.floor(rnd() * 5);
    const pts: number[] = [];
    for (let k = 0; k < n; k++) pts.push(cx + between(-30, 30), cy + between(-30, 30));
    // Half the point groups come with a box around them, grouped.
    const g = rnd() < 0.5 ? ++group : 0;
    shapes.push(shape(frame, 'points', 4, pts, { group: g }));
    if (g) shapes.push(shape(frame, 'rectangle', 1, [cx - 40, cy - 40, cx + 40, cy + 40], { group: g }));
  }
  for (let i = 0; i < 4; i++) {
    const x0 = x(), y0 = y();
    const n = 3 + Math.floor(rnd() * 6);
    const pts: number[] = [];
    for (let k = 0; k < n; k++) pts.push(x0 + k * between(20, 60), y0 + between(-20, 20));
    shapes.push(shape(frame, 'polyline', 5, pts));
  }
  for (let i = 0; i < 4; i++) {
    const cx = x(), cy = y();
    shapes.push(shape(frame, 'ellipse', 6, [cx, cy, cx + between(10, 60), cy - between(10, 60)], { rotation: rnd() < 0.3 ? between(0, 90) : 0 }));
  }
  // Skeletons fill the frame up to 50 shapes (1 to 5, after the boxes grouped with points).
  while (shapes.length < PER_FRAME) {
    const cx = x(), cy = y();
    const elements = [8, 9, 10, 11, 12].map((id, k) => ({
      id: nextId++, frame, label_id: id, group: 0, source: 'manual' as const, attributes: [], score: 1,
      type: 'points' as const, points: [cx + between(-40, 40), cy + k * 20 - 40], rotation: 0,
      occluded: rnd() < 0.1, outside: rnd() < 0.05, z_order: 0,
    }));
    shapes.push(shape(frame, 'skeleton', 7, [], { elements }));
  }
  const tags: LabeledTag[] = [{ id: nextId++, frame, label_id: rnd() < 0.5 ? 14 : 15, group: 0, source: 'manual', attributes: [] }];
  return { shapes, tags };
}

function moved(s: LabeledShape): LabeledShape {
  const d = s.type === 'mask' ? 0 : 2;
  let points = s.type === 'mask' ? s.points : s.points.map((v) => jitter(v, d));
  if (s.type === 'polyline' && rnd() < 0.05) {
    const rev: number[] = [];
    for (let i = points.length - 2; i >= 0; i -= 2) rev.push(points[i]!, points[i + 1]!);
    points = rev;
  }
  const r = rnd();
  return {
    ...s,
    id: nextId++,
    points,
    label_id: r < 0.04 && s.type === 'rectangle' ? (s.label_id === 1 ? 13 : 1) : s.label_id,
    attributes: r > 0.97 ? [{ spec_id: 101, value: 'white' }] : s.attributes,
    group: r > 0.98 ? 0 : s.group,
    elements: s.elements.map((e) => ({ ...e, id: nextId++, points: e.points.map((v) => jitter(v, 2)) })),
  };
}

function annotated(gt: { shapes: LabeledShape[]; tags: LabeledTag[] }): { shapes: LabeledShape[]; tags: LabeledTag[] } {
  const shapes: LabeledShape[] = [];
  for (const s of gt.shapes) if (rnd() > 0.06) shapes.push(moved(s));
  const extra = Math.round(gt.shapes.length * 0.06);
  for (let i = 0; i < extra; i++) {
    const cx = between(100, W - 100), cy = between(100, H - 100);
    shapes.push(shape(gt.shapes[0]!.frame, 'rectangle', 1, [cx - 30, cy - 30, cx + 30, cy + 30]));
  }
  const tags = gt.tags.map((t) => ({ ...t, id: nextId++, label_id: rnd() < 0.9 ? t.label_id : 29 - t.label_id }));
  return { shapes, tags };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

const genStart = performance.now();
const gtAll: Annotations = { version: 0, tags: [], shapes: [], tracks: [] };
const jobs: Array<{ id: number; annotations: Annotations; frames: number[] }> = [];
for (let j = 0; j < JOBS; j++) {
  const job: Annotations = { version: 0, tags: [], shapes: [], tracks: [] };
  const frames: number[] = [];
  for (let f = j * JOB_SIZE; f < (j + 1) * JOB_SIZE; f += STEP) {
    const gt = groundTruthFrame(f);
    gtAll.shapes.push(...gt.shapes);
    gtAll.tags.push(...gt.tags);
    const ds = annotated(gt);
    job.shapes.push(...ds.shapes);
    job.tags.push(...ds.tags);
    frames.push(f);
  }
  jobs.push({ id: 100 + j, annotations: job, frames });
}
const annotatedCount = jobs.reduce((s, j) => s + j.annotations.shapes.length, 0);
console.log(
  `data: ${JOBS} jobs x ${JOB_SIZE} frames, ${JOBS * (JOB_SIZE / STEP)} validation frames of ${W}x${H}; ` +
    `${gtAll.shapes.length} ground-truth shapes, ${annotatedCount} annotated (generated in ${((performance.now() - genStart) / 1000).toFixed(1)} s)`,
);

const totals: number[] = [];
let last: ComparisonReport | null = null;
for (let run = 0; run < RUNS; run++) {
  const t0 = performance.now();
  const reports = new Map<number, ComparisonReport>();
  for (const job of jobs) {
    reports.set(job.id, compareJob({
      labels: LABELS,
      gt: { job_id: 1, annotations: gtAll },
      job: { job_id: job.id, annotations: job.annotations, frame_count: JOB_SIZE },
      frames: job.frames.map((frame) => ({ frame, width: W, height: H })),
    }));
  }
  last = taskReport({ settings: reports.get(100)!.parameters, allJobIds: jobs.map((j) => j.id), jobReports: reports });
  totals.push(performance.now() - t0);
}
const s = qualityReportSummary(last!);
console.log(
  `task report (${JOBS} job reports + task), median of ${RUNS}: ${(median(totals) / 1000).toFixed(2)} s ` +
    `(runs: ${totals.map((t) => (t / 1000).toFixed(2)).join(', ')} s); target < 10 s`,
);
console.log(
  `summary: accuracy ${s.accuracy.toFixed(3)}, precision ${s.precision.toFixed(3)}, recall ${s.recall.toFixed(3)}, ` +
    `${s.conflict_count} conflicts (${s.error_count} errors, ${s.warning_count} warnings): ${JSON.stringify(s.conflicts_by_type)}`,
);
