/**
 * JSON for COCO files: parsing with errors that name the line (JSON.parse only gives an offset,
 * and not in every message), typed field access that names the JSON path of a bad value, and
 * number formatting as CVAT's writer (Datumaro through orjson) prints floats.
 */
import { DatasetFormatError } from '../model.js';

export type JsonObject = { [key: string]: unknown };

/** Parses a whole file. The file is held in memory once as text and once as objects. */
export function parseJson(file: string, text: string): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return JSON.parse(body);
  } catch (e) {
    const found = findSyntaxError(body);
    const line = found ? lineAt(body, found.offset) : undefined;
    const message = found?.message ?? (e as Error).message;
    throw new DatasetFormatError(file, `malformed JSON: ${message}`, line === undefined ? undefined : { line });
  }
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);

/**
 * Scans `text` as JSON and returns where it first goes wrong. Only run after JSON.parse failed,
 * so it favours clear messages over speed. Iterative, so deep nesting cannot overflow the stack.
 */
export function findSyntaxError(text: string): { offset: number; message: string } | null {
  let i = 0;
  const n = text.length;
  const stack: Array<'[' | '{'> = [];
  const skipWs = () => {
    while (i < n && WS.has(text.charCodeAt(i))) i++;
  };
  const describe = () => (i >= n ? 'unexpected end of file' : `unexpected character ${JSON.stringify(text[i])}`);
  const fail = (message: string) => ({ offset: Math.min(i, n), message });

  // Returns an error message, or null when a string was consumed.
  const readString = (): string | null => {
    i++;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return null;
      }
      if (c < 0x20) return 'control character in string';
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return 'bad \\u escape in string';
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else return 'bad escape in string';
      } else i++;
    }
    return 'unterminated string';
  };
  const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

  // Returns an error message, or null when a scalar was consumed.
  const readScalar = (): string | null => {
    if (text[i] === '"') return readString();
    for (const word of ['true', 'false', 'null']) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return null;
      }
    }
    if (/^-?(NaN|Infinity)/.test(text.slice(i, i + 9))) return 'NaN and Infinity are not JSON numbers';
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (m) {
      i += m[0].length;
      return null;
    }
    return `${describe()} where a value was expected`;
  };

  let state: 'value' | 'key' | 'after' = 'value';
  for (;;) {
    skipWs();
    if (state === 'value') {
      const c = text[i];
      if (c === '{' || c === '[') {
        i++;
        skipWs();
        const close = c === '{' ? '}' : ']';
        if (text[i] === close) {
          i++;
          state = 'after';
        } else {
          stack.push(c);
          state = c === '{' ? 'key' : 'value';
        }
        continue;
      }
      const err = readScalar();
      if (err) return fail(err);
      state = 'after';
    } else if (state === 'key') {
      if (text[i] !== '"') return fail(`${describe()} where a property name was expected`);
      const err = readString();
      if (err) return fail(err);
      skipWs();
      if (text[i] !== ':') return fail(`${describe()} where ':' was expected`);
      i++;
      state = 'value';
    } else {
      const top = stack[stack.length - 1];
      if (!top) break;
      const close = top === '{' ? '}' : ']';
      if (text[i] === ',') {
        i++;
        state = top === '{' ? 'key' : 'value';
      } else if (text[i] === close) {
        stack.pop();
        i++;
      } else return fail(`${describe()} where ',' or '${close}' was expected`);
    }
  }
  return i < n ? fail(`${describe()} after the end of the document`) : null;
}

/** Typed reads of parsed JSON; each failure names the file and the JSON path. */
export class JsonReader {
  constructor(readonly file: string) {}

  fail(path: string, message: string): never {
    throw new DatasetFormatError(this.file, message, { path: path || '(root)' });
  }

  object(value: unknown, path: string): JsonObject {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.fail(path, `expected an object, got ${kind(value)}`);
    return value as JsonObject;
  }

  array(value: unknown, path: string): unknown[] {
    if (!Array.isArray(value)) this.fail(path, `expected an array, got ${kind(value)}`);
    return value;
  }

  number(value: unknown, path: string): number {
    if (typeof value !== 'number') this.fail(path, `expected a number, got ${kind(value)}`);
    // JSON.parse turns out-of-range literals such as 1e999 into Infinity.
    if (!Number.isFinite(value)) this.fail(path, 'number out of range');
    return value;
  }

  integer(value: unknown, path: string): number {
    const v = this.number(value, path);
    if (!Number.isSafeInteger(v)) this.fail(path, `expected an integer, got ${v}`);
    return v;
  }

  string(value: unknown, path: string): string {
    if (typeof value !== 'string') this.fail(path, `expected a string, got ${kind(value)}`);
    return value;
  }

  /** A required field of an object. */
  field(obj: JsonObject, key: string, path: string): unknown {
    if (!(key in obj)) this.fail(path, `missing field "${key}"`);
    return obj[key];
  }
}

function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`;
  return `${typeof value} ${String(value)}`;
}

export function child(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}

/**
 * A float as Python prints it (CVAT writes through Python): integral values keep ".0", so
 * `3` is written `3.0` as CVAT writes areas and coordinates.
 */
export function pyFloat(x: number): string {
  if (Object.is(x, -0)) return '-0.0';
  if (Number.isInteger(x) && Math.abs(x) < 1e16) return `${x}.0`;
  return String(x);
}

/** numpy.around(x, 2): scale, round half to even, unscale. Datumaro rounds every coordinate so. */
export function round2(x: number): number {
  const y = x * 100;
  const r = Math.abs(y % 1) === 0.5 ? 2 * Math.round(y / 2) : Math.round(y);
  return r / 100;
}

/** Python's round(x) to an integer: half to even. */
export function roundHalfEven(x: number): number {
  return Math.abs(x % 1) === 0.5 ? 2 * Math.round(x / 2) : Math.round(x);
}
