/**
 * What an export could not express, counted by kind: written into the archive as
 * export_report.txt and summed up in the request's message, so nothing is dropped silently.
 */
import type { ExportReport } from '@framewise/core';

interface Entry {
  count: number;
  frames: number[];
  note: string;
}

const FRAMES_LISTED = 20;

/** The report's name in export archives; imports skip it (it is not data). */
export const EXPORT_REPORT = 'export_report.txt';

export class CountingReport implements ExportReport {
  private readonly droppedBy = new Map<string, Entry>();
  private readonly convertedBy = new Map<string, Entry>();

  dropped(what: string, frame: number | null, reason: string): void {
    note(this.droppedBy, what, frame, reason);
  }

  converted(what: string, frame: number | null, how: string): void {
    note(this.convertedBy, what, frame, how);
  }

  get empty(): boolean {
    return this.droppedBy.size === 0 && this.convertedBy.size === 0;
  }

  /** One line for the request's message, e.g. "dropped: 3 ellipse shapes; converted: 2 ...". */
  summary(format: string): string {
    const part = (m: Map<string, Entry>) => [...m].map(([what, e]) => `${e.count} ${what}`).join(', ');
    const bits = [];
    if (this.droppedBy.size) bits.push(`not expressible in ${format}, left out: ${part(this.droppedBy)}`);
    if (this.convertedBy.size) bits.push(`converted: ${part(this.convertedBy)}`);
    return bits.join('; ');
  }

  text(format: string): string {
    const lines = [`Export report (${format})`, ''];
    const section = (title: string, m: Map<string, Entry>) => {
      if (!m.size) return;
      lines.push(title);
      for (const [what, e] of m) {
        const frames = e.frames.length ? ` on frames ${e.frames.join(', ')}${e.count > e.frames.length ? ', ...' : ''}` : '';
        lines.push(`- ${e.count} ${what}${frames}: ${e.note}`);
      }
      lines.push('');
    };
    section(`Left out (${format} cannot express them):`, this.droppedBy);
    section('Converted:', this.convertedBy);
    return lines.join('\n');
  }
}

function note(m: Map<string, Entry>, what: string, frame: number | null, text: string): void {
  let e = m.get(what);
  if (!e) m.set(what, (e = { count: 0, frames: [], note: text }));
  e.count++;
  if (frame !== null && e.frames.length < FRAMES_LISTED && !e.frames.includes(frame)) e.frames.push(frame);
}
