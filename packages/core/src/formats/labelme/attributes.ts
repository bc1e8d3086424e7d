/**
 * LabelMe's <attributes> text as Datumaro writes and reads it: "name=value" pairs joined by ", ",
 * with "\", "=", '"' and "," backslash-escaped; a string that reads as a number is quoted so it
 * stays a string; a bare name is a true flag; true/false (any case) are booleans.
 */
import { pyFloat, pyStr, type PyValue } from '../voc/pyformat.js';

const EXPORT_ESCAPES: ReadonlyArray<readonly [string, string]> = [['\\', '\\\\'], ['=', '\\='], ['"', '\\"'], [',', '\\,']];
const IMPORT_ESCAPES: ReadonlyArray<readonly [string, string]> = [
  ['\\=', '%%{eq}%%'], ['\\"', '%%{doublequote}%%'], ['\\,', '%%{comma}%%'], ['\\\\', '%%{backslash}%%'],
];

function escape(s: string, escapes: ReadonlyArray<readonly [string, string]>): string {
  for (const [pattern, repl] of escapes) s = s.split(pattern).join(repl);
  return s;
}

function unescape(s: string, escapes: ReadonlyArray<readonly [string, string]>): string {
  for (const [pattern, repl] of escapes) s = s.split(repl).join(pattern);
  return s;
}

/** Whether Python reads the string back as the same int or float (then it must be quoted). */
function readsAsNumber(v: string): boolean {
  if (/^-?(0|[1-9]\d*)$/.test(v) && v !== '-0') return true;
  if (v === 'inf' || v === '-inf' || v === 'nan') return true;
  const n = Number(v);
  return v.trim() !== '' && Number.isFinite(n) && pyFloat(n) === v;
}

export function formatAttributes(attrs: ReadonlyMap<string, PyValue>): string {
  const out: string[] = [];
  for (const [k, v] of attrs) {
    if (k === 'username' || k === 'occluded') continue;
    const text = v.kind !== 'str' ? pyStr(v) : readsAsNumber(v.value) ? `"${v.value}"` : escape(v.value, EXPORT_ESCAPES);
    out.push(`${escape(k, EXPORT_ESCAPES)}=${text}`);
  }
  return out.join(', ');
}

export interface ParsedAttribute {
  name: string;
  value: string | boolean;
  number: boolean;
}

export function parseAttributes(text: string): ParsedAttribute[] {
  const out: ParsedAttribute[] = [];
  const back = (s: string) => unescape(unescape(s, IMPORT_ESCAPES), EXPORT_ESCAPES);
  for (const raw of escape(text, IMPORT_ESCAPES).split(',')) {
    const attr = raw.trim();
    if (!attr) continue;
    const eq = attr.indexOf('=');
    if (eq < 0) {
      out.push({ name: back(attr), value: true, number: false });
      continue;
    }
    const name = back(attr.slice(0, eq));
    const value = attr.slice(eq + 1);
    if (value.toLowerCase() === 'true' || value.toLowerCase() === 'false') out.push({ name, value: value.toLowerCase() === 'true', number: false });
    else if (value.length > 1 && value.startsWith('"') && value.endsWith('"')) out.push({ name, value: back(value.slice(1, -1)), number: false });
    else if (readsAsNumber(value)) out.push({ name, value, number: true });
    else out.push({ name, value: back(value), number: false });
  }
  return out;
}
