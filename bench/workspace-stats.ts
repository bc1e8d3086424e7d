/** Turns the page's logs (workspace-probe.ts) into latencies, and figures into the printed table. */
import { percentile } from './lib.js';
import type { ProbeDraw, ProbeEvent, ProbeLog } from './workspace-probe.js';

export interface Latencies {
  /** Event creation (Event.timeStamp) to the end of the draw that showed its effect; Infinity where none did. */
  latency: number[];
  /** That draw's own duration (draw + rasterization). */
  drawMs: number[];
  /** Event creation to the page's first listener: time spent waiting for the main thread. */
  queueMs: number[];
}

/**
 * For each event `pick` keeps, the first draw that started after the page took the event and
 * that `shows` its effect (by default the first draw after it).
 */
export function latencies(log: ProbeLog, pick: (e: ProbeEvent) => boolean, shows: (d: ProbeDraw, e: ProbeEvent, before: ProbeDraw | undefined) => boolean = () => true): Latencies {
  const out: Latencies = { latency: [], drawMs: [], queueMs: [] };
  let i = 0;
  for (const e of log.events) {
    if (!pick(e)) continue;
    while (i < log.draws.length && log.draws[i]!.seen < e.seq) i++;
    const before = i > 0 ? log.draws[i - 1] : undefined;
    const d = log.draws.slice(i).find((x) => shows(x, e, before));
    out.latency.push(d ? d.t1 - e.ts : Infinity);
    if (d) out.drawMs.push(d.t1 - d.t0);
    out.queueMs.push(e.at - e.ts);
  }
  return out;
}

/** Intervals between the ends of consecutive draws: what a user sees as the frame rate. */
export function drawIntervals(draws: ProbeDraw[]): number[] {
  const out: number[] = [];
  for (let i = 1; i < draws.length; i++) out.push(draws[i]!.t1 - draws[i - 1]!.t1);
  return out;
}

export interface Stat {
  n: number;
  p50: number;
  p95: number;
  max: number;
  missing: number;
}

export function stat(xs: number[]): Stat {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return { n: 0, p50: NaN, p95: NaN, max: NaN, missing: 0 };
  return { n: s.length, p50: percentile(s, 50), p95: percentile(s, 95), max: s[s.length - 1]!, missing: s.filter((x) => !Number.isFinite(x)).length };
}

const ms = (x: number) => (Number.isFinite(x) ? `${x.toFixed(1)}` : 'never');

export function fmt(s: Stat): string {
  if (s.n === 0) return 'no samples';
  return `p50 ${ms(s.p50)}, p95 ${ms(s.p95)}, max ${ms(s.max)} ms (n=${s.n}${s.missing ? `, ${s.missing} never shown` : ''})`;
}

export interface Row {
  figure: string;
  value: string;
  target?: string;
  pass?: boolean;
}

export class Report {
  readonly rows: Row[] = [];

  /** A figure with a target: passes when `measured` is under `limit`. */
  check(figure: string, s: Stat, which: 'p95' | 'max', limit: number, unit = 'ms'): void {
    this.rows.push({ figure, value: fmt(s), target: `${which} < ${limit} ${unit}`, pass: s.n > 0 && s[which] < limit });
  }

  info(figure: string, value: string): void {
    this.rows.push({ figure, value });
  }

  /** Uncaught page errors since the last call, grouped by message (and forgotten). */
  errors(where: string, errors: string[]): void {
    if (errors.length === 0) return;
    const counts = new Map<string, number>();
    for (const e of errors.splice(0)) counts.set(e, (counts.get(e) ?? 0) + 1);
    this.rows.push({ figure: `page errors (${where})`, value: [...counts].map(([m, n]) => `${n}x "${m}"`).join('; '), target: 'none', pass: false });
  }

  print(title: string): void {
    console.log(`\n${title}`);
    const w = Math.max(...this.rows.map((r) => r.figure.length));
    for (const r of this.rows) {
      const verdict = r.pass === undefined ? '' : r.pass ? `PASS (${r.target})` : `FAIL (${r.target})`;
      console.log(`  ${r.figure.padEnd(w)}  ${r.value}${verdict ? `  ${verdict}` : ''}`);
    }
  }
}

/** A small seeded generator, so that the random gaps and targets are the same every run. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
