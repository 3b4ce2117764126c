/** train()'s first checks: a Layers model, a convlab Dataset, and that the two fit each other. */
import type * as tf from "@tensorflow/tfjs";
import type { Dataset } from "../data";
import type { Objective } from "./objective";

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
