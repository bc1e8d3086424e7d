/**
 * The seeded generator behind every random pick of validation frames: the same seed gives the
 * same frames on every platform and in every release that keeps this file. It is xoshiro128**
 * seeded through splitmix32, not CVAT's numpy MT19937, so a seed picks different frames here than
 * in CVAT; what a seed promises is that Framewise reproduces its own picks.
 */

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** One step of splitmix32: the next state and a well-mixed output word. */
function splitmix32(state: number): [number, number] {
  const next = (state + 0x9e3779b9) | 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  z ^= z >>> 16;
  return [next, z];
}

const TWO_32 = 4294967296;

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /**
   * `seed`: any non-negative safe integer (CVAT's random_seed). `stream` derives independent
   * generators from one seed, e.g. one to pick frames and one to order them.
   */
  constructor(seed: number, stream = 0) {
    if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`seed must be a non-negative integer, got ${seed}`);
    const lo = seed % TWO_32 | 0;
    const hi = Math.floor(seed / TWO_32) | 0;
    let s = lo;
    let out: number;
    // Both halves of the seed and the stream number go through the mixer, so nearby seeds diverge.
    [s, out] = splitmix32(s);
    s ^= hi;
    [s, out] = splitmix32(s ^ out);
    s ^= Math.imul(stream + 1, 0x27d4eb2d);
    const words: number[] = [];
    for (let i = 0; i < 4; i++) {
      [s, out] = splitmix32(s);
      words.push(out);
    }
    [this.a, this.b, this.c, this.d] = words as [number, number, number, number];
    // The all-zero state is xoshiro's one fixed point.
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1;
  }

  /** The next 32 random bits, as an unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** A uniform integer in [0, n), without the bias of a plain modulo. */
  below(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > TWO_32) throw new RangeError(`below(n) takes 1 <= n <= 2^32, got ${n}`);
    const limit = TWO_32 - (TWO_32 % n);
    for (;;) {
      const r = this.nextUint32();
      if (r < limit) return r % n;
    }
  }
}

/** Shuffles `items` in place (Fisher-Yates) and returns it. */
export function shuffleInPlace<T>(rng: Rng, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.below(i + 1);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/** `k` distinct items of `items`, each subset equally likely, in the order they were drawn. */
export function sample<T>(rng: Rng, items: readonly T[], k: number): T[] {
  if (k > items.length) throw new RangeError(`cannot draw ${k} of ${items.length} items`);
  const pool = [...items];
  for (let i = 0; i < k; i++) {
    const j = i + rng.below(pool.length - i);
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return pool.slice(0, k);
}
