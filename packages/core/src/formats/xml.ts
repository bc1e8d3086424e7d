/**
 * XML for the formats that use it (CVAT, PASCAL VOC, LabelMe). Built on saxes, a streaming,
 * non-validating parser that never expands DTD-declared entities or fetches external ones, so
 * XXE and entity-expansion bombs fail as "undefined entity" instead of reading files or memory.
 * `parseXml` builds a small tree (fine for per-image files); big files (CVAT's annotations.xml)
 * use `streamXml` and keep only what they need.
 */
import { SaxesParser } from 'saxes';
import { DatasetFormatError } from './model.js';

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** Concatenated character data directly inside this element, trimmed. */
  text: string;
  line: number;
}

export interface XmlHandlers {
  open?(name: string, attrs: Record<string, string>, line: number): void;
  /** `text` is the element's own character data, trimmed. */
  close?(name: string, text: string, line: number): void;
}

/** Parses `text` in one pass, calling the handlers; errors name the file and line. */
export function streamXml(file: string, text: string, handlers: XmlHandlers): void {
  const parser = new SaxesParser({ position: true });
  const texts: string[][] = [];
  let failure: DatasetFormatError | null = null;
  parser.on('doctype', (dt) => {
    // A DTD is where entity bombs and external entities live; no dataset format needs one.
    if (/<!ENTITY/i.test(dt)) failure ??= new DatasetFormatError(file, 'XML entity declarations are not allowed', { line: parser.line });
  });
  parser.on('opentag', (tag) => {
    texts.push([]);
    handlers.open?.(tag.name, tag.attributes as Record<string, string>, parser.line);
  });
  parser.on('text', (t) => texts[texts.length - 1]?.push(t));
  parser.on('cdata', (t) => texts[texts.length - 1]?.push(t));
  parser.on('closetag', (tag) => {
    const own = (texts.pop() ?? []).join('').trim();
    handlers.close?.(tag.name, own, parser.line);
  });
  parser.on('error', (e) => {
    failure ??= new DatasetFormatError(file, `malformed XML: ${e.message.replace(/^[^:]*:\d+:\d+: /, '')}`, { line: parser.line });
  });
  try {
    parser.write(text).close();
  } catch (e) {
    if (e instanceof DatasetFormatError) throw e;
    failure ??= new DatasetFormatError(file, `malformed XML: ${(e as Error).message}`, { line: parser.line });
  }
  if (failure) throw failure;
}

/** Parses a whole document into a tree and returns its root element. */
export function parseXml(file: string, text: string): XmlElement {
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  streamXml(file, text, {
    open(name, attrs, line) {
      const el: XmlElement = { name, attrs, children: [], text: '', line };
      stack[stack.length - 1]?.children.push(el);
      stack.push(el);
      root ??= el;
    },
    close(_name, text) {
      const el = stack.pop();
      if (el) el.text = text;
    },
  });
  if (!root) throw new DatasetFormatError(file, 'no XML root element');
  return root;
}

export function child(el: XmlElement, name: string): XmlElement | undefined {
  return el.children.find((c) => c.name === name);
}

export function children(el: XmlElement, name: string): XmlElement[] {
  return el.children.filter((c) => c.name === name);
}

/** Text of a child element, or undefined when it is missing. */
export function childText(el: XmlElement, name: string): string | undefined {
  return child(el, name)?.text;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

export function xmlEscape(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}
