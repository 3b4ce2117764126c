/**
 * split(): deal a dataset's images into train, validation and test after a
 * seeded shuffle. 60/20/20 is the workshop's rule of thumb; stratifying keeps
 * each class's share the same in every split.
 */
import { Dataset, SPLIT_NAMES, SplitName, checkSplitName } from "./dataset";
import { createRandom, mixSeeds, shuffleInPlace } from "./random";
import { formatCount } from "../display/html";

export interface SplitOptions {
  /** Fraction for training. Default: whatever validation and test leave. */
  train?: number;
  /** Fraction for validation. Default 0.2 (0 when the split is kept, see `from`). */
  validation?: number;
  /** Fraction for test. Default 0.2 (0 when the split is kept, see `from`). */
  test?: number;
  /** Seed of the shuffle. Default 0. */
  seed?: number;
  /** Split each class separately, so every split has the same class mix. Default true. */
  stratify?: boolean;
  /**
   * Which existing splits to pool and re-deal. Default: all of them. Splits
   * left out that hold images are kept as they are: pass ["train"] to carve
   * validation out of the training set and keep an official test set.
   */
  from?: SplitName[];
}

export function split(dataset: Dataset, options: SplitOptions = {}): Dataset {
  const from = (options.from ?? [...SPLIT_NAMES]).map(checkSplitName);
  // Splits outside `from` that hold images stay as they are (an official test set, say).
  const kept = SPLIT_NAMES.filter((name) => !from.includes(name) && dataset.size(name) > 0);
  const validation = fraction("validation", options.validation ?? (kept.includes("validation") ? 0 : 0.2));
  const test = fraction("test", options.test ?? (kept.includes("test") ? 0 : 0.2));
  const train = fraction("train", options.train ?? 1 - validation - test);
  const total = train + validation + test;
  if (Math.abs(total - 1) > 1e-6) {
    throw new Error(
      `The split fractions add up to ${+total.toFixed(6)} (train ${train}, validation ${validation}, test ${test}); they must add up to 1. ` +
        `For example { train: 0.6, validation: 0.2, test: 0.2 }.`,
    );
  }
  for (const key of Object.keys(options)) {
    if (!["train", "validation", "test", "seed", "stratify", "from"].includes(key)) {
      throw new Error(`Unknown split option "${key}". The options are train, validation, test, seed, stratify and from.`);
    }
  }
  const requested: Record<SplitName, number> = { train, validation, test };
  for (const name of kept) {
    if (requested[name] > 0) {
      throw new Error(`The ${name} split already holds images and is not in "from", so it is kept as it is and its fraction must be 0 ` +
          `(got ${requested[name]}). Add "${name}" to from to re-deal its images.`);
    }
  }
  const seed = options.seed ?? 0;
  const stratify = options.stratify ?? true;

  const pool: number[] = [];
  for (const name of from) pool.push(...dataset.indices(name));
  if (pool.length === 0) throw new Error(`There are no images in the ${from.join(" and ")} split(s) of ${dataset.name} to split.`);

  const random = createRandom(mixSeeds(seed, 3));
  const groups: number[][] = [];
  if (stratify) {
    const byClass: number[][] = dataset.classNames.map(() => []);
    for (const index of pool.sort((a, b) => a - b)) byClass[dataset.labels[index]].push(index);
    groups.push(...byClass.filter((g) => g.length > 0));
  } else {
    groups.push(pool.sort((a, b) => a - b));
  }

  const dealt: Record<SplitName, number[]> = { train: [], validation: [], test: [] };
  for (const group of groups) {
    shuffleInPlace(group, random);
    const validationCount = Math.round(group.length * validation);
    const testCount = Math.min(group.length - validationCount, Math.round(group.length * test));
    dealt.validation.push(...group.slice(0, validationCount));
    dealt.test.push(...group.slice(validationCount, validationCount + testCount));
    dealt.train.push(...group.slice(validationCount + testCount));
  }

  const percent = (f: number): string => `${+(f * 100).toFixed(2)}%`;
  const sources = from.filter((name) => dataset.size(name) > 0);
  const wholeDataset = kept.length === 0;
  const poolText =
    (stratify ? (wholeDataset ? "each class" : "each class of ") : wholeDataset ? "all images" : "") +
    (wholeDataset ? "" : sources.join(" + ")) +
    ` (${formatCount(pool.length)} images)`;
  const splits: Partial<Record<SplitName, Int32Array>> = {};
  const origins: Partial<Record<SplitName, string>> = {};
  for (const name of SPLIT_NAMES) {
    if (kept.includes(name)) {
      splits[name] = dataset.indices(name);
      origins[name] = dataset.splitOrigin(name);
      continue;
    }
    // Shuffle again so a split read in order is not sorted by class.
    splits[name] = Int32Array.from(shuffleInPlace(dealt[name], random));
    origins[name] = `${percent(requested[name])} of ${poolText}, shuffled with seed ${seed}`;
  }
  return dataset.withSplits(splits, origins);
}

function fraction(name: string, value: number): number {
  if (!(typeof value === "number" && value >= 0 && value <= 1)) {
    throw new Error(`The ${name} fraction must be a number from 0 to 1 (got ${String(value)}); 0.2 means 20%.`);
  }
  return value;
}
