/**
 * annotations.json read as a stream: a list with one object per job, each holding `tags`,
 * `shapes` and `tracks` lists. A task of a million shapes makes a file of hundreds of megabytes,
 * so it is never parsed whole: a scanner follows the JSON structure character by character down
 * to the objects of those three lists, and hands them over in batches of bounded size, each
 * parsed by JSON.parse. The structure around the objects is checked as it is read; a problem is
 * reported with the file's name and where it is.
 */
import fs from 'node:fs';
import { ExpectedFailure } from '../request-runner.js';

export type ListName = 'tags' | 'shapes' | 'tracks';
const LISTS: ReadonlySet<string> = new Set(['tags', 'shapes', 'tracks']);

export interface AnnotationBatch {
  /** The job's place in annotations.json, from 0. */
  job: number;
  tags: unknown[];
  shapes: unknown[];
  tracks: unknown[];
  /** Where in the job's lists this batch's objects start. */
  first: Record<ListName, number>;
  /** The job's last batch (a job with no objects has one, empty). */
  last: boolean;
}

/** Text of objects held before a batch is handed over (a rectangle is ~200 characters). */
const BATCH_CHARS = 4 * 1024 * 1024;
const READ_CHUNK = 1024 * 1024;

const enum S {
  Start,
  JobOrEnd,
  Job,
  JobCommaOrEnd,
  KeyOrEnd,
  Key,
  Colon,
  Value,
  KeyCommaOrEnd,
  ItemOrEnd,
  Item,
  ItemCommaOrEnd,
  Done,
}

const EXPECTED: Record<S, string> = {
  [S.Start]: 'a list with one entry per job',
  [S.JobOrEnd]: 'a job object or "]"',
  [S.Job]: 'a job object',
  [S.JobCommaOrEnd]: '"," or "]"',
  [S.KeyOrEnd]: 'a key or "}"',
  [S.Key]: 'a key',
  [S.Colon]: '":"',
  [S.Value]: 'a value',
  [S.KeyCommaOrEnd]: '"," or "}"',
  [S.ItemOrEnd]: 'an object or "]"',
  [S.Item]: 'an object',
  [S.ItemCommaOrEnd]: '"," or "]"',
  [S.Done]: 'the end of the file',
};

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

type Capture = 'key' | 'value' | 'item';

class Scanner {
  private state = S.Start;
  /** Characters consumed before the current chunk. */
  private offset = 0;
  private capture: Capture | null = null;
  /** A number, true, false or null: read up to the next delimiter. */
  private literal = false;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private parts: string[] = [];
  private key = '';
  private list: ListName | null = null;
  private job = -1;
  private next: Record<ListName, number> = { tags: 0, shapes: 0, tracks: 0 };
  private first: Record<ListName, number> = { tags: 0, shapes: 0, tracks: 0 };
  private items: Record<ListName, string[]> = { tags: [], shapes: [], tracks: [] };
  private chars = 0;
  readonly out: AnnotationBatch[] = [];

  constructor(private readonly file: string) {}

  private fail(at: number, what: string): never {
    throw new ExpectedFailure(`${this.file}: not valid JSON at character ${this.offset + at}: ${what}`);
  }

  private where(list: ListName, index: number): string {
    return `${this.file}: job ${this.job} (annotations.json[${this.job}]), ${list}[${index}]`;
  }

  feed(s: string): void {
    let i = 0;
    let from = -1;
    const n = s.length;
    while (i < n) {
      if (this.capture) {
        if (from < 0) from = i;
        const end = this.scan(s, i);
        if (end < 0) {
          this.parts.push(s.slice(from));
          break;
        }
        this.parts.push(s.slice(from, end));
        from = -1;
        this.captured(end);
        i = end;
        continue;
      }
      const c = s.charCodeAt(i);
      if (isSpace(c)) {
        i++;
        continue;
      }
      this.step(c, i);
      // A capture starts at its first character, which scan() reads again.
      if (!this.capture) i++;
      else from = i;
    }
    this.offset += n;
  }

  end(): void {
    if (this.state !== S.Done) this.fail(0, `the file ends where ${EXPECTED[this.state]} was expected`);
  }

  /** One structural character outside any captured value. */
  private step(c: number, i: number): void {
    const unexpected = () => this.fail(i, `expected ${EXPECTED[this.state]}, found "${String.fromCharCode(c)}"`);
    switch (this.state) {
      case S.Start:
        if (c !== 91) unexpected();
        this.state = S.JobOrEnd;
        return;
      case S.JobOrEnd:
      case S.Job:
        if (c === 93 && this.state === S.JobOrEnd) this.state = S.Done;
        else if (c === 123) this.beginJob();
        else unexpected();
        return;
      case S.JobCommaOrEnd:
        if (c === 44) this.state = S.Job;
        else if (c === 93) this.state = S.Done;
        else unexpected();
        return;
      case S.KeyOrEnd:
      case S.Key:
        if (c === 125 && this.state === S.KeyOrEnd) this.endJob();
        else if (c === 34) this.begin('key', c);
        else unexpected();
        return;
      case S.Colon:
        if (c !== 58) unexpected();
        this.state = S.Value;
        return;
      case S.Value:
        if (LISTS.has(this.key)) {
          if (c !== 91) this.fail(i, `"${this.key}" of job ${this.job} must be a list`);
          this.list = this.key as ListName;
          this.state = S.ItemOrEnd;
        } else {
          this.begin('value', c);
        }
        return;
      case S.KeyCommaOrEnd:
        if (c === 44) this.state = S.Key;
        else if (c === 125) this.endJob();
        else unexpected();
        return;
      case S.ItemOrEnd:
      case S.Item:
        if (c === 93 && this.state === S.ItemOrEnd) this.state = S.KeyCommaOrEnd;
        else if (c === 123) this.begin('item', c);
        else this.fail(i, `${this.list}[${this.next[this.list!]}] of job ${this.job} must be an object`);
        return;
      case S.ItemCommaOrEnd:
        if (c === 44) this.state = S.Item;
        else if (c === 93) this.state = S.KeyCommaOrEnd;
        else unexpected();
        return;
      case S.Done:
        unexpected();
    }
  }

