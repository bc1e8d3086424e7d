/**
 * The label schema: label types and attribute specs as CVAT defines them, and the rules a spec
 * must satisfy. Shared so the browser's schema editor refuses what the server would refuse.
 */
// 'interval' is in CVAT's LabelType (video time ranges); clients may send it, so it is a known type.
export const LABEL_TYPES = [
  'any', 'rectangle', 'polygon', 'polyline', 'points', 'ellipse', 'cuboid', 'mask', 'skeleton', 'tag', 'interval',
] as const;
export type LabelType = (typeof LABEL_TYPES)[number];

export const ATTRIBUTE_INPUT_TYPES = ['checkbox', 'radio', 'number', 'text', 'select'] as const;
export type AttributeInputType = (typeof ATTRIBUTE_INPUT_TYPES)[number];

export function isLabelType(s: string): s is LabelType {
  return (LABEL_TYPES as readonly string[]).includes(s);
}

export function isAttributeInputType(s: string): s is AttributeInputType {
  return (ATTRIBUTE_INPUT_TYPES as readonly string[]).includes(s);
}

export interface AttributeSpec {
  name: string;
  mutable: boolean;
  input_type: AttributeInputType;
  default_value: string;
  values: string[];
}

/** Problems with one attribute spec, each as [field, message]; empty when it is valid. */
export function attributeProblems(a: AttributeSpec): Array<[string, string]> {
  const p: Array<[string, string]> = [];
  switch (a.input_type) {
    case 'checkbox':
      if (a.values.length > 0 && !a.values.every((v) => v === 'true' || v === 'false')) {
        p.push(['values', 'checkbox values must be "true" or "false"']);
      }
      if (a.default_value !== '' && a.default_value !== 'true' && a.default_value !== 'false') {
        p.push(['default_value', 'checkbox default must be "true" or "false"']);
      }
      break;
    case 'radio':
    case 'select':
      if (a.values.length === 0) p.push(['values', `${a.input_type} needs at least one value`]);
      if (new Set(a.values).size !== a.values.length) p.push(['values', 'values must be unique']);
      if (a.default_value !== '' && !a.values.includes(a.default_value)) {
        p.push(['default_value', `"${a.default_value}" is not one of the values`]);
      }
      break;
    case 'number': {
      // CVAT: values = [min, max, step].
      if (a.values.length !== 3) {
        p.push(['values', 'number needs [min, max, step]']);
        break;
      }
      const [min, max, step] = a.values.map(Number) as [number, number, number];
      if (![min, max, step].every(Number.isFinite)) p.push(['values', 'min, max and step must be numbers']);
      else if (min > max) p.push(['values', 'min must not exceed max']);
      else if (step <= 0) p.push(['values', 'step must be positive']);
      else if (a.default_value !== '') {
        const d = Number(a.default_value);
        if (!Number.isFinite(d) || d < min || d > max) p.push(['default_value', `must be a number in [${min}, ${max}]`]);
      }
      break;
    }
    case 'text':
      break;
    default: {
      const never: never = a.input_type;
      p.push(['input_type', `unknown input type ${String(never)}`]);
    }
  }
  return p;
}

/** The default value CVAT assigns when a spec gives none. */
export function effectiveDefault(a: AttributeSpec): string {
  if (a.default_value !== '') return a.default_value;
  switch (a.input_type) {
    case 'checkbox':
      return 'false';
    case 'radio':
    case 'select':
      return a.values[0] ?? '';
    case 'number':
      return a.values[0] ?? '0';
    case 'text':
      return a.values[0] ?? '';
    default:
      return '';
  }
}

const PALETTE = [
  '#33ddff', '#fa3253', '#34d1b7', '#ff007c', '#ff6037', '#ddff33', '#24b353', '#b83df5', '#66ff66', '#32b7fa',
  '#ffcc33', '#83e070', '#fafa37', '#5986b3', '#8c78f0', '#ff6a4d', '#f078f0', '#2a7dd1', '#b25050', '#cc3366',
];

/** A color for a new label: the first of the palette not already used. */
export function nextLabelColor(used: readonly string[]): string {
  const taken = new Set(used.map((c) => c.toLowerCase()));
  return PALETTE.find((c) => !taken.has(c)) ?? PALETTE[used.length % PALETTE.length]!;
}

export const COLOR_RE = /^#[0-9a-fA-F]{6}$/;

/** A problem with a label spec, `path` naming the field the way a client wrote it (`labels[2].attributes[0].values`). */
export interface LabelProblem {
  path: string;
  message: string;
}

/** An attribute as a client may send it: the input type is not yet known to be valid. */
export interface AttributeDraft {
  name: string;
  mutable: boolean;
  input_type: string;
  default_value: string;
  values: string[];
}

/** A label as it will be stored, before it is: `color` '' means "assign one"; sublabels only on skeletons. */
export interface LabelDraft {
  name: string;
  color: string;
  type: string;
  attributes: AttributeDraft[];
  sublabels: LabelDraft[];
}

/** `base.key`, or just `key` at the root (the single-label endpoints name fields without a prefix). */
export function fieldPath(base: string, key: string): string {
  return base ? `${base}.${key}` : key;
}

/** Indexes of entries that repeat an earlier one; the first occurrence is not reported. */
export function duplicateIndexes(names: readonly string[]): number[] {
  const seen = new Set<string>();
  const out: number[] = [];
  names.forEach((n, i) => {
    if (seen.has(n)) out.push(i);
    else seen.add(n);
  });
  return out;
}

