/**
 * augmentedCopy(): a dataset whose images have been changed once, for good,
 * by the augmentation options: an inverted (black-on-white) MNIST, a test set
 * of shifted and rotated digits. Training augments afresh every epoch (the
 * `augment` option of train() and batches()); a copy is for measuring a
 * model on one fixed set of changed images, again and again, with the
 * ordinary tools (interpret, check, sampleGrid).
 *
 * Each image is changed with the seed mixed with its store index, exactly as
 * augmentImages does, so a copy is the same for the same seed.
 */
import { augmentImages, resolveAugmentOptions, type AugmentOptions } from "./augment";
import type { Dataset } from "./dataset";
import { MemoryPixelStore } from "./pixel-store";

export interface AugmentedCopyOptions {
  /** Seed of the random changes. Default 0. */
  seed?: number;
  /** The copy's name. Default: the dataset's name and the changes, e.g. "mnist (invert)". */
  name?: string;
  /** Refuse to copy more than this many bytes of pixels into memory. Default 1 GiB. */
  maxBytes?: number;
}

const GiB = 1024 ** 3;

/** A copy of `dataset`, same labels and splits, every image changed by `augment` (in memory). */
export async function augmentedCopy(dataset: Dataset, augment: AugmentOptions, options: AugmentedCopyOptions = {}): Promise<Dataset> {
  if (!augment || typeof augment !== "object") {
    throw new Error('augmentedCopy takes the changes to make as its second argument, e.g. augmentedCopy(digits, { invert: true }).');
  }
  resolveAugmentOptions(augment);
  const seed = options.seed ?? 0;
  if (!(Number.isInteger(seed) && seed >= 0)) throw new Error(`augmentedCopy: seed must be a whole number, 0 or more (got ${String(options.seed)}).`);
  const store = dataset.pixels;
  const bytes = store.count * store.imageBytes;
  const maxBytes = options.maxBytes ?? GiB;
  if (bytes > maxBytes) {
    throw new Error(
      `augmentedCopy would hold ${(bytes / 2 ** 20).toFixed(0)} MiB of ${dataset.name}'s pixels in memory (limit ${(maxBytes / 2 ** 20).toFixed(0)} MiB). ` +
        `Augment while training instead (train(model, data, { augment })), or raise the limit with { maxBytes }.`,
    );
  }
  const ids = Int32Array.from({ length: store.count }, (_, i) => i);
  const pixels = await store.read(ids);
  augmentImages(pixels, dataset.shape, augment, seed, ids);
  return dataset.derive({
    name: options.name ?? `${dataset.name} (${describeChanges(augment)})`,
    pixels: new MemoryPixelStore(pixels, store.imageBytes),
  });
}

/** "invert", "shift 0.15, rotate 20", … for the default name. */
function describeChanges(augment: AugmentOptions): string {
  const parts = Object.entries(augment)
    .filter(([key, value]) => value !== undefined && value !== false && value !== 0 && key !== "fill" && key !== "fillValue")
    .map(([key, value]) => (value === true ? key : `${key} ${String(value)}`));
  return parts.length ? parts.join(", ") : "unchanged";
}
