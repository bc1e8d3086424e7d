/**
 * CSV as Python's csv module writes and reads it (the "excel" dialect Datumaro uses): fields
 * quoted only when they hold a comma, a quote or a line break, quotes doubled, rows ending in
 * "\r\n". Reading keeps each row's line number for error messages, and skips blank lines as
 * csv.DictReader does.
 *
 * Shared by the VGGFace2 and Open Images codecs.
 */
import { DatasetFormatError } from '../model.js';

/** One row as Python's csv.writer writes it. */
export function csvRow(fields: readonly string[]): string {
  // A row of one empty field would be a blank line, which readers skip: Python quotes it.
  if (fields.length === 1 && fields[0] === '') return '""\r\n';
  return `${fields.map((f) => (/[",\r\n]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f)).join(',')}\r\n`;
}

export interface CsvRow {
  /** 1-based line where the row starts. */
  line: number;
  fields: string[];
}

/** Every non-blank row of a CSV text. */
export function parseCsv(file: string, text: string): CsvRow[] {
  const rows: CsvRow[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1, rowLine = 1;
  let quoted = false, wasQuoted = false;
  const endRow = () => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0] === '' && !wasQuoted)) rows.push({ line: rowLine, fields });
    fields = [];
    field = '';
    wasQuoted = false;
  };
  const start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (let i = start; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (c === '\n') line++;
        field += c;
      }
      continue;
    }
    if (c === '"' && field === '') {
      quoted = true;
      wasQuoted = true;
    } else if (c === ',') {
      fields.push(field);
      field = '';
    } else if (c === '\r' || c === '\n') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRow();
      line++;
      rowLine = line;
    } else field += c;
  }
  if (quoted) throw new DatasetFormatError(file, 'a quoted field is not closed', { line: rowLine });
  if (field !== '' || fields.length > 0 || wasQuoted) endRow();
  return rows;
}

/** Rows by column name, as csv.DictReader gives them (missing trailing fields read as ''). */
export interface CsvTable {
  file: string;
  header: string[];
  rows: Array<{ line: number; get(column: string): string }>;
}

/**
 * A CSV whose first row names the columns (or, given `columns`, one without a header row).
 * `required` columns must be in the header; a row with more fields than columns is an error.
 */
export function readCsvTable(file: string, text: string, required: readonly string[], columns?: readonly string[]): CsvTable {
  const all = parseCsv(file, text);
  const header = columns ? [...columns] : all.shift()?.fields ?? [];
  if (!columns) {
    const missing = required.filter((c) => !header.includes(c));
    if (missing.length) throw new DatasetFormatError(file, `the header has no column ${missing.map((m) => `"${m}"`).join(', ')}`, { line: 1 });
  }
  const index = new Map(header.map((h, i) => [h, i]));
  const rows = all.map(({ line, fields }) => {
    if (fields.length > header.length) throw new DatasetFormatError(file, `${fields.length} fields; the header has ${header.length} columns`, { line });
    return { line, get: (column: string) => fields[index.get(column) ?? -1] ?? '' };
  });
  return { file, header, rows };
}
