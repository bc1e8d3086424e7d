/**
 * Label lookups shared by the CVAT, Datumaro and MOT codecs: labels and skeleton points by name,
 * attribute order and mutability as the label schema declares them.
 */
import type { AttributeMap, DatasetLabel } from '../model.js';

export class LabelSpecs {
  private readonly byName = new Map<string, DatasetLabel>();

  constructor(readonly labels: readonly DatasetLabel[]) {
    for (const l of labels) if (!this.byName.has(l.name)) this.byName.set(l.name, l);
  }

  label(name: string): DatasetLabel | undefined {
    return this.byName.get(name);
  }

  /** A skeleton's point label, or the label itself when `parent` is undefined. */
  find(name: string, parent?: string): DatasetLabel | undefined {
    if (parent === undefined) return this.label(name);
    return this.label(parent)?.sublabels?.find((s) => s.name === name);
  }

  /**
   * Attribute values in the order the label declares its attributes, then undeclared ones in
   * the order given. Writers use it so a value's position never depends on whether it came from
   * a keyframe or from the track (export, import, export stays byte-equal).
   */
  ordered(attrs: AttributeMap, label: DatasetLabel | undefined): Array<[string, string]> {
    const out: Array<[string, string]> = [];
    const declared = new Set<string>();
    for (const spec of label?.attributes ?? []) {
      declared.add(spec.name);
      const v = attrs[spec.name];
      if (v !== undefined) out.push([spec.name, v]);
    }
    for (const [k, v] of Object.entries(attrs)) if (!declared.has(k)) out.push([k, v]);
    return out;
  }

  /** Whether the attribute may change along a track; undefined when the label does not declare it. */
  mutable(attr: string, label: DatasetLabel | undefined): boolean | undefined {
    return label?.attributes.find((a) => a.name === attr)?.mutable;
  }
}

/**
 * Splits the attribute values read from a track's keyframes into the track's own (immutable)
 * attributes and each keyframe's mutable ones. Files repeat both on every shape. Declared
 * attributes follow their spec; undeclared ones (and labels from files without specs) stay on
 * the track when every keyframe has the same value, else on the keyframes, so no value is lost.
 */
export function splitTrackAttributes(
  keyframes: readonly AttributeMap[],
  mutable: (name: string) => boolean | undefined,
): { track: AttributeMap; shapes: AttributeMap[] } {
  const names: string[] = [];
  const seen = new Set<string>();
  for (const k of keyframes) {
    for (const n of Object.keys(k)) {
      if (!seen.has(n)) {
        seen.add(n);
        names.push(n);
      }
    }
  }
  const onTrack = new Set<string>();
  const track: AttributeMap = {};
  for (const n of names) {
    let m = mutable(n);
    if (m === undefined) {
      const first = keyframes.find((k) => k[n] !== undefined)?.[n];
      m = !keyframes.every((k) => k[n] === first);
    }
    if (!m) {
      onTrack.add(n);
      track[n] = keyframes.find((k) => k[n] !== undefined)![n]!;
    }
  }
  const shapes = keyframes.map((k) => {
    const own: AttributeMap = {};
    for (const [n, v] of Object.entries(k)) if (!onTrack.has(n)) own[n] = v;
    return own;
  });
  return { track, shapes };
}
