import { ATTRIBUTE_INPUTS, LABEL_TYPES, type Attribute, type Label } from '../../api/types';

/** Distinct, readable colors for new labels (Tableau 10), cycling. */
const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

export function randomColor(index: number): string {
  return PALETTE[index % PALETTE.length]!;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Reads a label schema pasted as JSON (CVAT's label list). Problems name the label and field,
 * e.g. `labels[2].attributes[0].input_type: must be one of select, radio, ...`.
 */
export function parseLabels(text: string): { labels: Label[] } | { error: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { error: `not valid JSON: ${(e as Error).message}` };
  }
  if (!Array.isArray(raw)) return { error: 'must be a JSON array of labels' };
  const labels: Label[] = [];
  for (const [i, item] of raw.entries()) {
    const at = `labels[${i}]`;
    if (!isRecord(item)) return { error: `${at}: must be an object` };
    if (typeof item.name !== 'string' || !item.name.trim()) return { error: `${at}.name: required` };
    const type = item.type ?? 'any';
    if (!LABEL_TYPES.includes(type as Label['type'])) return { error: `${at}.type: must be one of ${LABEL_TYPES.join(', ')}` };
    const attributes: Attribute[] = [];
    const rawAttributes = item.attributes ?? [];
    if (!Array.isArray(rawAttributes)) return { error: `${at}.attributes: must be an array` };
    for (const [j, a] of rawAttributes.entries()) {
      const aat = `${at}.attributes[${j}]`;
      if (!isRecord(a)) return { error: `${aat}: must be an object` };
      if (typeof a.name !== 'string' || !a.name.trim()) return { error: `${aat}.name: required` };
      if (!ATTRIBUTE_INPUTS.includes(a.input_type as Attribute['input_type'])) {
        return { error: `${aat}.input_type: must be one of ${ATTRIBUTE_INPUTS.join(', ')}` };
      }
      const values = a.values ?? [];
      if (!Array.isArray(values) || values.some((v) => typeof v !== 'string')) return { error: `${aat}.values: must be an array of strings` };
      attributes.push({
        ...(typeof a.id === 'number' ? { id: a.id } : {}),
        name: a.name,
        input_type: a.input_type as Attribute['input_type'],
        mutable: a.mutable === true,
        values: values as string[],
        default_value: typeof a.default_value === 'string' ? a.default_value : ((values[0] as string | undefined) ?? ''),
      });
    }
    labels.push({
      ...(typeof item.id === 'number' ? { id: item.id } : {}),
      name: item.name,
      color: typeof item.color === 'string' && /^#[0-9a-f]{6}$/i.test(item.color) ? item.color : randomColor(i),
      type: type as Label['type'],
      attributes,
    });
  }
  return { labels };
}

/** What the API takes: blank rows dropped, attribute values trimmed of empties. */
export function labelsForApi(labels: Label[]): Label[] {
  return labels
    .filter((l) => l.name.trim())
    .map((l) => ({
      ...l,
      name: l.name.trim(),
      attributes: l.attributes
        .filter((a) => a.name.trim())
        .map((a) => {
          const values = a.input_type === 'text' ? [a.default_value ?? ''] : a.values.filter((v) => v !== '');
          return { ...a, name: a.name.trim(), values, default_value: a.default_value && values.includes(a.default_value) ? a.default_value : (values[0] ?? '') };
        }),
    }));
}
