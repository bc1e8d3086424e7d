/** What every object kind provides to the engine: geometry, hit test, handles, path tracing. */
import type { ImageBox, ImagePoint } from '../coords';
import type { AnnotationRecord } from '../model';

/** A draggable point of a selected object, in image pixels. */
export interface Handle {
  /** Resize handles: 0..7 clockwise from the top-left corner; vertex handles: the vertex index. */
  id: number;
  role: 'resize' | 'vertex';
  x: number;
  y: number;
  /** CSS cursor to show over it. */
  cursor: string;
}

/** The subset of CanvasPath (Path2D, CanvasRenderingContext2D) that tracing uses; tests record it. */
export interface PathSink {
  moveTo(x: number, y: number): void;
  lineTo(x: number, y: number): void;
  closePath(): void;
  ellipse(x: number, y: number, rx: number, ry: number, rotation: number, start: number, end: number): void;
}

/** How the renderer draws a kind: a filled area, a stroked line, point markers, or nothing (tags). */
export type PaintStyle = 'area' | 'line' | 'markers' | 'none';

export interface KindUtil {
  readonly paint: PaintStyle;
  /** Fewest vertices a valid object has (vertex removal stops there; drawing needs as many). */
  readonly minVertices: number;
  /** Whether the object's vertices are its handles (polygons, polylines, points). */
  readonly vertexHandles: boolean;
  /** Image-space bounds, or null for objects without geometry (tags). */
  bounds(r: AnnotationRecord): ImageBox | null;
  /** Whether `p` hits the object, `tolerance` image pixels of slack. */
  hitTest(r: AnnotationRecord, p: ImagePoint, tolerance: number): boolean;
  handles(r: AnnotationRecord): Handle[];
  /** The points after dragging `handle` of `start` (the record as the drag began) to `p`. */
  dragHandle(start: AnnotationRecord, handle: Handle, p: ImagePoint): number[];
  /** Adds the object's outline to `sink` in image coordinates. */
  trace(sink: PathSink, r: AnnotationRecord): void;
}
