/**
 * Feature extraction: a network's activations at one layer, used as the
 * description of each image (its "features"), as HOG features are in
 * lesson 9, but learned instead of designed.
 *
 *     const features = await extractFeatures(backbone, digits, { layer: "pool2" });
 *     const classifier = await trainOnFeatures(features);
 *
 * Extraction streams the images batch by batch (any dataset size, bounded
 * memory) and caches the result per image: for the same model weights,
 * layer, pixel store and normalization, an image's features are computed
 * once, so extracting again (or from a subset, or another split) reads no
 * image that was read before.
 */
import { createHash } from "node:crypto";
import * as tf from "@tensorflow/tfjs";
import { Dataset, type PixelStore, ProgressLine, SPLIT_NAMES, type SplitName } from "../data";
import { wasInterrupted } from "../display";
import { backboneOutput, checkModel, layerIndex, modelLayers, type LayerRef } from "./layers";

/**
 * A model that maps images to the activations of `layer` (default: the
 * backbone's last layer, the one the head reads). It shares the weights of
 * `model`, so it always reflects them.
 */
export function featureExtractor(model: tf.LayersModel, layer?: LayerRef): tf.LayersModel {
  checkModel(model);
  const index = layer === undefined ? backboneOutput(model) : layerIndex(model, layer);
  const target = modelLayers(model)[index];
  return tf.model({ inputs: model.inputs, outputs: target.output as tf.SymbolicTensor, name: `${model.name}-features-${target.name}` });
}

export interface ExtractOptions {
  /** The layer whose activations are the features. Default: the backbone's last layer (before the head). */
  layer?: LayerRef;
  /** The splits to extract. Default: every split that holds images. */
  splits?: readonly SplitName[];
  /** Images per forward pass (one predict() call each): more takes more memory, and above a few dozen hardly less time. Default 256. */
  batchSize?: number;
  /** Show a progress line for large extractions (2,000 images or more, in a notebook). Default true. */
  progress?: boolean;
}

/** Features of a dataset's images at one layer: one row per image, per split. */
export class Features {
  constructor(
    /** Numbers per image (the layer's activations, flattened). */
    readonly dims: number,
    /** The layer's output shape for one image, e.g. [4, 4, 50]. */
    readonly shape: number[],
    readonly layer: string,
    /** The model the features came from. */
    readonly model: tf.LayersModel,
    readonly data: Dataset,
    private readonly rows: Map<number, Float32Array>,
    /** Images read (and run through the network) by this extraction; 0 when everything came from the cache. */
    readonly imagesRead: number,
    /** Seconds this extraction took. */
    readonly seconds: number,
  ) {}

  get classNames(): readonly string[] {
    return this.data.classNames;
  }

  size(split: SplitName): number {
    return this.data.size(split);
  }

  /** Class indices of a split, in split order. */
  labels(split: SplitName): Int32Array {
    return this.data.splitLabels(split);
  }

  /** The features of `count` images of a split from `start`, as one [count × dims] array. */
  rowsOf(split: SplitName, start = 0, count = this.size(split) - start, order?: ArrayLike<number>): Float32Array {
    const indices = this.data.indices(split);
    const out = new Float32Array(count * this.dims);
    for (let i = 0; i < count; i++) {
      const position = order ? order[start + i] : start + i;
      out.set(this.rows.get(indices[position])!, i * this.dims);
    }
    return out;
  }

  /**
   * The same features for another view of the same images (a subset from
   * trainSubset or samplePerClass, other splits from withSplits), reading no
   * image: every image of the view must have been extracted.
   */
  of(view: Dataset): Features {
    if (view.pixels !== this.data.pixels) {
      throw new Error(
        `These features were computed for ${this.data.name}'s images, not ${view.name}'s. ` +
          `Take the view from the same dataset (trainSubset(data, ...), withSplits(...)), or extract features for ${view.name} itself.`,
      );
    }
    if (JSON.stringify(view.normalization) !== JSON.stringify(this.data.normalization)) {
      throw new Error(`These features were computed for ${this.data.name}'s images as normalized then, not in ${view.name}'s normalization. Extract features for ${view.name} itself.`);
    }
    for (const split of SPLIT_NAMES) {
      const missing = Array.from(view.indices(split)).find((i) => !this.rows.has(i));
      if (missing !== undefined) {
        throw new Error(`Image ${missing} of ${view.name}'s ${split} split has no features: it is not among the images these features were computed for. Extract them from a dataset that holds it.`);
      }
    }
    return new Features(this.dims, this.shape, this.layer, this.model, view, this.rows, 0, 0);
  }

  /** A split's features as a tensor [images, dims]; the caller disposes it. */
  tensor(split: SplitName): tf.Tensor2D {
    return tf.tensor2d(this.rowsOf(split), [this.size(split), this.dims]);
  }

