/**
 * What an import found wrong, as messages for the person who uploaded the file. The same fault
 * repeated over thousands of objects (a label the task lacks) is one message with a count and
 * the first place it was seen, so the list stays readable.
 */
export class ProblemList {
  private readonly entries: Array<{ count: number; first: string; render: (count: number, first: string) => string }> = [];
  private readonly keyed = new Map<string, { count: number; first: string; render: (count: number, first: string) => string }>();

  /** A message of its own (it names its item). Repeats of the same text are kept once. */
  add(message: string): void {
    this.count(`\u0000${message}`, '', () => message);
  }

  /** One more occurrence of the fault `key`, at `where` ('item "a.jpg"', 'track 3'). */
  count(key: string, where: string, render: (count: number, first: string) => string): void {
    const hit = this.keyed.get(key);
    if (hit) {
      hit.count++;
      return;
    }
    const entry = { count: 1, first: where, render };
    this.keyed.set(key, entry);
    this.entries.push(entry);
  }

  get size(): number {
    return this.entries.length;
  }

  list(): string[] {
    return this.entries.map((e) => e.render(e.count, e.first));
  }
}

/** "(used once, in item "a.jpg")" or "(used 3 times, first in item "a.jpg")". */
export function usage(count: number, first: string): string {
  return count === 1 ? `(used once, in ${first})` : `(used ${count} times, first in ${first})`;
}
