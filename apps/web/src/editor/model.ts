/**
 * The engine's records and labels. A record is an immutable plain object: an edit replaces it,
 * so history can keep the old one and React can compare by identity.
 */

/** The kinds the engine draws, hit-tests and edits. A closed union: see kinds/index.ts. */
export const OBJECT_KINDS = ['rectangle', 'polygon', 'polyline', 'points', 'ellipse', 'tag'] as const;
export type ObjectKind = (typeof OBJECT_KINDS)[number];
export type ShapeKind = Exclude<ObjectKind, 'tag'>;

export type Source = 'manual' | 'auto' | 'semi-auto' | 'file' | 'consensus';

export interface AnnotationRecord {
  /** Client id, stable for the session (loaded objects: 's<id>' shapes, 't<id>' tags; new: 'n<k>'). */
  readonly id: string;
  /** The server's id once the object is saved. Maintained by the store, never by history. */
  readonly serverId?: number;
  readonly kind: ObjectKind;
  readonly frame: number;
  readonly labelId: number;
  /** Flat x, y pairs in image pixels (CVAT's layout for the kind; [] for tags). */
  readonly points: readonly number[];
  /** Attribute values by attribute (spec) id. */
  readonly attributes: Readonly<Record<number, string>>;
  readonly occluded: boolean;
  /** Client-side only (not saved): hidden objects are neither drawn nor hit. */
  readonly hidden: boolean;
  /** Client-side only (not saved): locked objects cannot be moved or edited on the canvas. */
  readonly locked: boolean;
  readonly zOrder: number;
  /** Degrees clockwise around the centre (rectangles, ellipses). */
  readonly rotation: number;
  readonly group: number;
  readonly source: Source;
  readonly score: number;
  /** Creation order; among equal zOrder the later object is on top. */
  readonly seq: number;
}

/** Fields an edit may change; id, serverId and seq belong to the store. */
export type RecordFields = Omit<AnnotationRecord, 'id' | 'serverId' | 'seq'>;

export interface EditorAttribute {
  id: number;
  name: string;
  input_type: 'select' | 'radio' | 'checkbox' | 'text' | 'number';
  mutable: boolean;
  values: string[];
  default_value: string;
}

export interface EditorLabel {
  id: number;
  name: string;
  color: string;
  /** CVAT label type: 'any' | 'rectangle' | 'polygon' | 'polyline' | 'points' | 'ellipse' | 'tag' | 'mask' | ... */
  type: string;
  attributes: EditorAttribute[];
}

export function assertNever(value: never, what = 'value'): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(value)}`);
}

/** Whether objects of `kind` may carry `label` (CVAT: 'any' fits every kind, tags included; otherwise the type must match). */
export function labelFits(label: EditorLabel, kind: ObjectKind): boolean {
  return label.type === 'any' || label.type === kind;
}

/** CVAT's value for an attribute nobody set (core's effectiveDefault, kept local: types-only import of core). */
export function attributeDefault(a: EditorAttribute): string {
  if (a.default_value !== '') return a.default_value;
  switch (a.input_type) {
    case 'checkbox':
      return 'false';
    case 'number':
      return a.values[0] ?? '0';
    case 'radio':
    case 'select':
    case 'text':
      return a.values[0] ?? '';
    default:
      return assertNever(a.input_type, 'attribute input type');
  }
}

export function defaultAttributes(label: EditorLabel | undefined): Record<number, string> {
  const out: Record<number, string> = {};
  for (const a of label?.attributes ?? []) out[a.id] = attributeDefault(a);
  return out;
}

/**
 * CVAT's computeNewSource: an edited automatic annotation becomes semi-automatic; anything else
 * a person edits is manual.
 */
export function editedSource(source: Source): Source {
  return source === 'auto' || source === 'semi-auto' ? 'semi-auto' : 'manual';
}

export function sameAttributes(a: Readonly<Record<number, string>>, b: Readonly<Record<number, string>>): boolean {
  if (a === b) return true;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => a[Number(k)] === b[Number(k)]);
}

export function samePoints(a: readonly number[], b: readonly number[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Equal in everything the server stores (hidden and locked are the client's own). */
export function sameOnServer(a: AnnotationRecord, b: AnnotationRecord): boolean {
  return (
    a === b ||
    (a.kind === b.kind &&
      a.frame === b.frame &&
      a.labelId === b.labelId &&
      a.occluded === b.occluded &&
      a.zOrder === b.zOrder &&
      a.rotation === b.rotation &&
      a.group === b.group &&
      a.source === b.source &&
      a.score === b.score &&
      samePoints(a.points, b.points) &&
      sameAttributes(a.attributes, b.attributes))
  );
}
