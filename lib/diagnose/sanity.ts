/**
 * Sanity checks before a long run:
 * - overfitOneBatch: a network that cannot learn one batch by heart has a bug
 *   (or a learning rate far off), whatever the dataset.
 * - shuffledLabels: with labels shuffled there is nothing to learn, so
 *   validation accuracy must stay at chance; above chance, something leaks.
 * - findDuplicates: the same image in two splits makes validation too kind.
 */
import { createHash } from "node:crypto";
import type * as tf from "@tensorflow/tfjs";
import { createRandom, type Dataset, mixSeeds, shuffleInPlace, SPLIT_NAMES, type SplitName } from "../data";
import { train, type TrainOptions } from "../train";
import { escapeHtml, percent } from "../display/html";
import { DEFAULT_BATCH_SIZE } from "../data/batches";
import { DISPLAY, type MimeBundle } from "../display";

export interface SanityCheckResult {
  name: string;
  passed: boolean;
  /** What was measured and what it means. */
  message: string;
  details: Record<string, unknown>;
}

function checkDisplay(results: SanityCheckResult[]): MimeBundle {
  const lines = results.map((r) => `${r.passed ? "✓" : "✗"} ${r.name}: ${r.message}`);
  return {
    "text/html": `<div style="font-family:sans-serif;font-size:13px">${lines.map((l) => `<div>${escapeHtml(l)}</div>`).join("")}</div>`,
    "text/plain": lines.join("\n"),
  };
}

export class SanityReport {
  constructor(readonly checks: SanityCheckResult[]) {}
  get passed(): boolean {
    return this.checks.every((c) => c.passed);
  }
  toString(): string {
    return String(checkDisplay(this.checks)["text/plain"]);
  }
  [DISPLAY](): MimeBundle {
    return checkDisplay(this.checks);
  }
}

export interface OverfitOneBatchOptions {
  /** Images in the batch. Default 32. */
  batchSize?: number;
  /** Steps on that batch. Default 100. */
  steps?: number;
  /** train() options (solver, learningRate, ...). Default: train()'s, with a fixed rate and no weight decay. */
  options?: TrainOptions;
  seed?: number;
}

/** Trains on one batch again and again: it should end at 100 % accuracy and a loss near 0. */
export async function overfitOneBatch(build: (seed: number) => tf.LayersModel, data: Dataset, options: OverfitOneBatchOptions = {}): Promise<SanityCheckResult> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const steps = options.steps ?? 100;
  const seed = options.seed ?? 1;
  const order = Int32Array.from(data.indices("train"));
  shuffleInPlace(order, createRandom(mixSeeds(seed, 29)));
  const batch = data.withSplits({ train: order.slice(0, batchSize) });
  const model = build(seed);
  try {
    const run = await train(model, batch, {
      lrPolicy: "fixed",
      weightDecay: 0,
      ...options.options,
      epochs: steps,
      batchSize,
      validationInterval: 0,
      snapshots: false,
      live: false,
      randomSeed: seed,
    });
    const final = run.final!;
    const passed = final.accuracy === 1 && final.loss! < 0.05;
    return {
      name: "overfit one batch",
      passed,
      message: passed
        ? `after ${run.history.length} steps on ${batch.size("train")} images: loss ${final.loss!.toFixed(4)}, accuracy 100%. The network can learn.`
        : `after ${run.history.length} steps on ${batch.size("train")} images the loss is ${final.loss!.toFixed(4)} and accuracy ` +
          `${percent(final.accuracy!)}: a network should learn one batch by heart. Check the learning rate ` +
          `(try 10× higher or lower), the labels and the last layer (one unit per class).`,
      details: { steps: run.history.length, loss: final.loss, accuracy: final.accuracy, lossByStep: run.history.map((r) => r.loss) },
    };
  } finally {
    model.dispose();
  }
}

export interface ShuffledLabelsOptions {
  /** train() options. Default { epochs: 3 }. */
  options?: TrainOptions;
  seed?: number;
}

/** The dataset with its training labels shuffled among the training images (validation and test keep theirs). */
export function withShuffledTrainLabels(data: Dataset, seed: number): Dataset {
  const labels = Int32Array.from(data.labels);
  const train = data.indices("train");
  const moved = Int32Array.from(train, (i) => labels[i]);
  shuffleInPlace(moved, createRandom(mixSeeds(seed, 31)));
  train.forEach((index, k) => (labels[index] = moved[k]));
  return data.derive({ labels, name: `${data.name} (shuffled labels)` });
}

