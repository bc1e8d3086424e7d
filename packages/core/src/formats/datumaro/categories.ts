/**
 * Labels as Datumaro categories, the way CVAT's GetCVATDataExtractor builds them: one label list
 * with each skeleton's points after it (parent = the skeleton's name), points categories naming a
 * skeleton's points and joints (from its SVG), and, beyond CVAT, a mask colormap with the label
 * colors. Datumaro has no place for label types or attribute specs, so the full schema also goes
 * to `infos.framewise.labels`; files carrying it are read back exactly.
 */
import type { DatasetLabel } from '../model.js';

export interface FlatLabel {
  label: DatasetLabel;
  parent?: string;
}

const key = (name: string, parent?: string) => `${parent ?? ''}\u0000${name}`;

export class CategoryIndex {
  readonly flat: FlatLabel[] = [];
  private readonly ids = new Map<string, number>();

  constructor(labels: readonly DatasetLabel[]) {
    for (const label of labels) {
      this.add({ label });
      for (const s of label.sublabels ?? []) this.add({ label: s, parent: label.name });
    }
  }

  private add(f: FlatLabel): void {
    const k = key(f.label.name, f.parent);
    if (this.ids.has(k)) return;
    this.ids.set(k, this.flat.length);
    this.flat.push(f);
  }

  id(name: string, parent?: string): number | undefined {
    return this.ids.get(key(name, parent));
  }

  json(): Record<string, unknown> {
    const sorted = (a: readonly string[]) => [...a].sort();
    const out: Record<string, unknown> = {
      label: {
        labels: this.flat.map((f) => ({ name: f.label.name, parent: f.parent ?? '', attributes: sorted(f.label.attributes.map((a) => a.name)) })),
        label_groups: [],
        attributes: ['occluded'],
      },
    };
    const colormap = this.flat.flatMap((f, i) => {
      const m = f.label.color && /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(f.label.color);
      return m ? [{ label_id: i, r: parseInt(m[1]!, 16), g: parseInt(m[2]!, 16), b: parseInt(m[3]!, 16) }] : [];
    });
    if (colormap.length > 0) out.mask = { colormap };
    out.points = {
      items: this.flat.flatMap((f, i) =>
        f.label.type === 'skeleton'
          ? [{ label_id: i, labels: (f.label.sublabels ?? []).map((s) => s.name), joints: svgJoints(f.label.svg ?? '') }]
          : [],
      ),
    };
    return out;
  }
}

/** The SVG's edges as [from, to] node numbers (data-node-from / data-node-to), as CVAT reads them. */
export function svgJoints(svg: string): number[][] {
  const out: number[][] = [];
  for (const m of svg.matchAll(/<line\b[^>]*>/g)) {
    const from = /data-node-from="(\d+)"/.exec(m[0]);
    const to = /data-node-to="(\d+)"/.exec(m[0]);
    if (from && to) out.push([Number(from[1]), Number(to[1])]);
  }
  return out;
}

/**
 * A skeleton drawing for points known only by name (datasets from other tools): the points on a
 * circle, joints as lines, in CVAT's SVG vocabulary with `data-label-name` on each node.
 */
export function skeletonSvg(points: readonly string[], joints: readonly number[][]): string {
  const at = (i: number) => {
    const a = (2 * Math.PI * i) / Math.max(1, points.length);
    return [Number((50 + 40 * Math.cos(a)).toFixed(2)), Number((50 + 40 * Math.sin(a)).toFixed(2))] as const;
  };
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  let svg = '';
  for (const [from, to] of joints) {
    if (from === undefined || to === undefined || !points[from - 1] || !points[to - 1]) continue;
    const [x1, y1] = at(from - 1), [x2, y2] = at(to - 1);
    svg += `<line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" stroke="black" data-type="edge" data-node-from="${from}" stroke-width="0.5" data-node-to="${to}"></line>`;
  }
  points.forEach((name, i) => {
    const [cx, cy] = at(i);
    svg += `<circle r="1.5" stroke="black" fill="#b3b3b3" cx="${cx}" cy="${cy}" stroke-width="0.1" data-type="element node" data-element-id="${i + 1}" data-node-id="${i + 1}" data-label-name="${esc(name)}"></circle>`;
  });
  return svg;
}