  private begin(capture: Capture, c: number): void {
    this.capture = capture;
    this.literal = c !== 34 && c !== 123 && c !== 91;
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
    this.parts = [];
  }

  /**
   * Reads the captured value on from `from`; returns the index just past its end, or -1 when the
   * chunk ends first. Strings and containers end at their closing character (a string is read
   * as a container of depth 0); numbers and literals at the first delimiter.
   */
  private scan(s: string, from: number): number {
    const n = s.length;
    if (this.literal) {
      for (let i = from; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c === 44 || c === 125 || c === 93 || isSpace(c)) return i;
      }
      return -1;
    }
    let depth = this.depth;
    let inString = this.inString;
    let escaped = this.escaped;
    for (let i = from; i < n; i++) {
      const c = s.charCodeAt(i);
      if (inString) {
        if (escaped) escaped = false;
        else if (c === 92) escaped = true;
        else if (c === 34) {
          inString = false;
          if (depth === 0) return i + 1;
        }
      } else if (c === 34) inString = true;
      else if (c === 123 || c === 91) depth++;
      else if (c === 125 || c === 93) {
        depth--;
        if (depth === 0) return i + 1;
      }
    }
    this.depth = depth;
    this.inString = inString;
    this.escaped = escaped;
    return -1;
  }

  private captured(end: number): void {
    const text = this.parts.join('');
    const what = this.capture!;
    this.capture = null;
    this.parts = [];
    if (what === 'key') {
      try {
        this.key = JSON.parse(text) as string;
      } catch {
        this.fail(end, `a key of job ${this.job} is not a valid string`);
      }
      this.state = S.Colon;
    } else if (what === 'value') {
      try {
        JSON.parse(text);
      } catch (e) {
        this.fail(end, `the value of "${this.key}" in job ${this.job} is not valid (${(e as Error).message})`);
      }
      this.state = S.KeyCommaOrEnd;
    } else {
      const list = this.list!;
      this.items[list].push(text);
      this.next[list]++;
      this.chars += text.length;
      this.state = S.ItemCommaOrEnd;
      if (this.chars >= BATCH_CHARS) this.flush(false);
    }
  }

  private beginJob(): void {
    this.job++;
    this.next = { tags: 0, shapes: 0, tracks: 0 };
    this.first = { tags: 0, shapes: 0, tracks: 0 };
    this.state = S.KeyOrEnd;
  }

  private endJob(): void {
    this.flush(true);
    this.state = S.JobCommaOrEnd;
  }

  private parseList(list: ListName): unknown[] {
    const texts = this.items[list];
    if (texts.length === 0) return [];
    try {
      return JSON.parse(`[${texts.join(',')}]`) as unknown[];
    } catch {
      // Find the object at fault, to name it.
      texts.forEach((t, k) => {
        try {
          JSON.parse(t);
        } catch (e) {
          throw new ExpectedFailure(`${this.where(list, this.first[list] + k)}: not valid JSON (${(e as Error).message})`);
        }
      });
      throw new ExpectedFailure(`${this.file}: job ${this.job}: not valid JSON`);
    }
  }

  private flush(last: boolean): void {
    this.out.push({
      job: this.job,
      tags: this.parseList('tags'),
      shapes: this.parseList('shapes'),
      tracks: this.parseList('tracks'),
      first: { ...this.first },
      last,
    });
    this.items = { tags: [], shapes: [], tracks: [] };
    this.first = { ...this.next };
    this.chars = 0;
  }
}

/** The jobs' objects of the annotations.json at `path` (called `file` in messages), batch by batch. */
export async function* readAnnotationBatches(path: string, file: string): AsyncGenerator<AnnotationBatch> {
  const scanner = new Scanner(file);
  const stream = fs.createReadStream(path, { encoding: 'utf8', highWaterMark: READ_CHUNK });
  let started = false;
  for await (const chunk of stream as AsyncIterable<string>) {
    // A byte order mark is not JSON, but editors write one.
    scanner.feed(!started && chunk.charCodeAt(0) === 0xfeff ? chunk.slice(1) : chunk);
    started = true;
    while (scanner.out.length) yield scanner.out.shift()!;
  }
  scanner.end();
  while (scanner.out.length) yield scanner.out.shift()!;
}
