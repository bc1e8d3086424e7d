/**
 * Reading one annotation line of a YOLO label file, for each kind of line: boxes (darknet and
 * Ultralytics detection), polygons, oriented boxes and poses. Coordinates are normalized and
 * multiplied by the image size here. An optional trailing integer is a track id (CVAT's
 * Ultralytics extension); it is kept as the shape's `track_id`.
 */
import { DatasetFormatError, type DatasetShape } from '../model.js';
import { fileShape } from './archive.js';
import { rectangleFromCorners } from './geometry.js';
import { parseIntField, parseUnitField, RANGE_TOLERANCE, type FieldAt } from './numbers.js';

export interface LineContext extends FieldAt {
  fields: readonly string[];
  width: number;
  height: number;
  /** Class index to label name. */
  classes: ReadonlyMap<number, string>;
  /** File that declares the classes, for the error message. */
  classesFile: string;
}

function fieldCountError(ctx: LineContext, expected: string): DatasetFormatError {
  return new DatasetFormatError(ctx.file, `${ctx.fields.length} fields; expected ${expected}`, { line: ctx.line });
}

function label(ctx: LineContext): string {
  const index = parseIntField(ctx.fields[0]!, 'class index', ctx);
  const name = ctx.classes.get(index);
  if (name === undefined) {
    throw new DatasetFormatError(ctx.file, `class index ${index} is not declared in ${ctx.classesFile}`, { line: ctx.line });
  }
  return name;
}

function trackId(ctx: LineContext, shape: DatasetShape): DatasetShape {
  shape.track_id = parseIntField(ctx.fields[ctx.fields.length - 1]!, 'track id', ctx);
  return shape;
}

/** "class cx cy w h" (and with `track`, an optional track id): an axis-aligned rectangle. */
export function parseBoxLine(ctx: LineContext, track: boolean): DatasetShape {
  const n = ctx.fields.length;
  if (n !== 5 && !(track && n === 6)) throw fieldCountError(ctx, track ? '5 or 6 (class cx cy w h [track])' : '5 (class cx cy w h)');
  const name = label(ctx);
  const [cx, cy, w, h] = readBox(ctx, 1);
  const x = (cx - w * 0.5) * ctx.width, y = (cy - h * 0.5) * ctx.height;
  const shape = fileShape(name, 'rectangle', [x, y, x + w * ctx.width, y + h * ctx.height]);
  return n === 6 ? trackId(ctx, shape) : shape;
}

/** Normalized cx, cy, w, h from field `at`, with the box's edges inside the image. */
function readBox(ctx: LineContext, at: number): [number, number, number, number] {
  const f = ctx.fields;
  const cx = parseUnitField(f[at]!, 'box centre x', ctx), cy = parseUnitField(f[at + 1]!, 'box centre y', ctx);
  const w = parseUnitField(f[at + 2]!, 'box width', ctx), h = parseUnitField(f[at + 3]!, 'box height', ctx);
  if (w < 0 || h < 0) throw new DatasetFormatError(ctx.file, 'box width and height must not be negative', { line: ctx.line });
  const lo = -RANGE_TOLERANCE, hi = 1 + RANGE_TOLERANCE;
  if (cx - w / 2 < lo || cx + w / 2 > hi || cy - h / 2 < lo || cy + h / 2 > hi) {
    throw new DatasetFormatError(ctx.file, 'box reaches outside the image ([0, 1])', { line: ctx.line });
  }
  return [cx, cy, w, h];
}

function readPoints(ctx: LineContext, from: number, count: number): number[] {
  const points: number[] = [];
  for (let i = 0; i < count; i++) {
    points.push(
      parseUnitField(ctx.fields[from + 2 * i]!, `point ${i + 1} x`, ctx) * ctx.width,
      parseUnitField(ctx.fields[from + 2 * i + 1]!, `point ${i + 1} y`, ctx) * ctx.height,
    );
  }
  return points;
}

/** "class x1 y1 x2 y2 x3 y3 ... [track]": a polygon of at least 3 points. */
export function parsePolygonLine(ctx: LineContext): DatasetShape {
  const n = ctx.fields.length;
  if (n < 7) throw fieldCountError(ctx, 'a class and at least 3 points (class x1 y1 x2 y2 x3 y3 ... [track])');
  const name = label(ctx);
  const pairs = Math.floor((n - 1) / 2);
  const shape = fileShape(name, 'polygon', readPoints(ctx, 1, pairs));
  return n % 2 === 0 ? trackId(ctx, shape) : shape;
}

/** "class x1 y1 x2 y2 x3 y3 x4 y4 [track]": a rotated rectangle by its corners. */
export function parseObbLine(ctx: LineContext): DatasetShape {
  const n = ctx.fields.length;
  if (n !== 9 && n !== 10) throw fieldCountError(ctx, '9 or 10 (class x1 y1 x2 y2 x3 y3 x4 y4 [track])');
  const name = label(ctx);
  const { points, rotation } = rectangleFromCorners(readPoints(ctx, 1, 4));
  const shape = fileShape(name, 'rectangle', points, rotation);
  return n === 10 ? trackId(ctx, shape) : shape;
}

export interface PoseLayout {
  /** kpt_shape[0]: point triplets (or pairs) on every line. */
  points: number;
  /** kpt_shape[1]: 2 (x y) or 3 (x y visibility). */
  dims: 2 | 3;
  /** Sublabel names of each skeleton label, in point order. */
  sublabels: ReadonlyMap<string, readonly string[]>;
}

/**
 * "class cx cy w h x1 y1 v1 ... [track]": a skeleton. The box is checked but not kept (CVAT
 * derives it from the points). Visibility 0 is an outside point, 1 occluded, 2 visible; points
 * past the skeleton's own sublabels are padding and are ignored.
 */
export function parsePoseLine(ctx: LineContext, layout: PoseLayout): DatasetShape {
  const n = ctx.fields.length, base = 5 + layout.points * layout.dims;
  if (n !== base && n !== base + 1) {
    throw fieldCountError(ctx, `${base} or ${base + 1} (class cx cy w h, then ${layout.points} points of ${layout.dims} values, [track])`);
  }
  const name = label(ctx);
  readBox(ctx, 1);
  const sublabels = layout.sublabels.get(name) ?? [];
  const elements: DatasetShape[] = [];
  for (let i = 0; i < layout.points; i++) {
    const at = 5 + i * layout.dims;
    const x = parseUnitField(ctx.fields[at]!, `keypoint ${i + 1} x`, ctx) * ctx.width;
    const y = parseUnitField(ctx.fields[at + 1]!, `keypoint ${i + 1} y`, ctx) * ctx.height;
    let v = 2;
    if (layout.dims === 3) {
      v = parseIntField(ctx.fields[at + 2]!, `keypoint ${i + 1} visibility`, ctx);
      if (v < 0 || v > 2) throw new DatasetFormatError(ctx.file, `keypoint ${i + 1} visibility ${v} is not 0, 1 or 2`, { line: ctx.line });
    }
    const sublabel = sublabels[i];
    if (sublabel === undefined) continue;
    const element = fileShape(sublabel, 'points', [x, y]);
    element.outside = v === 0;
    element.occluded = v === 1;
    elements.push(element);
  }
  const shape = fileShape(name, 'skeleton', []);
  shape.elements = elements;
  return n === base + 1 ? trackId(ctx, shape) : shape;
}
