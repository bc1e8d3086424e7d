/**
 * Picks validation frames for honeypots, least used first (CVAT's HoneypotFrameSelector). Frames
 * wait in bags by how often they are used; each bag is shuffled once, and a pick takes the first
 * frames of the emptiest bags and moves each to the back of the next bag up. So, where the counts
 * allow it:
 *
 * - no frame repeats within one pick (one job's honeypots);
 * - every validation frame is used before any is used twice, and uses never differ by more than one;
 * - the picks are random, and the same generator state gives the same picks.
 */
import { shuffleInPlace, type Rng } from './random.js';

export class HoneypotSelector {
  /** Use count -> frames with that count, in pick order. */
  private readonly bags = new Map<number, number[]>();

  /** `uses`: each validation frame with how many honeypots show it already. */
  constructor(uses: Iterable<readonly [number, number]>, rng: Rng) {
    for (const [frame, count] of uses) {
      const bag = this.bags.get(count);
      if (bag) bag.push(frame);
      else this.bags.set(count, [frame]);
    }
    // Iterating frames in ascending order first makes the shuffle depend on the rng alone.
    for (const bag of this.bags.values()) {
      bag.sort((a, b) => a - b);
      shuffleInPlace(rng, bag);
    }
  }

  get size(): number {
    let n = 0;
    for (const bag of this.bags.values()) n += bag.length;
    return n;
  }

  /** `count` distinct frames, the least used first; each one's use count goes up by one. */
  next(count: number): number[] {
    if (count > this.size) throw new RangeError(`cannot pick ${count} distinct frames of ${this.size}`);
    const picked: Array<[number, number]> = [];
    for (const use of [...this.bags.keys()].sort((a, b) => a - b)) {
      const bag = this.bags.get(use)!;
      const take = Math.min(count - picked.length, bag.length);
      for (const frame of bag.splice(0, take)) picked.push([frame, use]);
      if (bag.length === 0) this.bags.delete(use);
      if (picked.length === count) break;
    }
    for (const [frame, use] of picked) {
      const bag = this.bags.get(use + 1);
      if (bag) bag.push(frame);
      else this.bags.set(use + 1, [frame]);
    }
    return picked.map(([frame]) => frame);
  }
}
