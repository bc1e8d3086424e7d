import { describe, expect, it } from 'vitest';
import { JsonScanError, splitJsonArrayMember } from '../../src/formats/json-chunks.js';

const utf8 = (text: string) => new TextEncoder().encode(text);

/** Every element, in order, with the index the reader gave it. */
function read(text: string, chunkBytes: number) {
  const split = splitJsonArrayMember(utf8(text), 'annotations', chunkBytes);
  if (!split) return null;
  const values: unknown[] = [];
  for (const { first, values: chunk } of split.elements()) {
    expect(first).toBe(values.length);
    values.push(...chunk);
  }
  return { root: split.root, values };
}

describe('splitJsonArrayMember', () => {
  const tricky = [
    { id: 1, name: 'quote " and backslash \\', bbox: [1, 2.5, -3e2, 4] },
    { id: 2, name: 'brackets ] } [ { and , commas', nested: { a: [[1], [2, [3]]], b: {} } },
    'a string element',
    -12.5e-3,
    null,
    true,
    [],
    { name: 'ünïcødé ✓ 𝄞', escaped: '\u0001\n\t' },
  ];

  it('reads the elements JSON.parse reads, in chunks as small as one element', () => {
    const doc = { info: { year: 2024 }, annotations: tricky, images: [{ id: 1, file_name: 'a.jpg' }] };
    for (const text of [JSON.stringify(doc), JSON.stringify(doc, null, 2), `\ufeff ${JSON.stringify(doc)}\n`]) {
      for (const chunkBytes of [1, 16, 1 << 20]) {
        const got = read(text, chunkBytes)!;
        expect(got.values).toEqual(tricky);
        expect(got.root).toEqual({ ...doc, annotations: [] });
      }
    }
  });

  it('splits a large array into several chunks and keeps every element', () => {
    const many = Array.from({ length: 5000 }, (_, i) => ({ id: i, bbox: [i, i, 1, 1], s: `"${i}"` }));
    const split = splitJsonArrayMember(utf8(JSON.stringify({ annotations: many })), 'annotations', 4096)!;
    const chunks = [...split.elements()];
    expect(chunks.length).toBeGreaterThan(10);
    expect(chunks.flatMap((c) => c.values)).toEqual(many);
  });

  it('reads an empty array, and returns null when the member is absent', () => {
    expect(read('{"annotations": [ ], "images": []}', 8)).toEqual({ root: { annotations: [], images: [] }, values: [] });
    expect(read('{"images": [], "x": "annotations"}', 8)).toBeNull();
  });

  it('refuses what JSON.parse refuses', () => {
    const bad = [
      '{"annotations": [1,,2]}',
      '{"annotations": [1, 2,]}',
      '{"annotations": [1 2]}',
      '{"annotations": [{"a": 1,}]}',
      '{"annotations": [1, 2], "images": [}',
      '{"annotations": [1, 2]',
      '{"annotations": [1, 2]} trailing',
      '{"annotations": ["unterminated]}',
      '[1, 2]',
    ];
    for (const text of bad) {
      for (const chunkBytes of [1, 1 << 20]) {
        expect(() => read(text, chunkBytes), `${text} in chunks of ${chunkBytes}`).toThrow();
      }
    }
  });

  it('leaves a member that is not one array to a whole-file parse', () => {
    expect(() => read('{"annotations": {"a": 1}}', 8)).toThrow(JsonScanError);
    expect(() => read('{"annotations": [1], "annotations": [2]}', 8)).toThrow(JsonScanError);
  });
});
