/**
 * data.yaml written byte for byte as Datumaro writes it: PyYAML's `yaml.dump(data)` with its
 * defaults (keys sorted, block style, ASCII only, YAML 1.1 quoting). Covers what data.yaml holds:
 * a top-level mapping of strings, an int-keyed mapping of names and a list of ints.
 *
 * Not reproduced: PyYAML folds plain and quoted scalars longer than 80 columns onto continuation
 * lines, and writes strings containing line breaks single-quoted with folded lines; we keep such
 * strings on one line (double-quoted when they contain a line break). Both still parse the same.
 */

export type PyYamlValue = string | number | readonly number[] | ReadonlyMap<number, string>;

/** `yaml.dump(data)` for a flat mapping whose values are scalars, int-keyed maps or int lists. */
export function dumpPyYaml(data: Record<string, PyYamlValue>): string {
  let out = '';
  for (const key of Object.keys(data).sort(comparePython)) {
    const value = data[key]!;
    const k = `${yamlScalar(key)}:`;
    if (typeof value === 'string') out += `${k} ${yamlScalar(value)}\n`;
    else if (typeof value === 'number') out += `${k} ${String(value)}\n`;
    else if (value instanceof Map) {
      if (value.size === 0) out += `${k} {}\n`;
      else {
        out += `${k}\n`;
        for (const n of [...value.keys()].sort((a, b) => a - b)) out += `  ${n}: ${yamlScalar(value.get(n)!)}\n`;
      }
    } else {
      const list = value as readonly number[];
      if (list.length === 0) out += `${k} []\n`;
      else out += `${k}\n${list.map((n) => `- ${n}\n`).join('')}`;
    }
  }
  return out;
}

/** Python's default string order (by code point; JavaScript's sort compares UTF-16 units). */
function comparePython(a: string, b: string): number {
  const ca = [...a], cb = [...b];
  for (let i = 0; i < Math.min(ca.length, cb.length); i++) {
    const d = ca[i]!.codePointAt(0)! - cb[i]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return ca.length - cb.length;
}

// PyYAML's implicit resolvers (YAML 1.1): a plain scalar matching one would load as non-string.
const IMPLICIT = [
  /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/,
  /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/,
  /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/,
  /^(?:<<)$/,
  /^(?:~|null|Null|NULL|)$/,
  /^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$/,
  /^(?:=)$/,
];

const WHITESPACE = '\0 \t\r\n\x85\u2028\u2029';
const BREAKS = '\n\x85\u2028\u2029';

/** PyYAML's choice between plain, single-quoted and double-quoted style (`analyze_scalar`). */
export function yamlScalar(s: string): string {
  const chars = [...s];
  if (chars.length === 0) return "''";
  let blockIndicators = false, lineBreaks = false, special = false;
  let leadingSpace = false, leadingBreak = false, trailingSpace = false, trailingBreak = false;
  let breakSpace = false, spaceBreak = false, previousSpace = false, previousBreak = false;
  if (s.startsWith('---') || s.startsWith('...')) blockIndicators = true;
  let precededByWs = true;
  let followedByWs = chars.length === 1 || WHITESPACE.includes(chars[1]!);
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (i === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(ch)) blockIndicators = true;
      if ('?:'.includes(ch) && followedByWs) blockIndicators = true;
      if (ch === '-' && followedByWs) blockIndicators = true;
    } else {
      if (ch === ':' && followedByWs) blockIndicators = true;
      if (ch === '#' && precededByWs) blockIndicators = true;
    }
    if (BREAKS.includes(ch)) lineBreaks = true;
    const cp = ch.codePointAt(0)!;
    // Without allow_unicode, any character outside printable ASCII forces escaped double quotes.
    if (!(ch === '\n' || (cp >= 0x20 && cp <= 0x7e))) special = true;
    if (ch === ' ') {
      if (i === 0) leadingSpace = true;
      if (i === chars.length - 1) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (BREAKS.includes(ch)) {
      if (i === 0) leadingBreak = true;
      if (i === chars.length - 1) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = previousBreak = false;
    }
    precededByWs = WHITESPACE.includes(ch);
    followedByWs = i + 2 >= chars.length || WHITESPACE.includes(chars[i + 2]!);
  }
  let plain = true, single = true;
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) plain = false;
  if (breakSpace) plain = single = false;
  if (spaceBreak || special) plain = single = false;
  if (lineBreaks) plain = single = false;
  if (blockIndicators) plain = false;
  const implicit = !IMPLICIT.some((re) => re.test(s));
  if (implicit && plain) return s;
  if (single) return `'${s.replace(/'/g, "''")}'`;
  return doubleQuoted(chars);
}

const ESCAPES: Record<string, string> = {
  '\0': '0', '\x07': 'a', '\x08': 'b', '\t': 't', '\n': 'n', '\x0b': 'v', '\x0c': 'f', '\r': 'r', '\x1b': 'e',
  '"': '"', '\\': '\\', '\x85': 'N', '\xa0': '_', '\u2028': 'L', '\u2029': 'P',
};

function doubleQuoted(chars: string[]): string {
  let out = '"';
  for (const ch of chars) {
    const cp = ch.codePointAt(0)!;
    if ('"\\\x85\u2028\u2029\ufeff'.includes(ch) || !(cp >= 0x20 && cp <= 0x7e)) {
      const esc = ESCAPES[ch];
      if (esc !== undefined) out += `\\${esc}`;
      else if (cp <= 0xff) out += `\\x${cp.toString(16).toUpperCase().padStart(2, '0')}`;
      else if (cp <= 0xffff) out += `\\u${cp.toString(16).toUpperCase().padStart(4, '0')}`;
      else out += `\\U${cp.toString(16).toUpperCase().padStart(8, '0')}`;
    } else out += ch;
  }
  return `${out}"`;
}
