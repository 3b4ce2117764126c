/**
 * The Dataset: labelled uint8 images of one shape, a store that holds them,
 * named splits (lists of indices into the store) and the normalization that
 * turns pixels into model inputs. Everything that trains, evaluates or shows
 * data takes a Dataset.
 *
 * A Dataset is immutable: split(), normalize() and friends return a new one
 * that shares the same pixel store.
 */
import type * as tf from "@tensorflow/tfjs";
import { DISPLAY, MimeBundle } from "../display";
import { PixelStore } from "./pixel-store";
import { Normalization, scaleNormalization, validateNormalization } from "./normalization";
import type { AugmentOptions } from "./augment";
import { streamBatches } from "./batches";
import { splitToTensors } from "./tensors";
import { summarize } from "./summary";
import { formatCount } from "../display/html";
import { checkSplitName, SPLIT_NAMES, type SplitName } from "./split-names";

export { SPLIT_NAMES, checkSplitName, type SplitName } from "./split-names";

/** [height, width, channels], as tfjs lays out images (NHWC). */
export type ImageShape = readonly [height: number, width: number, channels: number];

/** Where a dataset came from, for summaries and for honest reporting. */
export interface DatasetSource {
  description: string;
  license?: string;
  url?: string;
}

export interface DatasetInit {
  name: string;
  shape: ImageShape;
  classNames: readonly string[];
  pixels: PixelStore;
  /** One class index per stored image. */
  labels: Int32Array;
  /** Indices into the store for each split; absent splits are empty. */
  splits: Partial<Record<SplitName, Int32Array>>;
  /** How each split was made, e.g. "official test set" or "20% of each class, seed 0". */
  splitOrigins?: Partial<Record<SplitName, string>>;
  normalization?: Normalization;
  source?: DatasetSource;
  /** Set by importImageFolder: what it read, skipped and split. */
  report?: unknown;
}

/** One labelled image. */
export interface LabelledImage {
  /** height × width × channels bytes. */
  pixels: Uint8Array;
  label: number;
  className: string;
  /** Index of the image in the dataset's store. */
  index: number;
}

/** Options shared by the batch iterator and toTensors. */
export interface LabelOptions {
  /** "one-hot" gives float32 [n, classes] (Keras's categorical labels); "index" gives int32 [n]. Default "one-hot". */
  labels?: "one-hot" | "index";
}

export interface BatchOptions extends LabelOptions {
  /** Which split to iterate. Default "train". */
  split?: SplitName;
  /** Images per batch. Default 32, as in Keras. */
  batchSize?: number;
  /** Visit the split in a seeded random order. Default true for train, false otherwise. */
  shuffle?: boolean;
  /** Seed for the order and the augmentation. Default 0. */
  seed?: number;
  /** Mixed into the seed, so each epoch has its own order and augmentation. Default 0. */
  epoch?: number;
  /** Random changes to each image before normalization (see AugmentOptions). Default none. */
  augment?: AugmentOptions | null;
  /** Leave out a last batch smaller than batchSize. Default false. */
  dropRemainder?: boolean;
  /** Batches read ahead (as bytes, never as tensors) while the caller works. Default 2. */
  prefetch?: number;
}

/**
 * One batch. **The caller owns its tensors**: call `batch.dispose()` (or
 * `tf.dispose(batch)`) when done with it. The iterator creates a batch's
 * tensors only as it hands the batch over and keeps no reference, so
 * breaking out of the loop early leaks nothing.
 */
export interface Batch {
  /** float32 [n, height, width, channels], normalized. */
  xs: tf.Tensor4D;
  /** float32 [n, classes] one-hot, or int32 [n] class indices. */
  ys: tf.Tensor2D | tf.Tensor1D;
  /** The class indices, also as plain numbers. */
  labels: Int32Array;
  /** Store indices of the images in this batch (for looking at mistakes later). */
  indices: Int32Array;
  /** Number of images in this batch. */
  size: number;
  /** 0-based batch number within this pass. */
  batchIndex: number;
  /** Frees xs and ys. */
  dispose(): void;
}

export interface TensorsOptions extends LabelOptions {
  /** Random changes to each image (e.g. `{ invert: true }` for an inverted test set). Default none. */
  augment?: AugmentOptions | null;
  /** Seed for the augmentation. Default 0. */
  seed?: number;
  /** Refuse to build tensors larger than this many bytes. Default 1 GiB. */
  maxBytes?: number;
}

/** A whole split as tensors; the caller owns (and disposes) both. */
export interface SplitTensors {
  xs: tf.Tensor4D;
  ys: tf.Tensor2D | tf.Tensor1D;
  labels: Int32Array;
  size: number;
}

export class Dataset {
  readonly name: string;
  readonly shape: ImageShape;
  readonly classNames: readonly string[];
  readonly pixels: PixelStore;
  readonly labels: Int32Array;
  readonly normalization: Normalization;
  readonly source: DatasetSource | undefined;
  readonly report: unknown;
  private readonly splitIndices: Record<SplitName, Int32Array>;
  private readonly origins: Partial<Record<SplitName, string>>;

