/**
 * Writing frames as YOLO label lines, one writer per kind of line, with what each cannot hold
 * reported. Numbers follow Datumaro's arithmetic and "%.6f" so files match CVAT's, with one
 * deliberate difference: coordinates are clipped to the image (reported as converted). CVAT
 * writes them unclipped, and Ultralytics then refuses the whole image ("non-normalized or out of
 * bounds coordinates"), while our importer refuses values outside [0, 1].
 */
import { DatasetFormatError, type DatasetImage, type DatasetLabel, type DatasetShape, type ExportReport, type FrameAnnotations } from '../model.js';
import { stripExtension } from '../match.js';
import { boundsOf, clampPoints, clipPolygon, datumaroBox, isRotated, pointsInside, rectangleCorners, type Box } from './geometry.js';
import { maskToPolygons } from './mask-contours.js';
import { fixed6, rounded6 } from './numbers.js';

/** The subset folder a frame goes to: Datumaro writes the default subset as "train". */
export function subsetOf(image: DatasetImage, reserved: readonly string[], configFile: string): string {
  const subset = image.subset && image.subset !== 'default' ? image.subset : 'train';
  if (reserved.includes(subset)) {
    throw new DatasetFormatError(configFile, `subset "${subset}" cannot be exported: "${subset}" is a reserved key of ${configFile}`);
  }
  return subset;
}

/** Datumaro's item id: the image name without extension (directories kept). */
export function itemId(image: DatasetImage): string {
  return stripExtension(image.name);
}

/** The image's extension, ".jpg" when its name has none (Datumaro's default). */
export function imageExt(image: DatasetImage): string {
  const id = itemId(image);
  return id.length < image.name.length ? image.name.slice(id.length) : '.jpg';
}

/** Class index by label name for the labels that get one. */
export function classIndex(classes: readonly DatasetLabel[]): Map<string, number> {
  return new Map(classes.map((l, i) => [l.name, i]));
}

export interface LineWriterContext {
  classes: ReadonlyMap<string, number>;
  report: ExportReport;
  /** Format name for report reasons. */
  format: string;
  /** Pose: sublabel names of each skeleton label, and the point count of every line. */
  skeletons?: ReadonlyMap<string, readonly string[]>;
  keypoints?: number;
}

export type LineWriter = (shape: DatasetShape, frame: FrameAnnotations, ctx: LineWriterContext) => string[];

/** Lines for every shape of the frame; tags are reported, no YOLO detection format holds them. */
export function frameLines(frame: FrameAnnotations, write: LineWriter, ctx: LineWriterContext): string {
  let out = '';
  for (const shape of frame.shapes) {
    if (!ctx.classes.has(shape.label)) {
      ctx.report.dropped('objects of labels without a class', frame.image.frame, `label "${shape.label}" has no class in ${ctx.format}`);
      continue;
    }
    for (const line of write(shape, frame, ctx)) out += line;
  }
  frame.tags.forEach(() => ctx.report.dropped('tags', frame.image.frame, `${ctx.format} holds no image-level labels`));
  return out;
}

function dropShape(shape: DatasetShape, frame: FrameAnnotations, ctx: LineWriterContext, holds: string): string[] {
  ctx.report.dropped(`${shape.type} shapes`, frame.image.frame, `${ctx.format} holds only ${holds}`);
  return [];
}

function values(xs: readonly number[]): string {
  return xs.map(fixed6).join(' ');
}

/** "class cx cy w h" as Datumaro computes it from the rectangle. */
function boxValues(box: Box, width: number, height: number): number[] {
  return [(box.x1 + box.x2) / 2 / width, (box.y1 + box.y2) / 2 / height, (box.x2 - box.x1) / width, (box.y2 - box.y1) / height];
}

/** Rectangles (darknet YOLO, Ultralytics detection); rotated ones become their bounding box. */
export const boxLine: LineWriter = (shape, frame, ctx) => {
  if (shape.type !== 'rectangle') return dropShape(shape, frame, ctx, 'rectangles');
  const { width, height, frame: n } = frame.image;
  let box = datumaroBox(shape.points);
  if (isRotated(shape.rotation)) {
    box = boundsOf(rectangleCorners(shape.points, shape.rotation));
    ctx.report.converted('rotated rectangles', n, 'written as their axis-aligned bounding box');
  }
  if (box.x1 < 0 || box.y1 < 0 || box.x2 > width || box.y2 > height) {
    box = { x1: Math.max(box.x1, 0), y1: Math.max(box.y1, 0), x2: Math.min(box.x2, width), y2: Math.min(box.y2, height) };
    if (box.x2 <= box.x1 || box.y2 <= box.y1) {
      ctx.report.dropped('rectangles outside the image', n, 'nothing of them lies inside the image');
      return [];
    }
    ctx.report.converted('rectangles crossing the image border', n, 'clipped to the image');
  }
  return [`${ctx.classes.get(shape.label)} ${values(boxValues(box, width, height))}\n`];
};

