/**
 * MOT 1.1 import, as CVAT reads it (Datumaro's mot_seq extractor, then mot.py): every
 * <sequence>/gt/gt.txt with gt/labels.txt beside it (MOT's twelve standard classes without one)
 * and an optional seqinfo.ini. Row frame N is task frame N - 1. Boxes with a positive track id
 * become tracks: every box a keyframe, an outside keyframe after each run that stops early
 * (track-build.ts); the others are boxes on their frame. A box is occluded when its visibility
 * is 0; not-ignored flags and visibility ratios have no place in the model.
 *
 * Frames are named by seqinfo.ini (six digits and imExt), else by the sequence's image with that
 * number, else by the task's image with that frame when importing into a task, else six digits.
 */
import type { DatasetImage, DatasetShape, DatasetTrack, DatasetTrackShape, FrameAnnotations, ImportContext, ImportSource, ParsedDataset } from '../model.js';
import { DatasetFormatError } from '../model.js';
import { LabelUsage } from '../cvat/label-usage.js';
import { stripExtension } from '../match.js';
import { inferKeyframes } from '../datumaro/track-build.js';

/** Datumaro's MotLabel, for sequences without labels.txt. */
const MOT_LABELS = [
  'pedestrian', 'person on vehicle', 'car', 'bicycle', 'motorbike', 'non motorized vehicle', 'static person', 'distractor',
  'occluder', 'occluder on the ground', 'occluder full', 'reflection',
];

const pad6 = (n: number) => String(n).padStart(6, '0');

interface SeqInfo {
  imDir?: string;
  length?: number;
  width?: number;
  height?: number;
  ext?: string;
}

function readSeqInfo(file: string, text: string): SeqInfo {
  const fields = new Map<string, { value: string; line: number }>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const eq = raw.indexOf('=');
    if (eq > 0) fields.set(raw.slice(0, eq).trim().toLowerCase(), { value: raw.slice(eq + 1).trim(), line: i + 1 });
  });
  const int = (key: string) => {
    const f = fields.get(key);
    if (!f) return undefined;
    const n = Number(f.value);
    if (!Number.isInteger(n) || n < 0) throw new DatasetFormatError(file, `${key}=${f.value} is not a non-negative integer`, { line: f.line });
    return n;
  };
  const info: SeqInfo = {};
  const imDir = fields.get('imdir')?.value;
  if (imDir) info.imDir = imDir;
  const length = int('seqlength'), width = int('imwidth'), height = int('imheight');
  if (length !== undefined) info.length = length;
  if (width !== undefined) info.width = width;
  if (height !== undefined) info.height = height;
  const ext = fields.get('imext')?.value;
  if (ext !== undefined) info.ext = ext;
  return info;
}

interface Row {
  frame: number;
  track: number;
  box: number[];
  label: string;
  occluded: boolean;
}

function readRows(file: string, text: string, labels: readonly string[]): Row[] {
  const rows: Row[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === '') return;
    const fail = (message: string): never => {
      throw new DatasetFormatError(file, message, { line });
    };
    const f = raw.split(',').map((s) => s.trim());
    if (f.length < 6) fail(`expected frame,id,x,y,w,h[,not_ignored,class,visibility], got ${f.length} fields`);
    const num = (k: number, name: string) => {
      const n = f[k] === '' ? NaN : Number(f[k]);
      if (!Number.isFinite(n)) fail(`${name} "${f[k]}" is not a number`);
      return n;
    };
    const frame = num(0, 'frame');
    if (!Number.isInteger(frame) || frame < 1) fail(`frame ${f[0]} must be a whole number from 1`);
    const track = num(1, 'id');
    if (!Number.isInteger(track)) fail(`id ${f[1]} is not an integer`);
    const [x, y, w, h] = [num(2, 'x'), num(3, 'y'), num(4, 'width'), num(5, 'height')];
    if (w < 0 || h < 0) fail(`box size ${f[4]}x${f[5]} is negative`);
    let label = '';
    if (f[7] !== undefined && f[7] !== '' && f[7] !== '-1') {
      const cls = num(7, 'class');
      if (!Number.isInteger(cls) || cls < 1 || cls > labels.length) fail(`class ${f[7]} is not one of the ${labels.length} labels`);
      label = labels[cls - 1]!;
    }
    const visibility = f[8] === undefined || f[8] === '' ? 1 : num(8, 'visibility');
    if (visibility < 0 || visibility > 1) fail(`visibility ${f[8]} is outside 0..1`);
    if (f[6] !== undefined && f[6] !== '') num(6, 'not_ignored');
    rows.push({ frame: frame - 1, track, box: [x, y, x + w, y + h], label, occluded: visibility <= 0 });
  });
  return rows;
}