  constructor(init: DatasetInit) {
    const [height, width, channels] = init.shape;
    if (![height, width, channels].every((n) => Number.isInteger(n) && n > 0) || (channels !== 1 && channels !== 3)) {
      throw new Error(`Image shape [${init.shape.join(", ")}] is not [height, width, 1 or 3 channels].`);
    }
    if (init.pixels.imageBytes !== height * width * channels) {
      throw new Error(`The pixel store holds ${init.pixels.imageBytes}-byte images, but shape [${init.shape.join(", ")}] needs ${height * width * channels}.`);
    }
    if (init.labels.length !== init.pixels.count) {
      throw new Error(`There are ${init.labels.length} labels for ${init.pixels.count} images.`);
    }
    if (init.classNames.length < 1) throw new Error("A dataset needs at least one class name.");
    for (const label of init.labels) {
      if (label < 0 || label >= init.classNames.length) {
        throw new Error(`Label ${label} has no class name (there are ${init.classNames.length} classes).`);
      }
    }
    this.name = init.name;
    this.shape = [height, width, channels];
    this.classNames = Object.freeze([...init.classNames]);
    this.pixels = init.pixels;
    this.labels = init.labels;
    this.source = init.source;
    this.report = init.report;
    this.splitIndices = {
      train: init.splits.train ?? new Int32Array(0),
      validation: init.splits.validation ?? new Int32Array(0),
      test: init.splits.test ?? new Int32Array(0),
    };
    for (const name of SPLIT_NAMES) {
      for (const index of this.splitIndices[name]) {
        if (index < 0 || index >= init.pixels.count) {
          throw new Error(`The ${name} split refers to image ${index}, but the store holds ${init.pixels.count}.`);
        }
      }
    }
    this.origins = { ...init.splitOrigins };
    this.normalization = init.normalization ?? scaleNormalization();
    validateNormalization(this.normalization, this.shape);
  }

  get height(): number {
    return this.shape[0];
  }
  get width(): number {
    return this.shape[1];
  }
  get channels(): number {
    return this.shape[2];
  }
  get numClasses(): number {
    return this.classNames.length;
  }

  /** Splits that hold at least one image, in the order train, validation, test. */
  get splitNames(): SplitName[] {
    return SPLIT_NAMES.filter((name) => this.splitIndices[name].length > 0);
  }

  /** Number of images in a split, or in all splits together. */
  size(split?: SplitName): number {
    if (split) return this.indices(split).length;
    return SPLIT_NAMES.reduce((sum, name) => sum + this.splitIndices[name].length, 0);
  }

  /** Store indices of a split's images, in split order. Do not modify. */
  indices(split: SplitName): Int32Array {
    const indices = this.splitIndices[checkSplitName(split)];
    return indices;
  }

  /** How a split was made. */
  splitOrigin(split: SplitName): string | undefined {
    return this.origins[split];
  }

  /** Class indices of a split's images, in split order. */
  splitLabels(split: SplitName): Int32Array {
    const indices = this.indices(split);
    const out = new Int32Array(indices.length);
    for (let i = 0; i < indices.length; i++) out[i] = this.labels[indices[i]];
    return out;
  }

  /** Images per class in a split (or in all splits). */
  classCounts(split?: SplitName): number[] {
    const counts = new Array<number>(this.numClasses).fill(0);
    for (const name of split ? [split] : SPLIT_NAMES) {
      for (const index of this.indices(name)) counts[this.labels[index]]++;
    }
    return counts;
  }

  /** The `position`-th image of a split. */
  async image(split: SplitName, position: number): Promise<LabelledImage> {
    const indices = this.indices(split);
    if (!Number.isInteger(position) || position < 0 || position >= indices.length) {
      throw new RangeError(`The ${split} split has ${indices.length} images; there is no image ${position}.`);
    }
    const index = indices[position];
    const pixels = await this.pixels.read([index]);
    const label = this.labels[index];
    return { pixels, label, className: this.classNames[label], index };
  }

  /** Raw uint8 pixels of images by store index, concatenated. */
  readImages(indices: ArrayLike<number>, target?: Uint8Array): Promise<Uint8Array> {
    return this.pixels.read(indices, target);
  }

  /**
   * Batches of a split, as an async iterator:
   *
   *     for await (const batch of dataset.batches({ batchSize: 64, seed: 1, epoch })) {
   *       ... train on batch.xs, batch.ys ...
   *       batch.dispose();
   *     }
   *
   * Only a few batches are ever in memory, whatever the dataset's size.
   */
  batches(options: BatchOptions = {}): AsyncIterableIterator<Batch> {
    return streamBatches(this, options);
  }

  /** A whole split as two tensors, for small datasets. The caller disposes them. */
  toTensors(split: SplitName, options: TensorsOptions = {}): Promise<SplitTensors> {
    return splitToTensors(this, split, options);
  }

  /** A copy with a different normalization (see normalize() to compute one). */
  withNormalization(normalization: Normalization): Dataset {
    return this.derive({ normalization });
  }

  /** A copy with different splits over the same images (see split()). */
  withSplits(splits: Partial<Record<SplitName, Int32Array>>, splitOrigins: Partial<Record<SplitName, string>> = {}): Dataset {
    return this.derive({ splits, splitOrigins });
  }

  /** Same images, changed fields. */
  derive(changes: Partial<DatasetInit>): Dataset {
    return new Dataset({
      name: this.name,
      shape: this.shape,
      classNames: this.classNames,
      pixels: this.pixels,
      labels: this.labels,
      splits: this.splitIndices,
      splitOrigins: this.origins,
      normalization: this.normalization,
      source: this.source,
      report: this.report,
      ...changes,
    });
  }

  /** One line: "mnist: 10,000 images 28×28×1, 10 classes (train 6,000 / validation 2,000 / test 2,000)". */
  toString(): string {
    const splits = this.splitNames.map((name) => `${name} ${formatCount(this.size(name))}`).join(" / ");
    return (
      `${this.name}: ${formatCount(this.size())} images ${this.height}×${this.width}×${this.channels}, ` +
      `${this.numClasses} classes (${splits || "no splits"})`
    );
  }

  [DISPLAY](): Promise<MimeBundle> {
    return summarize(this).then((summary) => summary[DISPLAY]());
  }
}
