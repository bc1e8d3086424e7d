/**
 * A CVAT mask as polygons, for formats that only hold polygons (Ultralytics segmentation).
 * Traces the pixel edges between set and unset pixels, so each polygon covers exactly the
 * pixels of one 4-connected region (vertices on pixel corners, straight runs merged). Holes are
 * traced too but left out: a YOLO polygon cannot have one, so regions come back filled.
 * CVAT (through Datumaro's masks_to_polygons) traces pixel centres with OpenCV instead, so its
 * polygons run half a pixel inside ours.
 */
import { paintCvatMask } from '../mask.js';

export interface MaskPolygons {
  /** Outer contours, each as flat [x, y, ...] image coordinates, in raster order of their start. */
  polygons: number[][];
  /** Whether any hole was filled. */
  holes: boolean;
}

// Directions: 0 = +x, 1 = +y, 2 = -x, 3 = -y (y grows downwards).
const DX = [1, 0, -1, 0];
const DY = [0, 1, 0, -1];

export function maskToPolygons(points: readonly number[]): MaskPolygons {
  const n = points.length - 4;
  if (n < 0) return { polygons: [], holes: false };
  const left = Math.round(points[n]!), top = Math.round(points[n + 1]!);
  const w = Math.round(points[n + 2]!) - left + 1, h = Math.round(points[n + 3]!) - top + 1;
  if (w <= 0 || h <= 0) return { polygons: [], holes: false };
  const local = [...points.slice(0, n), 0, 0, w - 1, h - 1];
  const pixels = new Uint8Array(w * h);
  paintCvatMask(local, pixels, w, h, 1);
  const on = (x: number, y: number) => x >= 0 && y >= 0 && x < w && y < h && pixels[y * w + x] === 1;

  // Each pixel side between a set and an unset pixel is a directed edge with the set pixel on its
  // right, so outer contours run clockwise on screen and holes anticlockwise. A corner vertex has
  // at most two outgoing edges (where two set pixels touch diagonally).
  const vw = w + 1;
  const out = new Int8Array(vw * (h + 1) * 2).fill(-1);
  const addEdge = (vx: number, vy: number, dir: number) => {
    const v = (vy * vw + vx) * 2;
    out[out[v] === -1 ? v : v + 1] = dir;
  };
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (!on(x, y)) continue;
      if (!on(x, y - 1)) addEdge(x, y, 0);
      if (!on(x + 1, y)) addEdge(x + 1, y, 1);
      if (!on(x, y + 1)) addEdge(x + 1, y + 1, 2);
      if (!on(x - 1, y)) addEdge(x, y + 1, 3);
    }
  }

  const used = new Uint8Array(out.length);
  const polygons: number[][] = [];
  let holes = false;
  for (let start = 0; start < out.length; start++) {
    if (out[start] === -1 || used[start]) continue;
    used[start] = 1;
    const v0 = start >> 1;
    let vx = v0 % vw, vy = Math.floor(v0 / vw);
    let dir = out[start]!;
    const firstDir = dir;
    let prevDir = -1;
    const loop: number[] = [];
    for (;;) {
      if (dir !== prevDir) loop.push(vx + left, vy + top);
      prevDir = dir;
      vx += DX[dir]!;
      vy += DY[dir]!;
      const v = (vy * vw + vx) * 2;
      const a = out[v]!, b = out[v + 1]!;
      if (a === -1) break;
      // Where two set pixels touch only at a corner, turn right: they stay separate regions.
      const slot = b === -1 || a === (dir + 1) % 4 ? v : v + 1;
      if (slot === start || used[slot]) break;
      used[slot] = 1;
      dir = out[slot]!;
    }
    // The start vertex is no corner when the walk comes back into it going the way it left.
    if (prevDir === firstDir) loop.splice(0, 2);
    if (signedArea(loop) > 0) polygons.push(loop);
    else holes = true;
  }
  return { polygons, holes };
}

/** Twice the signed area; positive for clockwise-on-screen (y down) outlines. */
function signedArea(p: readonly number[]): number {
  let a = 0;
  for (let i = 0; i < p.length; i += 2) {
    const j = (i + 2) % p.length;
    a += p[i]! * p[j + 1]! - p[j]! * p[i + 1]!;
  }
  return a;
}
