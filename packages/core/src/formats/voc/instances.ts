/**
 * Class and instance PNGs from an image's segments (Datumaro's CompiledMask.from_instance_masks):
 * segments are painted in z order (stable), later over earlier; instance numbers are 1, 2, ... in
 * that order; class numbers come from the label map, pixels of no segment stay background.
 * PNGs color each number with the label map's colors (classes) or the VOC colormap (instances),
 * written as palette PNGs: the colors decide, as readers map colors back to numbers.
 */
import type { ExportReport, RasterCodec } from '../model.js';
import { paintCvatMask } from '../mask.js';
import { INSTANCE_COLORS, type Rgb } from './colormap.js';
import { fillEllipse, fillPolygon } from './rasterize.js';

/** One instance: its class number and the shapes that make it up (more than one when merged). */
export interface Instance {
  classId: number;
  z: number;
  paint: (target: Uint8Array, value: number) => void;
}

/** A shape drawn into an image: what Datumaro's merge_instance_segments works on. */
export interface PaintedShape {
  shape: { group: number };
  paint: (target: Uint8Array, value: number) => void;
}

/**
 * Datumaro's find_instances and merge_instance_segments: ungrouped segments first, each its own
 * instance, then groups in number order; a group becomes one instance painting all its members,
 * led by its largest member (the first of equals), whose label and z_order the instance takes.
 */
export function mergeGroups<S extends PaintedShape>(
  segments: readonly S[], width: number, height: number, report: ExportReport, frame: number,
): Array<{ leader: S; paint: (target: Uint8Array, value: number) => void }> {
  const order = segments.map((s, i) => ({ s, i })).sort((a, b) => a.s.shape.group - b.s.shape.group || a.i - b.i);
  const out: Array<{ leader: S; paint: (target: Uint8Array, value: number) => void }> = [];
  for (let k = 0; k < order.length;) {
    const group = order[k]!.s.shape.group;
    let end = k + 1;
    if (group) while (end < order.length && order[end]!.s.shape.group === group) end++;
    const members = order.slice(k, end).map((o) => o.s);
    k = end;
    if (members.length === 1) {
      out.push({ leader: members[0]!, paint: members[0]!.paint });
      continue;
    }
    report.converted('grouped shapes', frame, 'merged into one instance');
    const scratch = new Uint8Array(width * height);
    let leader = members[0]!, best = -1;
    for (const m of members) {
      scratch.fill(0);
      m.paint(scratch, 1);
      let area = 0;
      for (const v of scratch) area += v;
      if (area > best) [leader, best] = [m, area];
    }
    out.push({ leader, paint: (t, v) => members.forEach((m) => m.paint(t, v)) });
  }
  return out;
}

/** A drawing function for one shape's geometry on an image of the given size. */
export function painter(type: string, points: readonly number[], rotation: number, width: number, height: number) {
  return (target: Uint8Array, value: number) => {
    if (type === 'mask') paintCvatMask(points, target, width, height, value);
    else if (type === 'ellipse') fillEllipse(points, rotation, width, height, target, value);
    else fillPolygon(points, width, height, target, value);
  };
}

export interface CompiledMasks {
  classMask: Uint8Array;
  instanceMask: Uint8Array;
}

/**
 * Paints the instances; those beyond 255 (a PNG holds no more) are reported and left out.
 * `background` is the class of unpainted pixels.
 */
export function compileInstances(
  instances: readonly Instance[], width: number, height: number, background: number,
  report: ExportReport, frame: number,
): CompiledMasks {
  const classMask = new Uint8Array(width * height).fill(background);
  const instanceMask = new Uint8Array(width * height);
  const ordered = instances.map((inst, i) => ({ inst, i })).sort((a, b) => a.inst.z - b.inst.z || a.i - b.i);
  ordered.forEach(({ inst }, rank) => {
    const id = rank + 1;
    if (id > 255) {
      report.dropped('segments beyond the 255th of an image', frame, 'SegmentationObject PNGs hold 255 instances');
      return;
    }
    if (inst.classId > 255) {
      report.dropped('segments of labels numbered above 255', frame, 'SegmentationClass PNGs hold 256 classes');
      return;
    }
    // Painting over is Datumaro's merge (later masks win); class 0 paints nothing there, as the
    // mask times its class adds no pixels.
    inst.paint(instanceMask, id);
    if (inst.classId !== 0) inst.paint(classMask, inst.classId);
  });
  return { classMask, instanceMask };
}

export async function encodeIndexed(raster: RasterCodec, data: Uint8Array, width: number, height: number, palette: readonly Rgb[]): Promise<Uint8Array> {
  // A one-color palette is not a palette PNG encoders accept; black never changes what reads back.
  const full = palette.length < 2 ? [...palette, [0, 0, 0] as const] : palette;
  return raster.encodePng({ width, height, channels: 1, data }, { palette: full });
}

/** Palette for SegmentationObject PNGs with instances up to `count`. */
export function instancePalette(count: number): Rgb[] {
  return INSTANCE_COLORS.slice(0, Math.max(2, count + 1));
}
