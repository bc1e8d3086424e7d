/**
 * Batching: the objects to draw grouped by how they look (label colour, occluded or not), so
 * the canvas fills and strokes a path per hundred objects of a group instead of one per object.
 */
import { kindUtil, type PathSink } from '../kinds';
import { assertNever, type AnnotationRecord } from '../model';

export interface Batch {
  color: string;
  /** CVAT draws occluded objects with a dashed outline. */
  occluded: boolean;
  /** Filled and stroked: rectangles, polygons, ellipses. */
  areas: AnnotationRecord[];
  /** Stroked only: polylines. */
  lines: AnnotationRecord[];
  /** Point markers, drawn at a constant size on screen. */
  markers: AnnotationRecord[];
}

export const FALLBACK_COLOR = '#888888';

/** Groups `records` by colour and occlusion, in a stable order (by colour, then plain before occluded). */
export function groupForDrawing(records: Iterable<AnnotationRecord>, colorOf: (labelId: number) => string | undefined): Batch[] {
  const groups = new Map<string, Batch>();
  for (const r of records) {
    const color = colorOf(r.labelId) ?? FALLBACK_COLOR;
    const key = `${color}|${r.occluded ? 1 : 0}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { color, occluded: r.occluded, areas: [], lines: [], markers: [] }));
    const paint = kindUtil(r.kind).paint;
    switch (paint) {
      case 'area':
        g.areas.push(r);
        break;
      case 'line':
        g.lines.push(r);
        break;
      case 'markers':
        g.markers.push(r);
        break;
      case 'none':
        break;
      default:
        assertNever(paint, 'paint style');
    }
  }
  return [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, g]) => g);
}

/**
 * Objects per path. Chromium builds and fills a path in time that grows with the square of its
 * subpath count (10,000 polygons in one path: 2 s to build; in paths of 100: 20 ms).
 */
export const PATH_CHUNK = 100;

export function* chunks<T>(list: readonly T[], size = PATH_CHUNK): Generator<readonly T[]> {
  for (let i = 0; i < list.length; i += size) yield list.slice(i, i + size);
}

/** Adds every record's outline to one path (image coordinates). */
export function traceAll(sink: PathSink, records: readonly AnnotationRecord[]): void {
  for (const r of records) kindUtil(r.kind).trace(sink, r);
}

/** Draft points for display: placed points, then the pointer (for boxes: the two corners). */
export function draftOutline(points: readonly number[], cursor: { x: number; y: number } | null): number[] {
  return cursor ? [...points, cursor.x, cursor.y] : points.slice();
}
