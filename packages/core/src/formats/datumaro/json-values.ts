/** Typed reads of parsed JSON, failing with the file and the JSON path. */
import { DatasetFormatError } from '../model.js';
import { jsonErrorOffset } from './json-locate.js';

export type JsonObject = Record<string, unknown>;

export class JsonValues {
  constructor(readonly file: string) {}

  fail(path: string, message: string): never {
    throw new DatasetFormatError(this.file, message, { path });
  }

  parse(text: string): unknown {
    try {
      return JSON.parse(text);
    } catch (e) {
      const offset = jsonErrorOffset(text);
      const line = offset === undefined ? undefined : text.slice(0, offset).split('\n').length;
      // V8's message quotes the text itself; keep only the reason.
      const reason = (e as Error).message.replace(/, ".*" is not valid JSON$/s, '').replace(/ in JSON at position \d+.*$/s, '');
      throw new DatasetFormatError(this.file, `malformed JSON: ${reason}`, line === undefined ? undefined : { line });
    }
  }

  object(v: unknown, path: string): JsonObject {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(path, 'must be an object');
    return v as JsonObject;
  }

  array(v: unknown, path: string): unknown[] {
    if (!Array.isArray(v)) this.fail(path, 'must be an array');
    return v;
  }

  string(v: unknown, path: string): string {
    if (typeof v !== 'string') this.fail(path, 'must be a string');
    return v;
  }

  number(v: unknown, path: string): number {
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(path, 'must be a number');
    return v;
  }

  int(v: unknown, path: string, min?: number): number {
    const n = this.number(v, path);
    if (!Number.isInteger(n)) this.fail(path, 'must be an integer');
    if (min !== undefined && n < min) this.fail(path, `must be at least ${min}`);
    return n;
  }

  numbers(v: unknown, path: string, count?: number): number[] {
    const a = this.array(v, path);
    if (count !== undefined && a.length !== count) this.fail(path, `must hold ${count} numbers, holds ${a.length}`);
    return a.map((x, i) => this.number(x, `${path}[${i}]`));
  }

  /** An optional field: undefined when absent or null. */
  opt<T>(o: JsonObject, key: string, path: string, read: (v: unknown, path: string) => T): T | undefined {
    const v = o[key];
    return v === undefined || v === null ? undefined : read.call(this, v, `${path}.${key}`);
  }

  /** true/false, also as 0/1 or "true"/"false" (other tools write flags so). */
  flag(v: unknown, path: string): boolean {
    if (typeof v === 'boolean') return v;
    if (v === 1 || v === 0) return v === 1;
    if (typeof v === 'string' && /^(true|false)$/i.test(v)) return v.toLowerCase() === 'true';
    this.fail(path, 'must be true or false');
  }
}