function polygonLineOf(cls: number, points: readonly number[], width: number, height: number): string {
  return `${cls} ${values(points.map((v, i) => v / (i % 2 === 0 ? width : height)))}\n`;
}

/** Polygons, and masks as the polygons of their outer contours (Ultralytics segmentation). */
export const polygonLine: LineWriter = (shape, frame, ctx) => {
  const { width, height, frame: n } = frame.image;
  const cls = ctx.classes.get(shape.label)!;
  if (shape.type === 'polygon') {
    let points = shape.points;
    if (!pointsInside(points, width, height)) {
      points = clipPolygon(points, width, height);
      if (points.length < 6) {
        ctx.report.dropped('polygons outside the image', n, 'less than a triangle of them lies inside the image');
        return [];
      }
      ctx.report.converted('polygons crossing the image border', n, 'clipped to the image');
    }
    if (points.length < 6) {
      ctx.report.dropped('polygons of fewer than 3 points', n, `${ctx.format} needs at least 3 points`);
      return [];
    }
    return [polygonLineOf(cls, points, width, height)];
  }
  if (shape.type === 'mask') {
    const { polygons, holes } = maskToPolygons(shape.points);
    const lines: string[] = [];
    for (const polygon of polygons) {
      const points = pointsInside(polygon, width, height) ? polygon : clipPolygon(polygon, width, height);
      if (points.length >= 6) lines.push(polygonLineOf(cls, points, width, height));
    }
    if (lines.length === 0) ctx.report.dropped('empty masks', n, 'no pixel of the mask lies inside the image');
    else ctx.report.converted('masks', n, `written as the polygons of their outer contours${holes ? ' (holes filled)' : ''}`);
    return lines;
  }
  return dropShape(shape, frame, ctx, 'polygons and masks');
};

/** Rectangles by their four corners, rotated or not (Ultralytics oriented boxes). */
export const obbLine: LineWriter = (shape, frame, ctx) => {
  if (shape.type !== 'rectangle') return dropShape(shape, frame, ctx, 'rectangles');
  const { width, height, frame: n } = frame.image;
  const corners = rectangleCorners(shape.points, shape.rotation);
  if (clampPoints(corners, width, height)) {
    ctx.report.converted('rectangles crossing the image border', n, 'corners moved onto the image border');
  }
  return [polygonLineOf(ctx.classes.get(shape.label)!, corners, width, height)];
};

/**
 * Skeletons (Ultralytics pose): the box around the points that are not outside, then x y v per
 * sublabel (0 outside, 1 occluded, 2 visible), "0.0 0.0 0" for missing points and padding.
 * Two departures from CVAT keep a file read back and written again identical: the box is computed
 * from the coordinates as written (rounded to 6 decimals), not the exact ones, so it can differ
 * from CVAT's in the last digit; and an outside point at (0, 0), which is what a missing point
 * reads back as, is written "0.0 0.0 0" like the missing point, not "0.000000 0.000000 0".
 */
export const poseLine: LineWriter = (shape, frame, ctx) => {
  if (shape.type !== 'skeleton') return dropShape(shape, frame, ctx, 'skeletons');
  const { width, height, frame: n } = frame.image;
  const sublabels = ctx.skeletons?.get(shape.label) ?? [];
  const slots: string[] = new Array<string>(ctx.keypoints ?? 0).fill('0.0 0.0 0');
  const xs: number[] = [], ys: number[] = [];
  let clamped = false;
  for (const element of shape.elements ?? []) {
    const index = sublabels.indexOf(element.label);
    if (index < 0 || index >= slots.length) {
      ctx.report.dropped('skeleton points of unknown sublabels', n, `"${element.label}" is not a point of skeleton "${shape.label}"`);
      continue;
    }
    const p = [element.points[0] ?? 0, element.points[1] ?? 0];
    if (clampPoints(p, width, height)) clamped = true;
    const x = rounded6(p[0]! / width), y = rounded6(p[1]! / height);
    const v = element.outside ? 0 : element.occluded ? 1 : 2;
    // An outside point at the origin is how a missing point reads back: write it as one.
    slots[index] = v === 0 && x === 0 && y === 0 ? '0.0 0.0 0' : `${fixed6(x)} ${fixed6(y)} ${v}`;
    if (v !== 0) {
      xs.push(x);
      ys.push(y);
    }
  }
  if (clamped) ctx.report.converted('skeleton points outside the image', n, 'moved onto the image border');
  const x0 = xs.length ? Math.min(...xs) : 0, x1 = xs.length ? Math.max(...xs) : 0;
  const y0 = ys.length ? Math.min(...ys) : 0, y1 = ys.length ? Math.max(...ys) : 0;
  const box = values([(x0 + x1) / 2, (y0 + y1) / 2, x1 - x0, y1 - y0]);
  return [`${ctx.classes.get(shape.label)} ${box}${slots.length ? ' ' + slots.join(' ') : ''}\n`];
};
