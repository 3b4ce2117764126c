/**
 * Seeded randomness for everything in lib/data: shuffles, splits,
 * augmentation and DIGITS's noise fill. Math.random is never used, so the
 * same seed always gives the same bytes on every machine.
 */

/** A random number generator: `next()` returns a float in [0, 1). */
export interface Random {
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
  /** A float in [low, high). */
  uniform(low: number, high: number): number;
  /** A standard normal sample (mean 0, standard deviation 1). */
  normal(): number;
}

/**
 * Mixes any number of integers (a seed, an epoch, an example index...) into
 * one 32-bit seed. Each example gets its own stream this way, so its
 * augmentation does not depend on which batch it lands in.
 */
export function mixSeeds(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) {
    // Fold values beyond 32 bits in too, so seed 2**32 differs from seed 0.
    const low = part >>> 0;
    const high = Math.floor(part / 4294967296) >>> 0;
    h = avalanche(h ^ low);
    h = avalanche(h ^ high ^ 0x85ebca6b);
  }
  return h >>> 0;
}

/** murmur3's 32-bit finalizer: every input bit flips about half the output bits. */
function avalanche(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/** A small, fast generator (mulberry32); plenty for shuffling and augmentation. */
export function createRandom(seed: number): Random {
  let state = mixSeeds(seed);
  let spareNormal: number | undefined;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    uniform: (low, high) => low + (high - low) * next(),
    normal: () => {
      if (spareNormal !== undefined) {
        const value = spareNormal;
        spareNormal = undefined;
        return value;
      }
      // Box-Muller; 1 - next() keeps the logarithm finite.
      const radius = Math.sqrt(-2 * Math.log(1 - next()));
      const angle = 2 * Math.PI * next();
      spareNormal = radius * Math.sin(angle);
      return radius * Math.cos(angle);
    },
  };
}

/** Shuffles `items` in place (Fisher-Yates) and returns it. */
export function shuffleInPlace<T extends { length: number; [index: number]: unknown }>(items: T, random: Random): T {
  for (let i = items.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    const swap = items[i];
    items[i] = items[j];
    items[j] = swap;
  }
  return items;
}
