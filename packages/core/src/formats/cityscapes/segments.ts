/**
 * The raster pipeline CVAT runs before CamVid, Cityscapes, KITTI and MOTS exports, on one image:
 * ellipses and masks become masks (in the extractor), RotatedBoxesToPolygons (rotated boxes become
 * polygons, moved after the other shapes), polygons_to_masks, boxes_to_masks (not for KITTI, which
 * keeps boxes for its detection files), then merge_instance_segments: ungrouped segments first,
 * each its own instance, then each group as one instance labeled by its largest member (the first
 * of equals), with that member's z_order and attributes.
 *
 * Instances are then painted in z_order (stable), later over earlier, into a map of which instance
 * is on top at each pixel; each format derives its class and instance PNGs from that map.
 */
import type { DatasetShape, ExportReport } from '../model.js';
import { mergeGroups, painter } from '../voc/instances.js';
import { rotatedBoxPolygon } from '../voc/rasterize.js';

export interface Segment {
  /** The shape whose label, attributes and z_order the instance takes (a group's leader). */
  shape: DatasetShape;
  paint: (target: Uint8Array, value: number) => void;
}

export interface FrameSegments {
  segments: Segment[];
  /** The shapes that became segments. */
  drawn: DatasetShape[];
  /** Shapes that are not segments (unrotated boxes when `boxes` is false, points, tags...). */
  rest: DatasetShape[];
}

const RASTER = new Set(['polygon', 'mask', 'ellipse']);

/** A box's polygon as Datumaro's Bbox.as_polygon builds it from x, y, w, h. */
function boxCorners(points: readonly number[]): number[] {
  const [x0, y0, x1, y1] = points as [number, number, number, number];
  const w = x1 - x0, h = y1 - y0;
  return [x0, y0, x0 + w, y0, x0 + w, y0 + h, x0, y0 + h];
}

/**
 * The instances of one image of the given size. `boxes`: whether unrotated rectangles are
 * segments (boxes_to_masks). Conversions are reported for the frame.
 */
export function frameSegments(
  shapes: readonly DatasetShape[], width: number, height: number, boxes: boolean, report: ExportReport, frame: number,
): FrameSegments {
  const plain: Segment[] = [], rotated: Segment[] = [], rest: DatasetShape[] = [], drawn: DatasetShape[] = [];
  for (const s of shapes) {
    if (s.type === 'rectangle' && s.rotation && s.points.length === 4) {
      const [x0, y0, x1, y1] = s.points as [number, number, number, number];
      rotated.push({ shape: s, paint: painter('polygon', rotatedBoxPolygon(x0, y0, x1, y1, s.rotation), 0, width, height) });
      report.converted('rotated rectangles', frame, 'rasterized as their rotated corners');
    } else if (s.type === 'rectangle' && boxes && s.points.length === 4) {
      plain.push({ shape: s, paint: painter('polygon', boxCorners(s.points), 0, width, height) });
      report.converted('rectangles', frame, 'rasterized into the masks');
    } else if (RASTER.has(s.type)) {
      plain.push({ shape: s, paint: painter(s.type, s.points, s.rotation, width, height) });
      if (s.type !== 'mask') report.converted(`${s.type}s`, frame, 'rasterized into the masks');
    } else {
      rest.push(s);
      continue;
    }
    drawn.push(s);
  }
  const segments = mergeGroups([...plain, ...rotated], width, height, report, frame).map(({ leader, paint }) => ({ shape: leader.shape, paint }));
  return { segments, drawn, rest };
}


/**
 * Which instance is on top at each pixel: its index + 1, 0 where none is. Painted in z_order
 * (stable); painting goes through 8-bit scratch images, 255 instances at a time.
 */
export function topInstances(segments: readonly Segment[], width: number, height: number): Int32Array {
  const order = segments.map((s, i) => ({ s, i })).sort((a, b) => a.s.shape.z_order - b.s.shape.z_order || a.i - b.i);
  const top = new Int32Array(width * height);
  const scratch = new Uint8Array(width * height);
  for (let start = 0; start < order.length; start += 255) {
    const batch = order.slice(start, start + 255);
    if (start > 0) scratch.fill(0);
    batch.forEach(({ s }, k) => s.paint(scratch, k + 1));
    for (let p = 0; p < scratch.length; p++) {
      const v = scratch[p]!;
      if (v) top[p] = batch[v - 1]!.i + 1;
    }
  }
  return top;
}

/** An RGB image of class colors from per-pixel class numbers. */
export function paintColors(classes: ArrayLike<number>, colors: ReadonlyMap<number, readonly [number, number, number]>): Uint8Array {
  const out = new Uint8Array(classes.length * 3);
  for (let p = 0; p < classes.length; p++) {
    const c = colors.get(classes[p]!);
    if (c) out.set(c, p * 3);
  }
  return out;
}
