/**
 * fixedFeatures(): features that no training changes (the raw pixels, or a
 * hand-designed layer such as HOG), computed once for every image of a
 * dataset. Shallow classifiers trained on many subsets of it (a learning
 * curve, say) then read rows of numbers and never compute a feature twice.
 *
 *     const hog = await fixedFeatures(fashion, hogFeatures({ cellSize: 4 }));
 *     const classifier = await trainOnFeatures(hog.of(trainSubset(fashion, 0.1, 1)));
 *
 * The images go through the layer 1,024 at a time, in one forward pass each:
 * a layer like HOG costs several times more per image in small batches.
 */
import * as tf from "@tensorflow/tfjs";
import { type Dataset, SPLIT_NAMES } from "../data";
import { sequential } from "../models";
import { Features } from "../transfer";

export interface FixedFeaturesOptions {
  /** Images per forward pass. Default 1024. */
  batchSize?: number;
}

/** Every image's features, held once; of() hands them out for any view of the same images. */
export class FixedFeatures {
  constructor(
    /** The model that computed them (the layer alone), as Features and toModel() need it. */
    readonly model: tf.LayersModel,
    /** The layer's name ("pixels" for the raw pixels). */
    readonly layer: string,
    /** The layer's output shape for one image. */
    readonly shape: number[],
    /** The dataset whose images were computed: its splits are the ones of() accepts. */
    readonly data: Dataset,
    private readonly rows: Map<number, Float32Array>,
    /** Seconds the computation took. */
    readonly seconds: number,
  ) {}

  /** Numbers per image. */
  get dims(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }

  /** The features of a view of the same images (trainSubset, withSplits), as trainOnFeatures takes them. */
  of(view: Dataset): Features {
    if (view.pixels !== this.data.pixels) {
      throw new Error(
        `These features were computed for ${this.data.name}'s images, not ${view.name}'s. Take the view from the same dataset (trainSubset(data, ...)), or compute fixedFeatures(view, ...) for it.`,
      );
    }
    for (const split of SPLIT_NAMES) {
      const missing = Array.from(view.indices(split)).find((i) => !this.rows.has(i));
      if (missing !== undefined) throw new Error(`Image ${missing} of ${view.name}'s ${split} split has no features: it is not among the images fixedFeatures() computed. Compute them for a dataset that holds it.`);
    }
    return new Features(this.dims, this.shape, this.layer, this.model, view, this.rows, 0, 0);
  }

  toString(): string {
    return `${this.rows.size.toLocaleString("en-US")} images' features at "${this.layer}": ${this.dims.toLocaleString("en-US")} numbers each (${this.shape.join("×")}), computed in ${this.seconds.toFixed(1)} s.`;
  }
}

/**
 * Computes `layer` (a layer with no weights to train, such as hogFeatures();
 * default: the pixels themselves, flattened) for every image of every split
 * of `data`, in the dataset's normalization.
 */
export async function fixedFeatures(data: Dataset, layer?: tf.layers.Layer, options: FixedFeaturesOptions = {}): Promise<FixedFeatures> {
  if (layer !== undefined && !(layer instanceof tf.layers.Layer)) {
    throw new Error("fixedFeatures takes a dataset and, optionally, a layer that computes the features, e.g. fixedFeatures(fashion, hogFeatures({ cellSize: 4 })).");
  }
  const batchSize = options.batchSize ?? 1024;
  const started = performance.now();
  const computing = layer ?? tf.layers.flatten({ name: "pixels" });
  const model = sequential([computing], { inputShape: [...data.shape], seed: 1, name: `${computing.name}-features` });
  if (model.trainableWeights.length > 0) {
    throw new Error(`fixedFeatures: the layer "${computing.name}" has weights to train, so its features are not fixed. Use extractFeatures(model, data) for a trained network's features.`);
  }
  const shape = (computing.outputShape as number[]).slice(1);
  const dims = shape.reduce((a, b) => a * b, 1);
  const rows = new Map<number, Float32Array>();
  for (const split of data.splitNames) {
    const indices = data.indices(split);
    for (let start = 0; start < indices.length; start += batchSize) {
      const chunk = indices.subarray(start, Math.min(indices.length, start + batchSize));
      const { xs, ys } = await data.withSplits({ train: chunk }).toTensors("train");
      const out = model.predict(xs, { batchSize: chunk.length }) as tf.Tensor;
      const values = out.dataSync() as Float32Array;
      chunk.forEach((imageIndex, i) => rows.set(imageIndex, values.slice(i * dims, (i + 1) * dims)));
      tf.dispose([xs, ys, out]);
      // Let an interrupt or a display update through between chunks.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
  return new FixedFeatures(model, computing.name, shape, data, rows, (performance.now() - started) / 1000);
}
