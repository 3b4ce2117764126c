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
  /** Images per forward pass. Default 256. */
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
  const batchSize = options.batchSize ?? 256;
  const started = performance.now();
  const shape = (layer.outputShape as number[]).slice(1);
  const dims = shape.reduce((a, b) => a * b, 1);

  const key = `${layer.name}|${storeId(data.pixels)}|${JSON.stringify(data.normalization)}|${weightsDigest(layers, index)}`;
  let perModel = cache.get(model);
  if (!perModel) {
    cache.set(model, (perModel = new Map()));
    allCaches.add(new WeakRef(perModel));
  }
  let rows = perModel.get(key);
  if (!rows) perModel.set(key, (rows = new Map()));

  const wanted = new Set<number>();
  for (const split of splits) for (const i of data.indices(split)) if (!rows.has(i)) wanted.add(i);
  const missing = Int32Array.from([...wanted].sort((a, b) => a - b));
  if (missing.length > 0) {
    const extractor = tf.model({ inputs: model.inputs, outputs: layer.output as tf.SymbolicTensor });
    // Small extractions take a moment; a progress line would only flash.
    const showProgress = (options.progress ?? true) && missing.length >= 2000;
    const progress = showProgress ? new ProgressLine(`Extracting features at "${layer.name}"`, missing.length) : undefined;
    let done = 0;
    for await (const batch of data.withSplits({ train: missing }).batches({ batchSize, shuffle: false, labels: "index" })) {
      try {
        if (wasInterrupted()) throw new Error("Feature extraction was interrupted; the features extracted so far are cached, so running it again continues.");
        const values = tf.tidy(() => (extractor.predict(batch.xs) as tf.Tensor).reshape([batch.size, dims]).dataSync() as Float32Array);
        batch.indices.forEach((imageIndex, i) => rows!.set(imageIndex, values.slice(i * dims, (i + 1) * dims)));
      } finally {
        batch.dispose();
      }
      done += batch.size;
      progress?.update(done);
    }
    progress?.finish();
  }
  const view = data.withSplits(Object.fromEntries(SPLIT_NAMES.map((s) => [s, splits.includes(s) ? data.indices(s) : new Int32Array(0)])));
  return new Features(dims, shape, layer.name, model, view, rows, missing.length, (performance.now() - started) / 1000);
}