/** Trains on shuffled labels: validation accuracy should stay near chance. */
export async function shuffledLabels(build: (seed: number) => tf.LayersModel, data: Dataset, options: ShuffledLabelsOptions = {}): Promise<SanityCheckResult> {
  if (data.size("validation") === 0) throw new Error("shuffledLabels needs a validation split; use split(dataset) first.");
  const seed = options.seed ?? 1;
  const counts = data.classCounts("validation");
  const chance = Math.max(...counts) / data.size("validation");
  const model = build(seed);
  try {
    const run = await train(model, withShuffledTrainLabels(data, seed), { epochs: 3, ...options.options, snapshots: false, live: false, randomSeed: seed });
    const accuracy = Math.max(...run.history.map((r) => r.valAccuracy ?? 0));
    // Three standard errors above chance is beyond luck for a validation split this size.
    const margin = 3 * Math.sqrt((chance * (1 - chance)) / data.size("validation"));
    const passed = accuracy <= chance + margin;
    return {
      name: "shuffled labels",
      passed,
      message: passed
        ? `with shuffled training labels validation accuracy stays at ${percent(accuracy)} (chance ${percent(chance)}): ` +
          `the network learns from the labels, not from something else.`
        : `with shuffled training labels validation accuracy reaches ${percent(accuracy)}, above chance ` +
          `(${percent(chance)}): something other than the labels carries the answer. Look for duplicates across splits ` +
          `or class-dependent image properties (size, border, file format).`,
      details: { valAccuracy: accuracy, chance, margin },
    };
  } finally {
    model.dispose();
  }
}

export interface DuplicateReport extends SanityCheckResult {
  /** Groups of store indices holding identical images, with the splits they are in. */
  groups: { indices: number[]; splits: SplitName[] }[];
}

/** Finds byte-identical images, and those shared between splits. */
export async function findDuplicates(data: Dataset, options: { chunkSize?: number } = {}): Promise<DuplicateReport> {
  const chunkSize = options.chunkSize ?? 2048;
  const bySplit = new Map<number, SplitName>();
  for (const name of SPLIT_NAMES) for (const index of data.indices(name)) bySplit.set(index, name);
  const all = Int32Array.from(bySplit.keys()).sort();
  const imageBytes = data.height * data.width * data.channels;
  const seen = new Map<string, number[]>();
  for (let start = 0; start < all.length; start += chunkSize) {
    const chunk = all.subarray(start, Math.min(all.length, start + chunkSize));
    const pixels = await data.readImages(chunk);
    chunk.forEach((index, k) => {
      const hash = createHash("sha1").update(pixels.subarray(k * imageBytes, (k + 1) * imageBytes)).digest("base64");
      const list = seen.get(hash);
      if (list) list.push(index);
      else seen.set(hash, [index]);
    });
  }
  const groups = [...seen.values()]
    .filter((g) => g.length > 1)
    .map((indices) => ({ indices, splits: [...new Set(indices.map((i) => bySplit.get(i)!))] }));
  const across = groups.filter((g) => g.splits.length > 1);
  const extra = groups.reduce((s, g) => s + g.indices.length - 1, 0);
  const passed = across.length === 0;
  return {
    name: "duplicates across splits",
    passed,
    message: passed
      ? `no image appears in two splits` + (groups.length ? ` (${extra} repeated within a split).` : ".")
      : `${across.length} image${across.length === 1 ? " appears" : "s appear"} in more than one split (e.g. store images ` +
        `${across[0].indices.slice(0, 3).join(", ")} in ${across[0].splits.join(" and ")}): validation and test see images ` +
        `training saw. Remove the copies, or split again so each image is in one split.`,
    details: { groups: groups.length, acrossSplits: across.length, repeatedImages: extra },
    groups,
  };
}

/** All three checks. */
export async function sanityChecks(build: (seed: number) => tf.LayersModel, data: Dataset, options: { options?: TrainOptions; seed?: number } = {}): Promise<SanityReport> {
  const checks: SanityCheckResult[] = [];
  checks.push(await findDuplicates(data));
  checks.push(await overfitOneBatch(build, data, { seed: options.seed, options: options.options }));
  checks.push(await shuffledLabels(build, data, { seed: options.seed, options: options.options }));
  return new SanityReport(checks);
}
