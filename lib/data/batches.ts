/**
 * Streaming batches: the way training reads a dataset. Only a few batches
 * are ever in memory, so a folder larger than memory trains in bounded
 * memory. Reading runs ahead as bytes; tensors are made only when a batch is
 * handed over, and then belong to the caller (see Batch).
 */
import * as tf from "@tensorflow/tfjs";
import type { Batch, BatchOptions, Dataset, LabelOptions } from "./dataset";
import { checkSplitName } from "./split-names";
import { augmentImages, isIdentityAugmentation, resolveAugmentOptions } from "./augment";
import { normalizePixels } from "./normalization";
import { createRandom, mixSeeds, shuffleInPlace } from "./random";

/** Images per batch when none is given. */
export const DEFAULT_BATCH_SIZE = 32;

/** Batches in one pass over `size` images: the last one smaller, or left out with `dropRemainder`. */
export function batchesPerPass(size: number, batchSize: number, dropRemainder = false): number {
  return dropRemainder ? Math.floor(size / batchSize) : Math.ceil(size / batchSize);
}

/** The order in which one pass visits a split: seeded, and different for each epoch. */
export function passOrder(dataset: Dataset, options: Pick<BatchOptions, "split" | "shuffle" | "seed" | "epoch">): Int32Array {
  const split = checkSplitName(options.split ?? "train");
  const order = Int32Array.from(dataset.indices(split));
  const shuffle = options.shuffle ?? split === "train";
  if (shuffle) shuffleInPlace(order, createRandom(mixSeeds(options.seed ?? 0, options.epoch ?? 0, 1)));
  return order;
}

/** The augmentation seed of one epoch (toTensors uses epoch 0, so it matches an unshuffled pass). */
export function augmentSeed(seed: number, epoch: number): number {
  return mixSeeds(seed, epoch, 2);
}

function checkBatchOptions(options: BatchOptions): void {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new Error(`batchSize must be a whole number of at least 1 (got ${String(options.batchSize)}).`);
  }
  const prefetch = options.prefetch ?? 2;
  if (!Number.isInteger(prefetch) || prefetch < 0) {
    throw new Error(`prefetch must be a whole number of batches, 0 or more (got ${String(options.prefetch)}).`);
  }
  if (options.labels !== undefined && options.labels !== "one-hot" && options.labels !== "index") {
    throw new Error(`labels must be "one-hot" or "index" (got "${String(options.labels)}").`);
  }
  if (options.augment) resolveAugmentOptions(options.augment);
}

/** Reads, augments and normalizes a list of images into float32 (no tensors yet). */
export async function prepareImages(
  dataset: Dataset,
  indices: Int32Array,
  augment: BatchOptions["augment"],
  augmentSeed: number,
): Promise<{ inputs: Float32Array; labels: Int32Array }> {
  const pixels = await dataset.readImages(indices);
  if (augment && !isIdentityAugmentation(augment)) augmentImages(pixels, dataset.shape, augment, augmentSeed, indices);
  const inputs = normalizePixels(pixels, dataset.shape, dataset.normalization);
  const labels = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) labels[i] = dataset.labels[indices[i]];
  return { inputs, labels };
}

/** Labels as a tensor: one-hot float32 [n, classes] or int32 [n]. */
export function labelTensor(labels: Int32Array, numClasses: number, kind: LabelOptions["labels"]): tf.Tensor2D | tf.Tensor1D {
  if (kind === "index") return tf.tensor1d(labels, "int32");
  const oneHot = new Float32Array(labels.length * numClasses);
  for (let i = 0; i < labels.length; i++) oneHot[i * numClasses + labels[i]] = 1;
  return tf.tensor2d(oneHot, [labels.length, numClasses], "float32");
}

interface Prepared {
  indices: Int32Array;
  inputs: Float32Array;
  labels: Int32Array;
}

export function streamBatches(dataset: Dataset, options: BatchOptions = {}): AsyncIterableIterator<Batch> {
  checkBatchOptions(options);
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const prefetch = options.prefetch ?? 2;
  const order = passOrder(dataset, options);
  const seedForAugment = augmentSeed(options.seed ?? 0, options.epoch ?? 0);
  const batchCount = batchesPerPass(order.length, batchSize, options.dropRemainder);
  const [height, width, channels] = dataset.shape;

  const pending: Promise<Prepared>[] = [];
  let nextToRead = 0;
  let nextToYield = 0;
  let finished = false;

  const startReading = (): void => {
    while (!finished && nextToRead < batchCount && pending.length <= prefetch) {
      const indices = order.subarray(nextToRead * batchSize, Math.min(order.length, (nextToRead + 1) * batchSize));
      const read = prepareImages(dataset, indices, options.augment, seedForAugment).then((p) => ({ indices, ...p }));
      // A read that fails is reported when its batch is asked for, not as an unhandled rejection.
      read.catch(() => undefined);
      pending.push(read);
      nextToRead++;
    }
  };

  const iterator: AsyncIterableIterator<Batch> = {
    async next(): Promise<IteratorResult<Batch>> {
      if (finished || nextToYield >= batchCount) {
        finished = true;
        return { done: true, value: undefined };
      }
      startReading();
      const prepared = await pending.shift()!;
      const batchIndex = nextToYield++;
      startReading();
      const size = prepared.indices.length;
      // Tensors are created here and nowhere else: from now on they are the caller's.
      const xs = tf.tensor4d(prepared.inputs, [size, height, width, channels], "float32");
      const ys = labelTensor(prepared.labels, dataset.numClasses, options.labels);
      const batch: Batch = {
        xs,
        ys,
        labels: prepared.labels,
        indices: Int32Array.from(prepared.indices),
        size,
        batchIndex,
        dispose: () => {
          xs.dispose();
          ys.dispose();
        },
      };
      return { done: false, value: batch };
    },
    async return(): Promise<IteratorResult<Batch>> {
      // Read-ahead holds only bytes; dropping the promises frees them.
      finished = true;
      pending.length = 0;
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}

/** Number of batches one pass over a split gives. */
export function batchCount(dataset: Dataset, options: Pick<BatchOptions, "split" | "batchSize" | "dropRemainder"> = {}): number {
  const size = dataset.size(checkSplitName(options.split ?? "train"));
  return batchesPerPass(size, options.batchSize ?? DEFAULT_BATCH_SIZE, options.dropRemainder);
}