export function attributeDraftProblems(a: AttributeDraft, path: string): LabelProblem[] {
  if (!a.name) return [{ path: fieldPath(path, 'name'), message: 'must not be empty' }];
  if (!isAttributeInputType(a.input_type)) {
    return [{ path: fieldPath(path, 'input_type'), message: `unknown input type "${a.input_type}"; use one of ${ATTRIBUTE_INPUT_TYPES.join(', ')}` }];
  }
  return attributeProblems({ ...a, input_type: a.input_type }).map(([field, message]) => ({ path: fieldPath(path, field), message }));
}

/**
 * What is wrong with the label itself (name, color, type, whether it may have points), without
 * looking into its attributes or points. `isSublabel` forbids nesting: a skeleton's points are
 * not skeletons themselves. Callers that merge a patch into stored labels use this and
 * attributeDraftProblems directly, to name the fields the client actually sent.
 */
export function labelOwnProblems(label: LabelDraft, path: string, isSublabel = false): LabelProblem[] {
  const p: LabelProblem[] = [];
  const at = (key: string) => fieldPath(path, key);
  if (!label.name) p.push({ path: at('name'), message: 'must not be empty' });
  if (label.color !== '' && !COLOR_RE.test(label.color)) p.push({ path: at('color'), message: `"${label.color}" is not a #rrggbb color` });
  if (!isLabelType(label.type)) {
    p.push({ path: at('type'), message: `unknown label type "${label.type}"; use one of ${LABEL_TYPES.join(', ')}` });
  } else if (isSublabel && label.type === 'skeleton') {
    p.push({ path: at('type'), message: 'a skeleton point cannot itself be a skeleton' });
  }
  if (label.type === 'skeleton') {
    if (label.sublabels.length === 0 && !isSublabel) p.push({ path: at('sublabels'), message: 'a skeleton needs at least one sublabel' });
  } else if (label.sublabels.length > 0) {
    p.push({ path: at('sublabels'), message: 'only skeleton labels have sublabels' });
  }
  return p;
}

/** Everything wrong with one label, its attributes and its points, without looking at its siblings. */
export function labelProblems(label: LabelDraft, path: string, isSublabel = false): LabelProblem[] {
  const p = labelOwnProblems(label, path, isSublabel);
  const at = (key: string) => fieldPath(path, key);
  for (const i of duplicateIndexes(label.attributes.map((a) => a.name))) {
    p.push({ path: at(`attributes[${i}].name`), message: `duplicate attribute name "${label.attributes[i]!.name}"` });
  }
  label.attributes.forEach((a, i) => p.push(...attributeDraftProblems(a, at(`attributes[${i}]`))));
  for (const i of duplicateIndexes(label.sublabels.map((s) => s.name))) {
    p.push({ path: at(`sublabels[${i}].name`), message: `duplicate sublabel name "${label.sublabels[i]!.name}"` });
  }
  label.sublabels.forEach((s, i) => p.push(...labelProblems(s, at(`sublabels[${i}]`), true)));
  return p;
}

/** Problems of a whole label set: each label's own, and names unique among them. */
export function labelSetProblems(labels: readonly LabelDraft[], path: string): LabelProblem[] {
  const p: LabelProblem[] = [];
  for (const i of duplicateIndexes(labels.map((l) => l.name))) {
    p.push({ path: `${path}[${i}].name`, message: `duplicate label name "${labels[i]!.name}"` });
  }
  labels.forEach((l, i) => p.push(...labelProblems(l, `${path}[${i}]`)));
  return p;
}

/** A skeleton point as the SVG refers to it: by name when new, by the id it had elsewhere when copied. */
export interface SkeletonNode {
  name: string;
  id: number;
  /** The id the client's SVG may use for this node (its id in the project it was copied from). */
  previousId?: number;
}

const SVG_LABEL_REF = /data-label-(name|id)="([^"]*)"/g;

function escapeAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * CVAT's skeleton SVG refers to its points by `data-label-id`. Clients creating a skeleton do not
 * know the ids yet and write `data-label-name="<sublabel name>"`; the server rewrites those to the
 * new ids, as CVAT's LabelSerializer does. A client copying a skeleton from another project sends
 * the old ids instead (CVAT leaves those dangling); they are rewritten too when the sublabel spec
 * carried that id. One pass, so an old id equal to some new id cannot be rewritten twice.
 */
export function bindSkeletonSvg(svg: string, nodes: readonly SkeletonNode[]): string {
  const byName = new Map<string, number>();
  const byOldId = new Map<string, number>();
  for (const n of nodes) {
    byName.set(n.name, n.id);
    byName.set(escapeAttr(n.name), n.id);
    if (n.previousId !== undefined) byOldId.set(String(n.previousId), n.id);
  }
  return svg.replace(SVG_LABEL_REF, (whole, kind: string, value: string) => {
    const id = kind === 'name' ? byName.get(value) : byOldId.get(value);
    return id === undefined ? whole : `data-label-id="${id}"`;
  });
}

/** The reverse, for exports and backups read by another server: ids back to names. */
export function unbindSkeletonSvg(svg: string, nodes: ReadonlyArray<{ name: string; id: number }>): string {
  const byId = new Map(nodes.map((n) => [String(n.id), n.name]));
  return svg.replace(SVG_LABEL_REF, (whole, kind: string, value: string) => {
    const name = kind === 'id' ? byId.get(value) : undefined;
    return name === undefined ? whole : `data-label-name="${escapeAttr(name)}"`;
  });
}
