/**
 * The label schema: label types and attribute specs as CVAT defines them, and the rules a spec
 * must satisfy. Shared so the browser's schema editor refuses what the server would refuse.
 */
export const LABEL_TYPES = [
  'any', 'rectangle', 'polygon', 'polyline', 'points', 'ellipse', 'cuboid', 'mask', 'skeleton', 'tag',
] as const;
export type LabelType = (typeof LABEL_TYPES)[number];

export const ATTRIBUTE_INPUT_TYPES = ['checkbox', 'radio', 'number', 'text', 'select'] as const;
export type AttributeInputType = (typeof ATTRIBUTE_INPUT_TYPES)[number];

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
