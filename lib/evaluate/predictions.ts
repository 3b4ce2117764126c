/**
 * Predictions: a classifier's per-class probabilities for a set of images,
 * with the true labels (when known) and where each image came from, so that
 * every evaluation view can be computed, and every mistake looked at, without
 * running the model again.
 */
import { DISPLAY, type Displayable, type MimeBundle } from "../display";
import type { Dataset, SplitName } from "../data";
import { topClasses } from "./accuracy";
import { formatCount, percent } from "../display/html";
import { argMaxRow, checkSameLength, LabelsInput, resolveClassNames, ScoreMatrix, ScoresInput, toLabels, toScoreMatrix } from "./inputs";

/** How the model's outputs were read: already probabilities, logits (softmax applied here), or one sigmoid unit (two classes). */
export type OutputKind = "probabilities" | "logits" | "sigmoid";

/** One of the top classes for an image. */
export interface RankedClass {
  classIndex: number;
  className: string;
  probability: number;
}

export interface PredictionsInit {
  /** size × numClasses probabilities, row by row. */
  probabilities: Float32Array;
  numClasses: number;
  classNames?: readonly string[];
  /** True class of each image, when known. */
  labels?: Int32Array;
  /** Index of each image in the dataset's store (for showing it later). */
  indices?: Int32Array;
  dataset?: Dataset;
  split?: SplitName;
  outputs?: OutputKind;
  /** What was predicted, for titles: "mnist, test split". */
  description?: string;
}

// Keras clips probabilities to [ε, 1 − ε] before taking logs, so one confident
// mistake gives a large but finite loss.
const EPSILON = 1e-7;

export class Predictions implements Displayable {
  readonly probabilities: Float32Array;
  readonly numClasses: number;
  readonly size: number;
  readonly classNames: readonly string[];
  readonly labels: Int32Array | undefined;
  readonly indices: Int32Array | undefined;
  readonly dataset: Dataset | undefined;
  readonly split: SplitName | undefined;
  readonly outputs: OutputKind;
  readonly description: string;
  /** Class with the highest probability for each image (the first on ties). */
  readonly predicted: Int32Array;
  /** The highest probability of each image. */
  readonly confidence: Float32Array;

  constructor(init: PredictionsInit) {
    const { probabilities, numClasses } = init;
    if (!Number.isInteger(numClasses) || numClasses < 1 || probabilities.length % numClasses !== 0) {
      throw new Error(`Predictions: ${probabilities.length} probabilities do not split into rows of ${numClasses} classes.`);
    }
    this.probabilities = probabilities;
    this.numClasses = numClasses;
    this.size = probabilities.length / numClasses;
    this.classNames = Object.freeze(resolveClassNames(numClasses, init.classNames ?? init.dataset?.classNames, "Predictions"));
    if (init.labels) {
      checkSameLength(init.labels, { length: this.size }, "Predictions", "labels", "rows of probabilities");
      for (const label of init.labels) {
        if (label < 0 || label >= numClasses) throw new Error(`Predictions: label ${label} is not one of the ${numClasses} classes.`);
      }
    }
    if (init.indices) checkSameLength(init.indices, { length: this.size }, "Predictions", "store indices", "rows of probabilities");
    this.labels = init.labels;
    this.indices = init.indices;
    this.dataset = init.dataset;
    this.split = init.split;
    this.outputs = init.outputs ?? "probabilities";
    this.description = init.description ?? (init.dataset ? `${init.dataset.name}${init.split ? `, ${init.split} split` : ""}` : `${formatCount(this.size)} images`);
    this.predicted = new Int32Array(this.size);
    this.confidence = new Float32Array(this.size);
    for (let i = 0; i < this.size; i++) {
      const best = argMaxRow(probabilities, i, numClasses);
      this.predicted[i] = best;
      this.confidence[i] = probabilities[i * numClasses + best];
    }
  }

