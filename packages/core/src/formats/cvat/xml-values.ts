/** Typed reads of XML attribute values, failing with the file and line. */
import { SOURCES, type Source } from '../../annotations/types.js';
import { DatasetFormatError } from '../model.js';

export type Attrs = Record<string, string>;

export class XmlValues {
  constructor(readonly file: string) {}

  fail(line: number, message: string): never {
    throw new DatasetFormatError(this.file, message, { line });
  }

  required(tag: string, attrs: Attrs, key: string, line: number): string {
    const v = attrs[key];
    if (v === undefined) this.fail(line, `<${tag}> has no "${key}" attribute`);
    return v;
  }

  number(tag: string, attrs: Attrs, key: string, line: number): number {
    return this.parseNumber(tag, key, this.required(tag, attrs, key, line), line);
  }

  parseNumber(tag: string, key: string, text: string, line: number): number {
    const n = text.trim() === '' ? NaN : Number(text);
    if (!Number.isFinite(n)) this.fail(line, `<${tag}> ${key}="${text}" is not a number`);
    return n;
  }

  /** An element's text as a non-negative integer. */
  intText(tag: string, text: string, line: number): number {
    const n = text.trim() === '' ? NaN : Number(text);
    if (!Number.isInteger(n) || n < 0) this.fail(line, `<${tag}>${text}</${tag}> is not a non-negative integer`);
    return n;
  }

  /** An integer attribute, `fallback` when absent (required when there is none). */
  int(tag: string, attrs: Attrs, key: string, line: number, options: { min?: number; fallback?: number } = {}): number {
    const text = attrs[key];
    if (text === undefined) {
      if (options.fallback !== undefined) return options.fallback;
      this.fail(line, `<${tag}> has no "${key}" attribute`);
    }
    const n = this.parseNumber(tag, key, text, line);
    if (!Number.isInteger(n)) this.fail(line, `<${tag}> ${key}="${text}" is not an integer`);
    if (options.min !== undefined && n < options.min) this.fail(line, `<${tag}> ${key}="${text}" is below ${options.min}`);
    return n;
  }

  bool(tag: string, attrs: Attrs, key: string, line: number): boolean {
    const text = attrs[key];
    if (text === undefined || text === '0' || text.toLowerCase() === 'false') return false;
    if (text === '1' || text.toLowerCase() === 'true') return true;
    this.fail(line, `<${tag}> ${key}="${text}" is not 0 or 1`);
  }

  /** CVAT marks imported objects "file"; a valid source written in the file is kept. */
  source(attrs: Attrs): Source {
    const s = attrs.source?.toLowerCase();
    return (SOURCES as readonly string[]).includes(s ?? '') ? (s as Source) : 'file';
  }

  /** "x,y;x,y;..." */
  points(tag: string, attrs: Attrs, line: number): number[] {
    const text = this.required(tag, attrs, 'points', line);
    const out: number[] = [];
    for (const pair of text.split(';')) {
      const xy = pair.split(',');
      if (xy.length !== 2) this.fail(line, `<${tag}> points="${text}" is not a list of x,y pairs`);
      out.push(this.parseNumber(tag, 'points', xy[0]!, line), this.parseNumber(tag, 'points', xy[1]!, line));
    }
    return out;
  }
}
