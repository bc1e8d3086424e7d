/**
 * CVAT's XML output, reproduced: it writes through Python's xml.sax XMLGenerator with two-space
 * indentation added by hand, so attribute quoting, escaping and whitespace follow that class
 * (saxutils.quoteattr, saxutils.escape) rather than any XML library's defaults.
 */

export const XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n';

export function indent(level: number): string {
  return '\n' + '  '.repeat(level);
}

/** saxutils.escape: only &, < and > in character data. */
export function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** saxutils.quoteattr: whitespace controls as references, single quotes when the value has a double one. */
export function quoteAttr(value: string): string {
  const s = escapeText(value).replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
  if (s.includes('"')) {
    if (s.includes("'")) return `"${s.replace(/"/g, '&quot;')}"`;
    return `'${s}'`;
  }
  return `"${s}"`;
}

/** A <meta> entry: text, or nested entries (CVAT's OrderedDicts and lists write alike). */
export type MetaEntry = readonly [string, string | readonly MetaEntry[]];

/** CVAT's _add_meta: each entry on its own line at `level`, nested ones one level deeper. */
export function metaXml(entries: readonly MetaEntry[], level: number): string {
  let out = '';
  for (const [key, value] of entries) {
    if (typeof value === 'string') out += `${indent(level)}<${key}>${escapeText(value)}</${key}>`;
    else out += `${indent(level)}<${key}>${metaXml(value, level + 1)}${indent(level)}</${key}>`;
  }
  return out;
}
