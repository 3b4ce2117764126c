/**
 * The two ways to reuse a pretrained network on a new task, each one call:
 *
 * - `classifyFeatures(backbone, data)`: feature extraction. The backbone's
 *   activations at one layer become the features of a logistic regression
 *   (trainOnFeatures); the backbone itself never changes.
 * - `fineTune(backbone, data)`: Keras's recipe in two steps. First the head,
 *   which is feature extraction's classifier put on top of the backbone;
 *   then every layer trained together, the pretrained ones at a lower rate
 *   (backboneRates), so a random head never shakes the backbone.
 *
 * Both take the network itself or the name of a shipped one
 * (`fineTune("fashion-lenet", myImages)`), and both time what they do:
 * extracting the training and validation images plus training the
 * classifier; fine-tuning adds its own train() run to that.
 */
import type * as tf from "@tensorflow/tfjs";
import type { Dataset } from "../data";
import { earlyStopping, train, type TrainingResult, type TrainOptions } from "../train";
import { trainOnFeatures, type FeatureClassifier } from "./classifier";
import { extractFeatures } from "./features";
import { backboneRates } from "./freeze";
import type { LayerRef } from "./layers";
import { loadPretrained } from "./pretrained";

export interface ReuseOptions {
  /** The layer whose activations are the features. Default: the one the pretrained head reads. */
  featureLayer?: LayerRef;
  /** Epochs without a better validation score before training stops (the classifier and fine-tuning's train()). Default 8. */
  patience?: number;
  /** Seed of the classifier's weights and of the training order. Default 1. */
  seed?: number;
}

export interface FineTuneOptions extends ReuseOptions {
  /** Learning-rate multiplier of the pretrained layers in the second step. Default 0.1. */
  backboneRate?: number;
  /** train()'s options for the second step. Default FINE_TUNE_TRAINING. */
  train?: TrainOptions;
}

/** train()'s defaults for fine-tuning (and for a from-scratch run to compare with): Adam at a fixed 0.001, batches of 32, up to 100 epochs, no snapshots. */
export const FINE_TUNE_TRAINING: TrainOptions = { solver: "adam", learningRate: 0.001, lrPolicy: "fixed", batchSize: 32, weightDecay: 0, epochs: 100, snapshots: false };

export const DEFAULT_PATIENCE = 8;

export interface FeatureExtractionResult {
  classifier: FeatureClassifier;
  /** Extracting the training and validation images plus training the classifier. */
  seconds: number;
}

export interface FineTuneResult {
  /** The fine-tuned network: the backbone's layers (copies) and the new head; the pretrained network is left as it was. */
  model: tf.Sequential;
  /** The second step's train() run. */
  run: TrainingResult;
  /** The first step: the head trained on the backbone's features. */
  features: FeatureExtractionResult;
  /** Both steps. */
  seconds: number;
}

async function backboneOf(pretrained: tf.LayersModel | string): Promise<tf.LayersModel> {
  return typeof pretrained === "string" ? loadPretrained(pretrained) : pretrained;
}

function checkInputs(backbone: tf.LayersModel, data: Dataset, caller: string): void {
  const expected = (backbone.inputs[0].shape as (number | null)[]).slice(1);
  const [h, w, c] = data.shape;
  if (expected.join("×") !== data.shape.join("×")) {
    const imageType = expected[2] === 1 ? "grayscale" : "color";
    throw new Error(
      `${caller}: "${backbone.name}" takes ${expected.join("×")} images, but ${data.name}'s are ${h}×${w}×${c}. ` +
        `Import the images at the network's size, e.g. importImageFolder(folder, { width: ${expected[1]}, height: ${expected[0]}, imageType: "${imageType}" }).`,
    );
  }
  if (data.size("train") === 0 || data.size("validation") === 0) {
    throw new Error(`${caller}: ${data.name} needs train and validation splits (validation stops training early); it has ${data.size("train")} and ${data.size("validation")} images.`);
  }
}

/** Feature extraction: a logistic regression on the backbone's activations (the backbone is not changed). */
export async function classifyFeatures(pretrained: tf.LayersModel | string, data: Dataset, options: ReuseOptions = {}): Promise<FeatureExtractionResult> {
  const backbone = await backboneOf(pretrained);
  checkInputs(backbone, data, "classifyFeatures");
  const started = performance.now();
  await extractFeatures(backbone, data, { layer: options.featureLayer, splits: ["train", "validation"], progress: false });
  const extracting = (performance.now() - started) / 1000;
  // The other splits are extracted too (train and validation now come from the cache), untimed: scoring is not training.
  const features = await extractFeatures(backbone, data, { layer: options.featureLayer, progress: false });
  const classifier = await trainOnFeatures(features, { seed: options.seed ?? 1, patience: options.patience ?? DEFAULT_PATIENCE });
  return { classifier, seconds: extracting + classifier.seconds };
}

/**
 * Fine-tuning in two steps (see the file's comment). Returns a new network;
 * `pretrained` (a model, or the name of a shipped one) is left unchanged.
 */
export async function fineTune(pretrained: tf.LayersModel | string, data: Dataset, options: FineTuneOptions = {}): Promise<FineTuneResult> {
  const backbone = await backboneOf(pretrained);
  checkInputs(backbone, data, "fineTune");
  const features = await classifyFeatures(backbone, data, options);
  const model = features.classifier.toModel({ name: `${backbone.name}-fine-tuned` });
  const patience = options.patience ?? DEFAULT_PATIENCE;
  const run = await train(model, data, {
    ...FINE_TUNE_TRAINING,
    ...options.train,
    randomSeed: options.train?.randomSeed ?? options.seed ?? 1,
    learningRateMultipliers: backboneRates(model, options.backboneRate ?? 0.1),
    callbacks: [...(options.train?.callbacks ?? []), earlyStopping({ patience, restoreBestWeights: true })],
  });
  return { model, run, features, seconds: features.seconds + run.timing.seconds };
}
