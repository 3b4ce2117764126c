/**
 * samplePerClass(): a split cut to the same number of images of every class,
 * chosen at random with a seed. For one seed the choices are nested: the 10
 * images per class of a small set are among the 50 of a larger one, so a
 * comparison across sizes changes only how much data there is.
 */
import { checkSplitName, SPLIT_NAMES, type Dataset, type SplitName } from "./dataset";
import { createRandom, mixSeeds, shuffleInPlace } from "./random";

export interface SamplePerClassOptions {
  /** The split to cut. Default "train"; the others are kept as they are. */
  split?: SplitName;
  /** Seed of the choice. Default 0. */
  seed?: number;
}

export function samplePerClass(dataset: Dataset, perClass: number, options: SamplePerClassOptions = {}): Dataset {
  if (!(Number.isInteger(perClass) && perClass >= 1)) {
    throw new Error(`samplePerClass: the number of images per class must be a whole number of at least 1 (got ${String(perClass)}).`);
  }
  const split = checkSplitName(options.split ?? "train");
  const seed = options.seed ?? 0;
  const byClass: number[][] = dataset.classNames.map(() => []);
  for (const index of dataset.indices(split)) byClass[dataset.labels[index]].push(index);
  const short = byClass.map((g, c) => [dataset.classNames[c], g.length] as const).filter(([, n]) => n < perClass);
  if (short.length > 0) {
    throw new Error(
      `samplePerClass: the ${split} split of ${dataset.name} has fewer than ${perClass} images of ` +
        `${short.map(([name, n]) => `"${name}" (${n})`).join(", ")}. Ask for at most ${Math.min(...short.map(([, n]) => n))} per class.`,
    );
  }
  // Each class is shuffled with its own stream, so the first n of a class do not depend on perClass.
  const chosen = byClass.flatMap((group, c) => shuffleInPlace([...group].sort((a, b) => a - b), createRandom(mixSeeds(seed, 29, c))).slice(0, perClass));
  const indices = Int32Array.from(shuffleInPlace(chosen, createRandom(mixSeeds(seed, 31, perClass))));
  const splits = Object.fromEntries(SPLIT_NAMES.map((s) => [s, s === split ? indices : dataset.indices(s)]));
  const origins = Object.fromEntries(SPLIT_NAMES.map((s) => [s, s === split ? `${perClass} images per class of the ${split} split (seed ${seed})` : dataset.splitOrigin(s)]));
  return dataset.withSplits(splits, origins);
}