export async function importMot(source: ImportSource, ctx: ImportContext): Promise<ParsedDataset> {
  const paths = source.paths();
  const gts = paths.filter((p) => /(^|\/)gt\/gt\.txt$/.test(p));
  if (gts.length === 0) throw new DatasetFormatError(paths[0] ?? 'upload', 'no MOT annotation file (gt/gt.txt) found');
  const usage = new LabelUsage();
  const frames = new Map<number, FrameAnnotations>();
  const tracks = new Map<number, { label: string; shapes: DatasetTrackShape[] }>();
  const taskImages = new Map(ctx.images.map((i) => [i.frame, i]));
  let lastFrame = Math.max(-1, ...ctx.images.map((i) => i.frame));

  for (const gt of gts) {
    const root = gt.slice(0, -'gt/gt.txt'.length);
    const labelsFile = `${root}gt/labels.txt`;
    const labels = paths.includes(labelsFile)
      ? (await source.text(labelsFile)).split(/\r?\n/).map((s) => s.trim()).filter((s) => s !== '')
      : MOT_LABELS;
    for (const name of labels) usage.use(name, []);
    const seq = paths.includes(`${root}seqinfo.ini`) ? readSeqInfo(`${root}seqinfo.ini`, await source.text(`${root}seqinfo.ini`)) : {};
    const imDir = `${root}${seq.imDir ?? 'img1'}/`;
    const images = new Map<number, string>();
    for (const p of paths) {
      if (!p.startsWith(imDir)) continue;
      const name = p.slice(imDir.length);
      const n = Number(stripExtension(name));
      if (Number.isInteger(n) && n >= 1) images.set(n - 1, name);
    }
    const frameAt = (frame: number): FrameAnnotations => {
      let f = frames.get(frame);
      if (!f) {
        const task = taskImages.get(frame);
        const name = seq.ext !== undefined ? pad6(frame + 1) + seq.ext : (images.get(frame) ?? task?.name ?? pad6(frame + 1));
        const image: DatasetImage = { frame, name, width: seq.width ?? task?.width ?? 0, height: seq.height ?? task?.height ?? 0 };
        frames.set(frame, (f = { image, shapes: [], tags: [] }));
      }
      lastFrame = Math.max(lastFrame, frame);
      return f;
    };
    for (let i = 0; i < (seq.length ?? 0); i++) frameAt(i);
    for (const frame of images.keys()) frameAt(frame);

    for (const row of readRows(gt, await source.text(gt), labels)) {
      const f = frameAt(row.frame);
      if (row.track > 0) {
        let t = tracks.get(row.track);
        if (!t) tracks.set(row.track, (t = { label: row.label, shapes: [] }));
        t.shapes.push({
          frame: row.frame, type: 'rectangle', points: row.box, rotation: 0, occluded: row.occluded, outside: false, z_order: 0,
          attributes: {}, keyframe: true,
        });
      } else {
        const shape: DatasetShape = {
          label: row.label, group: 0, source: 'manual', attributes: {}, type: 'rectangle', points: row.box, rotation: 0,
          occluded: row.occluded, outside: false, z_order: 0,
        };
        f.shapes.push(shape);
      }
    }
  }
  const built: DatasetTrack[] = [...tracks].map(([id, t]) => ({
    id,
    label: t.label,
    group: 0,
    source: 'manual',
    attributes: {},
    // MOT does not require rows in frame order.
    shapes: inferKeyframes([...t.shapes].sort((a, b) => a.frame - b.frame), lastFrame),
  }));
  return { labels: usage.labels(), frames: [...frames.values()].sort((a, b) => a.image.frame - b.image.frame), tracks: built };
}
