/**
 * Reading a large JSON document whose bulk is one array member of its root object (COCO's
 * `annotations`, a million records in a 170 MB file): the rest of the root is parsed as usual,
 * and the array is parsed a few megabytes of whole elements at a time, so the parsed records of
 * the whole file never exist at once and the file is never held as one string.
 *
 * Why not a streaming JSON library: those tokenize in JavaScript, a character at a time, and read
 * such a file an order of magnitude slower than JSON.parse. Here a byte scanner only finds where
 * elements end (strings and nesting, nothing else) and JSON.parse does the parsing and all of the
 * validation: a document it would refuse is refused, by the caller's whole-file fallback, which
 * gives the error its line.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;

/** Thrown when the document's shape cannot be scanned; the caller parses it whole for the error. */
export class JsonScanError extends Error {}

/** TextDecoder is global in every runtime core runs in (browsers, Node), though in no ES lib. */
type Decoder = { decode(bytes: Uint8Array): string };
const TextDecoderClass = (globalThis as unknown as { TextDecoder: new (label: string, options?: { fatal?: boolean }) => Decoder }).TextDecoder;
const decoder = new TextDecoderClass('utf-8', { fatal: true });

/** UTF-8 bytes as text, invalid sequences replaced (as Node's readFile(path, 'utf8') reads them). */
export function decodeUtf8(bytes: Uint8Array): string {
  return new TextDecoderClass('utf-8').decode(bytes);
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** Index just past the string whose opening quote is at `i`. */
function skipString(bytes: Uint8Array, i: number): number {
  let j = i;
  for (;;) {
    // indexOf is native (memchr): strings are most of a COCO file's bytes.
    j = bytes.indexOf(QUOTE, j + 1);
    if (j < 0) throw new JsonScanError('unterminated string');
    let slashes = 0;
    while (bytes[j - 1 - slashes] === BACKSLASH) slashes++;
    if (slashes % 2 === 0) return j + 1;
  }
}

/** Index just past the value starting at `i` (a scalar ends at the next separator). */
function skipValue(bytes: Uint8Array, i: number): number {
  let depth = 0;
  for (let j = i; j < bytes.length; j++) {
    const c = bytes[j]!;
    if (c === QUOTE) {
      j = skipString(bytes, j) - 1;
      if (depth === 0) return j + 1;
    } else if (c === 0x5b || c === 0x7b) depth++;
    else if (c === 0x5d || c === 0x7d) {
      if (depth === 0) return j;
      if (--depth === 0) return j + 1;
    } else if (depth === 0 && (c === COMMA || isSpace(c))) return j;
  }
  if (depth > 0) throw new JsonScanError('unterminated array or object');
  return bytes.length;
}

function skipSpace(bytes: Uint8Array, i: number): number {
  while (i < bytes.length && isSpace(bytes[i]!)) i++;
  return i;
}

export interface SplitDocument {
  /** The root object, with the member's array left empty. */
  root: unknown;
  /** Parsed elements of the member's array, a chunk at a time; may be iterated again (re-parsed). */
  elements(): Iterable<{ first: number; values: unknown[] }>;
}

/**
 * Splits `bytes` (a UTF-8 JSON document with an object at its root) at the root member `key`
 * when that member is an array. Returns null when the root has no such member. Throws
 * JsonScanError or SyntaxError for a malformed document.
 */
export function splitJsonArrayMember(bytes: Uint8Array, key: string, chunkBytes = 4 << 20): SplitDocument | null {
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const bodyStart = i;
  i = skipSpace(bytes, i);
  if (bytes[i] !== 0x7b) throw new JsonScanError('the root is not an object');
  // Keys are compared as bytes; an ASCII key is its own UTF-8.
  const wanted = Uint8Array.from(JSON.stringify(key), (ch) => ch.charCodeAt(0));
  let span: [number, number] | null = null;
  i = skipSpace(bytes, i + 1);
  while (i < bytes.length && bytes[i] !== 0x7d) {
    if (bytes[i] !== QUOTE) throw new JsonScanError('expected a property name');
    const nameEnd = skipString(bytes, i);
    const name = bytes.subarray(i, nameEnd);
    i = skipSpace(bytes, nameEnd);
    if (bytes[i] !== COLON) throw new JsonScanError("expected ':'");
    const valueStart = skipSpace(bytes, i + 1);
    const valueEnd = skipValue(bytes, valueStart);
    if (equalBytes(name, wanted)) {
      // JSON.parse would keep the last of two; rather than guess, let the caller parse it whole.
      if (span !== null || bytes[valueStart] !== 0x5b) throw new JsonScanError(`"${key}" is not one array`);
      span = [valueStart + 1, valueEnd - 1];
    }
    i = skipSpace(bytes, valueEnd);
    if (bytes[i] === COMMA) i = skipSpace(bytes, i + 1);
  }
  if (!span) return null;
  const [from, to] = span;
  const root = JSON.parse(`${decoder.decode(bytes.subarray(bodyStart, from))}${decoder.decode(bytes.subarray(to))}`);
  return {
    root,
    *elements() {
      let first = 0;
      for (const [s, e] of arrayChunks(bytes, from, to, chunkBytes)) {
        const values = JSON.parse(`[${decoder.decode(bytes.subarray(s, e))}]`) as unknown[];
        // "[1,,2]" split at the second comma would read as two whole chunks.
        if (values.length === 0 && (s !== from || e !== to)) throw new JsonScanError('empty array element');
        yield { first, values };
        first += values.length;
      }
    },
  };
}

/** Byte ranges of whole elements of the array whose contents span [from, to), split at its commas. */
function* arrayChunks(bytes: Uint8Array, from: number, to: number, chunkBytes: number): Generator<[number, number]> {
  let start = from;
  let i = from;
  while (i < to) {
    i = skipSpace(bytes, i);
    if (i >= to) break;
    i = skipValue(bytes, i);
    i = skipSpace(bytes, i);
    if (i < to && bytes[i] === COMMA) {
      if (i - start >= chunkBytes) {
        yield [start, i];
        start = i + 1;
      }
      i++;
    } else if (i < to) {
      // Not a separator: leave it in the chunk, where JSON.parse reports it.
      i++;
    }
  }
  yield [start, to];
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
