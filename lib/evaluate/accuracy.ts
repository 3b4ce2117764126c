/** Accuracy and top-k accuracy. */
import { checkSameLength, LabelsInput, ScoresInput, toLabels, toScoreMatrix } from "./inputs";

/** Share of samples whose predicted class is the true class (scikit-learn's accuracy_score). */
export function accuracy(yTrue: LabelsInput, yPred: LabelsInput): number {
  const truth = toLabels(yTrue, "accuracy (true labels)");
  const predicted = toLabels(yPred, "accuracy (predicted labels)");
  checkSameLength(truth, predicted, "accuracy", "true labels", "predicted labels");
  if (truth.length === 0) throw new Error("accuracy: there are no samples; give at least one label.");
  let correct = 0;
  for (let i = 0; i < truth.length; i++) if (truth[i] === predicted[i]) correct++;
  return correct / truth.length;
}

/**
 * Share of samples whose true class is among the `k` highest scores
 * (ImageNet's "top-5 accuracy"; scikit-learn's top_k_accuracy_score).
 * Ties are broken toward the lower class index, as argmax does, so top-1
 * accuracy equals accuracy of the argmax predictions. With k ≥ the number of
 * classes every sample counts as correct.
 *
 * @param k how many of the highest scores may hold the true class. Default 5.
 */
export function topKAccuracy(yTrue: LabelsInput, scores: ScoresInput, k = 5): number {
  const matrix = toScoreMatrix(scores, "topKAccuracy (scores)");
  const truth = toLabels(yTrue, "topKAccuracy (true labels)", matrix.numClasses);
  checkSameLength(truth, { length: matrix.rows }, "topKAccuracy", "true labels", "score rows");
  if (truth.length === 0) throw new Error("topKAccuracy: there are no samples; give at least one label.");
  return topKCorrect(matrix.values, matrix.numClasses, truth, k) / truth.length;
}

/** Number of samples whose true class ranks within the top k (checked inputs: scores row by row). */
export function topKCorrect(values: ArrayLike<number>, numClasses: number, truth: Int32Array, k: number): number {
  if (!Number.isInteger(k) || k < 1) throw new Error(`topKAccuracy: k must be a whole number ≥ 1 (got ${String(k)}).`);
  let correct = 0;
  for (let i = 0; i < truth.length; i++) if (rankOfClass(values, i, numClasses, truth[i]) < k) correct++;
  return correct;
}

/**
 * Position of class `c` when row `row` is sorted by score, highest first
 * (0 = top), ties going to the lower class index. No sort needed: count the
 * classes that beat it.
 */
export function rankOfClass(values: ArrayLike<number>, row: number, numClasses: number, c: number): number {
  const base = row * numClasses;
  const score = values[base + c];
  let rank = 0;
  for (let j = 0; j < numClasses; j++) {
    const v = values[base + j];
    if (v > score || (v === score && j < c)) rank++;
  }
  return rank;
}

/** The k classes with the highest scores in one row, highest first (ties: lower index first). */
export function topClasses(values: ArrayLike<number>, row: number, numClasses: number, k: number): number[] {
  const base = row * numClasses;
  const order = Array.from({ length: numClasses }, (_, j) => j);
  order.sort((a, b) => values[base + b] - values[base + a] || a - b);
  return order.slice(0, Math.min(k, numClasses));
}
