/** CVAT's sorting methods for the files of a new task. */
export type SortingMethod = 'lexicographical' | 'natural' | 'predefined' | 'random';

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'variant' });

function compareLex(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Deterministic PRNG so a "random" order can be reproduced from its seed. */
function mulberry32(seed: number): () => number {
  let t = seed >>> 0;
  return () => {
    t = (t + 0x6d2b79f5) >>> 0;
    let r = Math.imul(t ^ (t >>> 15), 1 | t);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

export function sortFileNames(names: readonly string[], method: SortingMethod, seed = 0): string[] {
  const out = [...names];
  switch (method) {
    case 'lexicographical':
      return out.sort(compareLex);
    case 'natural':
      // "img2" before "img10"; ties broken bytewise so the order is total.
      return out.sort((a, b) => collator.compare(a, b) || compareLex(a, b));
    case 'predefined':
      return out;
    case 'random': {
      const rnd = mulberry32(seed);
      for (let i = out.length - 1; i > 0; i--) {
        const j = Math.floor(rnd() * (i + 1));
        [out[i], out[j]] = [out[j]!, out[i]!];
      }
      return out;
    }
    default: {
      const never: never = method;
      throw new Error(`unknown sorting method ${String(never)}`);
    }
  }
}
