/**
 * train()'s first checks: a Layers model, a convlab Dataset, that the two fit
 * each other, and that neither holds NaN or infinite numbers (which would
 * train "fine" into nonsense, or look like a learning rate too high).
 */
import * as tf from "@tensorflow/tfjs";
import type { Dataset } from "../data";
import type { Objective } from "./objective";
import { describeNonFinite, firstFew } from "./non-finite";
import type { ResolvedTrainOptions } from "./options";
import { disposeSnapshot, type LoadedSnapshot } from "./read-snapshot";

export function checkModel(model: unknown): asserts model is tf.LayersModel {
  const m = model as tf.LayersModel;
  if (!m || typeof m.apply !== "function" || !Array.isArray(m.trainableWeights) || !Array.isArray(m.layers)) {
    throw new Error("train() needs a tfjs Layers model as its first argument, e.g. train(lenet(), data) or a tf.sequential() model.");
  }
}

export function checkData(data: unknown): asserts data is Dataset {
  const d = data as Dataset;
  if (!d || typeof d.batches !== "function" || !Array.isArray(d.shape) || typeof d.size !== "function") {
    throw new Error(
      "train() needs a convlab Dataset as its second argument, e.g. train(model, await loadMnist()). " +
        "Tensors can be turned into one with new Dataset({...}); see lib/data.",
    );
  }
}

/**
 * The model takes the dataset's images and gives one score per class (with an
 * objective, its output is the objective's to judge); the train split has images.
 */
export function checkFit(model: tf.LayersModel, data: Dataset, objective?: Objective): void {
  const input = (model.inputs[0].shape as (number | null)[]).slice(1);
  if (input.length !== 3 || input.some((d, i) => d !== null && d !== data.shape[i])) {
    throw new Error(
      `The model takes inputs of ${input.join("×")}, but ${data.name}'s images are ${data.shape.join("×")}. ` +
        `Build the model with inputShape: dataset.shape (e.g. lenet({ inputShape: data.shape, numClasses: data.numClasses })).`,
    );
  }
  const output = model.outputs[0].shape as (number | null)[];
  const classes = output[output.length - 1];
  if (!objective && (output.length !== 2 || classes !== data.numClasses)) {
    throw new Error(
      `The model gives ${output.slice(1).join("×")} outputs per image, but ${data.name} has ${data.numClasses} classes: ` +
        `the last layer needs ${data.numClasses} units (numClasses: data.numClasses).`,
    );
  }
  if (data.size("train") === 0) {
    throw new Error(`The train split of ${data.name} is empty. Use split(dataset, { train: 0.6, validation: 0.2, test: 0.2 }) first.`);
  }
}

/** "conv1/kernel (all 500 values)" for each weight holding NaN or infinite values. */
function nonFiniteWeights(model: tf.LayersModel): string[] {
  return model.weights
    .filter((weight) => weight.dtype === "float32")
    .map((weight) => describeNonFinite(weight.originalName, weight.read().dataSync() as Float32Array))
    .filter((found): found is string => found !== undefined);
}

/** The model starts from finite weights: no learning rate repairs NaN ones. */
export function checkWeightsFinite(model: tf.LayersModel): void {
  const broken = nonFiniteWeights(model);
  if (broken.length === 0) return;
  throw new Error(
    `The model's weights are NaN or infinite before any training, at step 0: ${firstFew(broken)}. ` +
      "No learning rate does that: the model was built or given broken weights (setWeights, or a snapshot written after a run broke down). " +
      "Build the model again, or load an earlier snapshot.",
  );
}

/** Where in a normalization a NaN or infinite value is, if anywhere. */
function nonFiniteNormalization(data: Dataset): string | undefined {
  const { scale, mean, std } = data.normalization;
  if (!Number.isFinite(scale)) return `its scale is ${scale}`;
  const at = (name: string, values: number[] | null) => {
    const i = values?.findIndex((v) => !Number.isFinite(v)) ?? -1;
    return i >= 0 ? `${name}[${i}] is ${values![i]}` : undefined;
  };
  return at("mean", mean) ?? at("std", std);
}

/**
 * The training images, as train() will feed them (normalized, augmented),
 * are finite numbers: checked on the normalization and on a first batch.
 */
export async function checkInputsFinite(data: Dataset, options: Pick<ResolvedTrainOptions, "batchSize" | "augment" | "randomSeed">): Promise<void> {
  const normalization = nonFiniteNormalization(data);
  if (normalization) {
    throw new Error(
      `${data.name}'s normalization (${data.normalization.method}) holds a NaN or infinite value: ${normalization}, so every input would be NaN ` +
        `and training would learn nothing. Compute it again, e.g. data = await normalize(data, "${data.normalization.method === "none" ? "scale" : data.normalization.method}"), ` +
        "from images that are all readable.",
    );
  }
  const batches = data.batches({ split: "train", batchSize: Math.min(options.batchSize, 256), shuffle: false, seed: options.randomSeed, augment: options.augment });
  for await (const batch of batches) {
    try {
      const finite = tf.tidy(() => tf.all(tf.isFinite(batch.xs)).dataSync()[0]);
      if (!finite) {
        throw new Error(
          `The first batch of ${data.name}'s training images holds NaN or infinite values after normalization${options.augment ? " and augmentation" : ""}. ` +
            "Training on them would learn nothing. Check the normalization (data.normalization) and the augmentation's numbers.",
        );
      }
    } finally {
      batch.dispose();
    }
    break;
  }
}

/**
 * What is checked once the options are known, before the first step: finite
 * weights (unless a snapshot will replace them) and inputs; and what the
 * learner should be told (notes): a batch larger than the data, no
 * validation split. Frees the snapshot if a check fails.
 */
export async function checkBeforeTraining(
  model: tf.LayersModel,
  data: Dataset,
  options: ResolvedTrainOptions,
  snapshot: LoadedSnapshot | undefined,
  notes: string[],
): Promise<void> {
  try {
    if (!snapshot) checkWeightsFinite(model);
    await checkInputsFinite(data, options);
  } catch (error) {
    if (snapshot) disposeSnapshot(snapshot);
    throw error;
  }
  const trainSize = data.size("train");
  if (options.batchSize > trainSize) {
    notes.push(
      `batchSize ${options.batchSize.toLocaleString("en-US")} is more than the ${trainSize.toLocaleString("en-US")} training images, ` +
        "so every step is one batch of all of them (full-batch gradient descent), one step an epoch.",
    );
  }
  if (options.validationInterval > 0 && data.size(options.validationSplit) === 0) {
    notes.push(`${data.name} has no ${options.validationSplit} split, so there is no validation; split(dataset) makes one.`);
  }
}
