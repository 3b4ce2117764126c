/**
 * A model's view of one class on a dataset split, measured by the check
 * itself: which images are of the class, the probability the model gives the
 * class for each image, and the counts behind precision and recall.
 */
import type * as tf from "@tensorflow/tfjs";
import type { Dataset, SplitName } from "../data";
import { getPredictions } from "../evaluate";

export interface ClassScores {
  /** The class's index in the dataset. */
  classIndex: number;
  /** 1 where the image is of the class, else 0. */
  isPositive: Uint8Array;
  /** The model's probability of the class, per image. */
  scores: Float32Array;
  /** Per image: the model's most likely class is this one (its answer without a threshold). */
  predictedPositive: Uint8Array;
}

/** The class named `className` (or numbered), with an error listing the classes when there is none. */
export function classIndexOf(dataset: Dataset, className: string | number): number {
  const index = typeof className === "number" ? className : dataset.classNames.indexOf(className);
  if (Number.isInteger(index) && index >= 0 && index < dataset.numClasses) return index;
  throw new Error(`${dataset.name} has no class ${JSON.stringify(className)}; its classes are ${dataset.classNames.map((n) => `"${n}"`).join(", ")}.`);
}

export async function classScores(model: tf.LayersModel, dataset: Dataset, split: SplitName, className: string | number): Promise<ClassScores> {
  const classIndex = classIndexOf(dataset, className);
  const predictions = await getPredictions(model, dataset, { split, progress: false });
  const labels = predictions.requireLabels("the check");
  const k = predictions.numClasses;
  const size = predictions.size;
  const isPositive = new Uint8Array(size);
  const scores = new Float32Array(size);
  const predictedPositive = new Uint8Array(size);
  for (let i = 0; i < size; i++) {
    isPositive[i] = labels[i] === classIndex ? 1 : 0;
    scores[i] = predictions.probabilities[i * k + classIndex];
    predictedPositive[i] = predictions.predicted[i] === classIndex ? 1 : 0;
  }
  return { classIndex, isPositive, scores, predictedPositive };
}

export interface Counts {
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  precision: number;
  recall: number;
  f1: number;
}

/** Precision, recall and F1 of "positive" answers (0 where a ratio would divide by 0, as scikit-learn). */
export function countAnswers(isPositive: Uint8Array, saidPositive: (i: number) => boolean): Counts {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < isPositive.length; i++) {
    const said = saidPositive(i);
    if (said && isPositive[i]) tp++;
    else if (said) fp++;
    else if (isPositive[i]) fn++;
  }
  const precision = tp + fp > 0 ? tp / (tp + fp) : 0;
  const recall = tp + fn > 0 ? tp / (tp + fn) : 0;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { truePositives: tp, falsePositives: fp, falseNegatives: fn, precision, recall, f1 };
}
