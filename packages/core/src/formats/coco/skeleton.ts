/**
 * Skeleton labels and COCO keypoint categories. A skeleton's SVG names its points on
 * `<circle data-label-name=... data-node-id=...>` and its edges on
 * `<line data-node-from=... data-node-to=...>`; COCO lists the point names in order and the
 * edges as 1-based pairs of positions in that list. CVAT takes the names in the SVG's order.
 */
import type { DatasetLabel } from '../model.js';

export interface KeypointLayout {
  names: string[];
  /** 1-based positions in `names`. */
  edges: Array<[number, number]>;
}

const TAG = /<(circle|line)\b([^>]*)>/gi;
const ATTR = /([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

function unescapeAttr(s: string): string {
  return s.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}

function escapeAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function attrsOf(body: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of body.matchAll(ATTR)) out.set(m[1]!.toLowerCase(), unescapeAttr(m[2] ?? m[3] ?? ''));
  return out;
}

/** Point names and edges of a skeleton label, as CVAT's COCO Keypoints export lists them. */
export function keypointLayout(label: DatasetLabel): KeypointLayout {
  const names: string[] = [];
  const nodePosition = new Map<string, number>();
  const lines: Array<[string, string]> = [];
  for (const m of (label.svg ?? '').matchAll(TAG)) {
    const attrs = attrsOf(m[2]!);
    if (m[1]!.toLowerCase() === 'circle') {
      const name = attrs.get('data-label-name');
      if (name === undefined || names.includes(name)) continue;
      names.push(name);
      const node = attrs.get('data-node-id');
      if (node !== undefined) nodePosition.set(node, names.length);
    } else {
      const from = attrs.get('data-node-from'), to = attrs.get('data-node-to');
      if (from !== undefined && to !== undefined) lines.push([from, to]);
    }
  }
  // Points the drawing does not show still belong to the skeleton: list them after.
  for (const s of label.sublabels ?? []) if (!names.includes(s.name)) names.push(s.name);
  const position = (node: string): number | undefined => {
    const p = nodePosition.get(node) ?? (nodePosition.size === 0 ? Number(node) : undefined);
    return p !== undefined && Number.isInteger(p) && p >= 1 && p <= names.length ? p : undefined;
  };
  const edges: Array<[number, number]> = [];
  for (const [from, to] of lines) {
    const a = position(from), b = position(to);
    if (a !== undefined && b !== undefined) edges.push([a, b]);
  }
  return { names, edges };
}

/**
 * An SVG for a skeleton read from COCO: its points at `positions` (0..100 canvas units, as
 * CVAT's skeleton editor uses) or on a circle, its edges as lines between them.
 */
export function skeletonSvg(names: readonly string[], edges: ReadonlyArray<readonly [number, number]>, positions?: ReadonlyArray<readonly [number, number] | undefined>): string {
  const at = (i: number): readonly [number, number] => {
    const p = positions?.[i];
    if (p) return p;
    const a = (2 * Math.PI * i) / Math.max(names.length, 1) - Math.PI / 2;
    return [50 + 40 * Math.cos(a), 50 + 40 * Math.sin(a)];
  };
  const fmt = (v: number) => String(Math.round(v * 100) / 100);
  const parts: string[] = [];
  for (const [from, to] of edges) {
    const [x1, y1] = at(from - 1), [x2, y2] = at(to - 1);
    parts.push(`<line x1="${fmt(x1)}" y1="${fmt(y1)}" x2="${fmt(x2)}" y2="${fmt(y2)}" stroke="black" data-type="edge" data-node-from="${from}" stroke-width="0.5" data-node-to="${to}"></line>`);
  }
  names.forEach((name, i) => {
    const [cx, cy] = at(i);
    parts.push(`<circle r="1.5" stroke="black" fill="#b3b3b3" cx="${fmt(cx)}" cy="${fmt(cy)}" stroke-width="0.1" data-type="element node" data-element-id="${i + 1}" data-node-id="${i + 1}" data-label-name="${escapeAttr(name)}"></circle>`);
  });
  return parts.join('');
}

/** Keypoints of one annotation laid out in the 0..100 box (absent ones left to the circle layout). */
export function layoutFromKeypoints(points: ReadonlyArray<{ x: number; y: number; visible: boolean }>): Array<[number, number] | undefined> {
  const shown = points.filter((p) => p.visible);
  if (shown.length < 2) return [];
  const xs = shown.map((p) => p.x), ys = shown.map((p) => p.y);
  const x0 = Math.min(...xs), y0 = Math.min(...ys);
  const span = Math.max(Math.max(...xs) - x0, Math.max(...ys) - y0) || 1;
  return points.map((p) => (p.visible ? [10 + (80 * (p.x - x0)) / span, 10 + (80 * (p.y - y0)) / span] : undefined));
}
