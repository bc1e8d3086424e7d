/**
 * Opening a COCO JSON file: its `annotations` array is parsed a chunk at a time as it is read
 * (formats/json-chunks.ts), the rest of the file at once. A file the chunked reader cannot take
 * (malformed, or `annotations` not one array) is parsed whole by parseJson, whose error names the
 * line; so does one whose chunk turns out malformed while it is read.
 */
import { DatasetFormatError } from '../model.js';
import { decodeUtf8, splitJsonArrayMember } from '../json-chunks.js';
import { parseJson } from './json.js';
import type { AnnotationList } from './read.js';

export interface CocoJson {
  root: unknown;
  /** null: the annotations are the root's own `annotations` member. */
  annotations: AnnotationList | null;
}

export function openCocoJson(file: string, bytes: Uint8Array): CocoJson {
  const whole = () => parseJson(file, decodeUtf8(bytes));
  let split;
  try {
    split = splitJsonArrayMember(bytes, 'annotations');
  } catch {
    return { root: whole(), annotations: null };
  }
  if (!split) return { root: whole(), annotations: null };
  const { root, elements } = split;
  return {
    root,
    annotations: {
      each(visit) {
        const chunks = elements()[Symbol.iterator]();
        for (;;) {
          let next;
          try {
            next = chunks.next();
          } catch (e) {
            whole();
            throw new DatasetFormatError(file, `malformed JSON: ${(e as Error).message}`);
          }
          if (next.done) return;
          const { first, values } = next.value;
          for (let i = 0; i < values.length; i++) visit(values[i], first + i);
        }
      },
    },
  };
}