  /**
   * Predictions from plain scores (probabilities, or any per-class score with
   * `outputs: "logits"` to apply softmax), e.g. from another tool.
   */
  static fromScores(
    scores: ScoresInput,
    options: { labels?: LabelsInput; classNames?: readonly string[]; outputs?: "probabilities" | "logits"; description?: string } = {},
  ): Predictions {
    const matrix = toScoreMatrix(scores, "Predictions.fromScores (scores)");
    const probabilities = Float32Array.from(matrix.values);
    const outputs = options.outputs ?? "probabilities";
    if (outputs === "logits") softmaxRows(probabilities, matrix.numClasses);
    const labels = options.labels === undefined ? undefined : toLabels(options.labels, "Predictions.fromScores (labels)", matrix.numClasses);
    return new Predictions({
      probabilities,
      numClasses: matrix.numClasses,
      classNames: options.classNames,
      labels,
      outputs,
      description: options.description,
    });
  }

  /** The probabilities of image `i` (a view; do not modify). */
  row(i: number): Float32Array {
    this.checkPosition(i);
    return this.probabilities.subarray(i * this.numClasses, (i + 1) * this.numClasses);
  }

  /** The k most likely classes of image `i`, most likely first. */
  top(i: number, k = 5): RankedClass[] {
    this.checkPosition(i);
    return topClasses(this.probabilities, i, this.numClasses, k).map((c) => ({
      classIndex: c,
      className: this.classNames[c],
      probability: this.probabilities[i * this.numClasses + c],
    }));
  }

  /** The true labels, or a clear error when they are unknown. */
  requireLabels(what: string): Int32Array {
    if (!this.labels) throw new Error(`${what} needs the true labels, but these predictions have none; pass labels when predicting.`);
    return this.labels;
  }

  /** Cross-entropy of each image: −log(probability of its true class), clipped as Keras does. */
  losses(): Float64Array {
    const labels = this.requireLabels("losses()");
    const out = new Float64Array(this.size);
    for (let i = 0; i < this.size; i++) {
      const p = this.probabilities[i * this.numClasses + labels[i]];
      out[i] = -Math.log(Math.min(1 - EPSILON, Math.max(EPSILON, p)));
    }
    return out;
  }

  /** The probabilities as a float64 score matrix for the metrics. */
  scoreMatrix(): ScoreMatrix {
    return { values: Float64Array.from(this.probabilities), rows: this.size, numClasses: this.numClasses };
  }

  private checkPosition(i: number): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.size) {
      throw new RangeError(`There are ${this.size} predictions; there is no image ${i}.`);
    }
  }

  toString(): string {
    const known = this.labels ? `, accuracy ${percent(this.predicted.reduce((a, p, i) => a + (p === this.labels![i] ? 1 : 0), 0) / Math.max(1, this.size))}` : "";
    return `Predictions for ${this.description}: ${formatCount(this.size)} images, ${this.numClasses} classes${known}`;
  }

  [DISPLAY](): MimeBundle {
    return { "text/plain": this.toString() };
  }
}

/** Softmax of each row, in place (numerically stable: the row's maximum is subtracted first). */
export function softmaxRows(values: Float32Array, numClasses: number): void {
  for (let start = 0; start < values.length; start += numClasses) {
    let max = -Infinity;
    for (let j = 0; j < numClasses; j++) max = Math.max(max, values[start + j]);
    let sum = 0;
    for (let j = 0; j < numClasses; j++) {
      const e = Math.exp(values[start + j] - max);
      values[start + j] = e;
      sum += e;
    }
    for (let j = 0; j < numClasses; j++) values[start + j] /= sum;
  }
}

/** True when every row is a probability distribution (within float32 rounding). */
export function looksLikeProbabilities(values: Float32Array, numClasses: number): boolean {
  for (let start = 0; start < values.length; start += numClasses) {
    let sum = 0;
    for (let j = 0; j < numClasses; j++) {
      const v = values[start + j];
      if (!(v >= 0 && v <= 1)) return false;
      sum += v;
    }
    if (Math.abs(sum - 1) > 1e-3) return false;
  }
  return true;
}
