/**
 * fixedFeatures(): features that no training changes (the raw pixels, or a
 * hand-designed layer such as HOG), computed once for every image of a
 * dataset. Shallow classifiers trained on many subsets of it (a learning
 * curve, say) then read rows of numbers and never compute a feature twice.
 *
 *     const hog = await fixedFeatures(fashion, hogFeatures({ cellSize: 4 }));
 *     const classifier = await trainOnFeatures(hog.of(trainSubset(fashion, 0.1, 1)));
 *
 * The layer is a one-layer model, and extractFeatures computes its features
 * as it does a trained network's (batch by batch, with its options).
 */
import * as tf from "@tensorflow/tfjs";
import type { Dataset } from "../data";
import { sequential } from "../models";
import { extractFeatures, type ExtractOptions, type Features } from "../transfer";

/** How the features are computed: extractFeatures's options of the same names and defaults. */
export type FixedFeaturesOptions = Pick<ExtractOptions, "batchSize" | "progress">;

/**
 * Computes `layer` (a layer with no weights to train, such as hogFeatures();
 * default: the pixels themselves, flattened) for every image of every split
 * of `data`, in the dataset's normalization. The result's of(view) hands
 * them out for any view of the same images (trainSubset, withSplits).
 */
export async function fixedFeatures(data: Dataset, layer?: tf.layers.Layer, options: FixedFeaturesOptions = {}): Promise<Features> {
  if (layer !== undefined && !(layer instanceof tf.layers.Layer)) {
    throw new Error("fixedFeatures takes a dataset and, optionally, a layer that computes the features, e.g. fixedFeatures(fashion, hogFeatures({ cellSize: 4 })).");
  }
  const computing = layer ?? tf.layers.flatten({ name: "pixels" });
  const model = sequential([computing], { inputShape: [...data.shape], seed: 1, name: `${computing.name}-features` });
  if (model.trainableWeights.length > 0) {
    throw new Error(`fixedFeatures: the layer "${computing.name}" has weights to train, so its features are not fixed. Use extractFeatures(model, data) for a trained network's features.`);
  }
  return extractFeatures(model, data, { ...options, layer: -1 });
}
