/**
 * Seeded randomness for the random layers of a model (dropout, Gaussian
 * noise). tfjs draws their masks with a seed taken from Math.random, so
 * train() runs each step with Math.random replaced by a generator seeded from
 * (randomSeed, step): the same seed gives the same masks, and a run resumed
 * at step N draws exactly the masks it would have drawn. The replacement
 * lasts only for the synchronous step, so nothing else sees it.
 */
import { createRandom, mixSeeds } from "../data";

export function withSeededMathRandom<T>(seed: number, step: number, fn: () => T): T {
  const original = Math.random;
  Math.random = createRandom(mixSeeds(seed, step, 11)).next;
  try {
    return fn();
  } finally {
    Math.random = original;
  }
}