  toString(): string {
    const splits = SPLIT_NAMES.filter((s) => this.size(s) > 0)
      .map((s) => `${s} ${this.size(s).toLocaleString("en-US")}`)
      .join(" / ");
    return (
      `Features of ${this.data.name} at layer "${this.layer}" of ${this.model.name}: ${this.dims.toLocaleString("en-US")} numbers per image ` +
      `(${this.shape.join("×")}), ${splits}. ${this.imagesRead.toLocaleString("en-US")} images read in ${this.seconds.toFixed(1)} s` +
      (this.imagesRead === 0 ? " (all from the cache)." : ".")
    );
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

/** Cached rows, per model → (layer, weights, store, normalization) → image index. */
const cache = new WeakMap<tf.LayersModel, Map<string, Map<number, Float32Array>>>();
const storeIds = new WeakMap<PixelStore, number>();
let nextStoreId = 1;

function storeId(store: PixelStore): number {
  let id = storeIds.get(store);
  if (id === undefined) storeIds.set(store, (id = nextStoreId++));
  return id;
}

/** A digest of the weights up to `index`: training the model changes it, so stale features are never reused. */
function weightsDigest(layers: tf.layers.Layer[], index: number): string {
  const hash = createHash("sha1");
  for (const layer of layers.slice(0, index + 1)) {
    for (const w of layer.getWeights()) {
      const values = w.dataSync() as Float32Array;
      hash.update(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
    }
  }
  return hash.digest("hex");
}

/** Every model's cache, held weakly, so clearing all of them keeps no model alive. */
const allCaches = new Set<WeakRef<Map<string, Map<number, Float32Array>>>>();

/** Forgets every cached feature (of one model, or of all). */
export function clearFeatureCache(model?: tf.LayersModel): void {
  if (model) {
    cache.get(model)?.clear();
    return;
  }
  for (const ref of allCaches) ref.deref()?.clear();
  allCaches.clear();
}

/** The cache's rows of one model under one key (layer, weights, store, normalization), made empty if new. */
function cachedRows(model: tf.LayersModel, key: string): Map<number, Float32Array> {
  let perModel = cache.get(model);
  if (!perModel) {
    cache.set(model, (perModel = new Map()));
    allCaches.add(new WeakRef(perModel));
  }
  let rows = perModel.get(key);
  if (!rows) perModel.set(key, (rows = new Map()));
  return rows;
}

/** Runs the training split of `images` through the model up to `layer`, batch by batch, into `rows` (by image index). */
async function extractRows(
  model: tf.LayersModel,
  layer: tf.layers.Layer,
  images: Dataset,
  rows: Map<number, Float32Array>,
  options: Pick<ExtractOptions, "batchSize" | "progress">,
): Promise<void> {
  const extractor = tf.model({ inputs: model.inputs, outputs: layer.output as tf.SymbolicTensor });
  const dims = (layer.outputShape as number[]).slice(1).reduce((a, b) => a * b, 1);
  const total = images.size("train");
  // Small extractions take a moment; a progress line would only flash.
  const progress = (options.progress ?? true) && total >= 2000 ? new ProgressLine(`Extracting features at "${layer.name}"`, total) : undefined;
  let done = 0;
  for await (const batch of images.batches({ batchSize: options.batchSize ?? 256, shuffle: false, labels: "index" })) {
    try {
      if (wasInterrupted()) throw new Error("Feature extraction was interrupted; the features extracted so far are cached, so running it again continues.");
      // One predict() call per batch (its own default would cut it into 32s), read outside tf.tidy: on wasm, reading inside one is several times slower.
      const out = tf.tidy(() => (extractor.predict(batch.xs, { batchSize: batch.size }) as tf.Tensor).reshape([batch.size, dims]));
      const values = out.dataSync() as Float32Array;
      out.dispose();
      batch.indices.forEach((imageIndex, i) => rows.set(imageIndex, values.slice(i * dims, (i + 1) * dims)));
    } finally {
      batch.dispose();
    }
    done += batch.size;
    progress?.update(done);
  }
  progress?.finish();
}

/**
 * The activations of `layer` for every image of the chosen splits of
 * `data`, flattened to one row per image. Images already extracted (same
 * model weights, layer, images and normalization) come from the cache.
 */
export async function extractFeatures(model: tf.LayersModel, data: Dataset, options: ExtractOptions = {}): Promise<Features> {
  checkModel(model);
  if (!(data instanceof Dataset)) throw new Error("extractFeatures takes a model and a convlab Dataset, e.g. extractFeatures(backbone, digits, { layer: \"pool2\" }).");
  const layers = modelLayers(model);
  const index = options.layer === undefined ? backboneOutput(model) : layerIndex(model, options.layer);
  const layer = layers[index];
  const expected = (model.inputs[0].shape as (number | null)[]).slice(1);
  if (expected.join("×") !== data.shape.join("×")) {
    throw new Error(
      `${model.name} takes ${expected.join("×")} images, but ${data.name}'s are ${data.shape.join("×")}. ` +
        `Import or load the images at ${expected.join("×")} (for a folder: importImageFolder(dir, { width: ${expected[1]}, height: ${expected[0]}, imageType: "${expected[2] === 1 ? "grayscale" : "color"}" })).`,
    );
  }
  const splits = (options.splits ?? data.splitNames).map((s) => {
    if (!SPLIT_NAMES.includes(s)) throw new Error(`"${s}" is not a split name; use ${SPLIT_NAMES.join(", ")}.`);
    return s;
  });
  const started = performance.now();
  const shape = (layer.outputShape as number[]).slice(1);
  const dims = shape.reduce((a, b) => a * b, 1);

  const rows = cachedRows(model, `${layer.name}|${storeId(data.pixels)}|${JSON.stringify(data.normalization)}|${weightsDigest(layers, index)}`);
  const wanted = new Set<number>();
  for (const split of splits) for (const i of data.indices(split)) if (!rows.has(i)) wanted.add(i);
  const missing = Int32Array.from([...wanted].sort((a, b) => a - b));
  if (missing.length > 0) await extractRows(model, layer, data.withSplits({ train: missing }), rows, { batchSize: options.batchSize, progress: options.progress });
  // The result keeps its own rows: clearing the cache later leaves it whole.
  const kept = new Map<number, Float32Array>();
  for (const split of splits) for (const i of data.indices(split)) kept.set(i, rows.get(i)!);
  const view = data.withSplits(Object.fromEntries(SPLIT_NAMES.map((s) => [s, splits.includes(s) ? data.indices(s) : new Int32Array(0)])));
  return new Features(dims, shape, layer.name, model, view, kept, missing.length, (performance.now() - started) / 1000);
}
