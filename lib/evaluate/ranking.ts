/**
 * Threshold curves of one class against the rest: precision–recall with
 * average precision, and ROC with its area. These follow scikit-learn's
 * definitions exactly (precision_recall_curve, average_precision_score,
 * roc_curve, roc_auc_score), including how tied scores are grouped.
 */

/** Is each sample positive (1/true) or not (0/false)? */
export type BinaryLabels = ArrayLike<number | boolean>;

export interface ThresholdCounts {
  /** Distinct scores, highest first. */
  thresholds: Float64Array;
  /** Positives scored ≥ each threshold. */
  truePositives: Float64Array;
  /** Negatives scored ≥ each threshold. */
  falsePositives: Float64Array;
  positives: number;
  negatives: number;
}

export interface PrecisionRecallCurve {
  /** In scikit-learn's order: recall falls from 1 to 0; the last point is (precision 1, recall 0) with no threshold. */
  precision: number[];
  recall: number[];
  /** Rising; one fewer than precision and recall. */
  thresholds: number[];
}

export interface RocCurve {
  /** Rising from 0 to 1; NaN everywhere when there are no negatives. */
  fpr: number[];
  /** Rising from 0 to 1; NaN everywhere when there are no positives. */
  tpr: number[];
  /** Falling; the first is Infinity (the point (0, 0), where nothing is called positive). */
  thresholds: number[];
}

/** Counts of true and false positives at every distinct score (scikit-learn's _binary_clf_curve). */
export function thresholdCounts(isPositive: BinaryLabels, scores: ArrayLike<number>, what = "thresholdCounts"): ThresholdCounts {
  if (isPositive.length !== scores.length) {
    throw new Error(`${what}: ${isPositive.length} labels but ${scores.length} scores; give one score per sample.`);
  }
  const n = scores.length;
  if (n === 0) throw new Error(`${what}: there are no samples.`);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(scores[i])) {
      throw new Error(`${what}: sample ${i} has score ${scores[i]}; scores must be finite numbers (NaN often means training diverged).`);
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  const thresholds: number[] = [];
  const tps: number[] = [];
  const fps: number[] = [];
  let tp = 0;
  let fp = 0;
  for (let r = 0; r < n; r++) {
    const i = order[r];
    if (isPositive[i]) tp++;
    else fp++;
    // Samples with the same score share one threshold: emit only at the last of a tie.
    if (r === n - 1 || scores[order[r + 1]] !== scores[i]) {
      thresholds.push(scores[i]);
      tps.push(tp);
      fps.push(fp);
    }
  }
  return {
    thresholds: Float64Array.from(thresholds),
    truePositives: Float64Array.from(tps),
    falsePositives: Float64Array.from(fps),
    positives: tp,
    negatives: fp,
  };
}

/**
 * Precision and recall at every threshold. With no positive samples recall is
 * undefined; like scikit-learn, it is then set to 1 at every threshold.
 */
export function precisionRecallCurve(isPositive: BinaryLabels, scores: ArrayLike<number>): PrecisionRecallCurve {
  return prFromCounts(thresholdCounts(isPositive, scores, "precisionRecallCurve"));
}

export function prFromCounts(counts: ThresholdCounts): PrecisionRecallCurve {
  const { truePositives: tps, falsePositives: fps, thresholds, positives } = counts;
  const m = thresholds.length;
  const precision: number[] = [];
  const recall: number[] = [];
  const rising: number[] = [];
  for (let i = m - 1; i >= 0; i--) {
    const predicted = tps[i] + fps[i];
    precision.push(predicted > 0 ? tps[i] / predicted : 0);
    recall.push(positives > 0 ? tps[i] / positives : 1);
    rising.push(thresholds[i]);
  }
  precision.push(1);
  recall.push(0);
  return { precision, recall, thresholds: rising };
}

/**
 * Average precision: Σₙ (Rₙ − Rₙ₋₁) Pₙ, the precision at each threshold
 * weighted by the recall it adds (a step-wise area, not interpolated), as
 * scikit-learn's average_precision_score. 0 when there are no positives.
 */
export function averagePrecisionScore(isPositive: BinaryLabels, scores: ArrayLike<number>): number {
  return apFromCurve(precisionRecallCurve(isPositive, scores));
}

export function apFromCurve(curve: PrecisionRecallCurve): number {
  let sum = 0;
  for (let i = 0; i < curve.recall.length - 1; i++) sum += (curve.recall[i + 1] - curve.recall[i]) * curve.precision[i];
  return -sum;
}

export interface RocCurveOptions {
  /**
   * Leave out thresholds whose point lies on a straight line between its
   * neighbours (they change neither the plot nor the area), as scikit-learn's
   * drop_intermediate. Default true.
   */
  dropIntermediate?: boolean;
}

/** False- and true-positive rates at every threshold, starting at (0, 0). */
export function rocCurve(isPositive: BinaryLabels, scores: ArrayLike<number>, options: RocCurveOptions = {}): RocCurve {
  return rocFromCounts(thresholdCounts(isPositive, scores, "rocCurve"), options);
}

export function rocFromCounts(counts: ThresholdCounts, options: RocCurveOptions = {}): RocCurve {
  let tps = Array.from(counts.truePositives);
  let fps = Array.from(counts.falsePositives);
  let thresholds = Array.from(counts.thresholds);
  if ((options.dropIntermediate ?? true) && fps.length > 2) {
    const keep: number[] = [0];
    for (let i = 1; i < fps.length - 1; i++) {
      // A corner: the second difference of either count is not zero.
      if (fps[i + 1] - 2 * fps[i] + fps[i - 1] !== 0 || tps[i + 1] - 2 * tps[i] + tps[i - 1] !== 0) keep.push(i);
    }
    keep.push(fps.length - 1);
    tps = keep.map((i) => tps[i]);
    fps = keep.map((i) => fps[i]);
    thresholds = keep.map((i) => thresholds[i]);
  }
  tps.unshift(0);
  fps.unshift(0);
  thresholds.unshift(Infinity);
  const lastFp = fps[fps.length - 1];
  const lastTp = tps[tps.length - 1];
  return {
    fpr: fps.map((v) => (lastFp > 0 ? v / lastFp : NaN)),
    tpr: tps.map((v) => (lastTp > 0 ? v / lastTp : NaN)),
    thresholds,
  };
}

/** Area under a curve by the trapezoid rule (numpy.trapz over x rising). */
export function trapezoidArea(x: readonly number[], y: readonly number[]): number {
  let area = 0;
  for (let i = 1; i < x.length; i++) area += ((x[i] - x[i - 1]) * (y[i] + y[i - 1])) / 2;
  return area;
}

/**
 * Area under the ROC curve: the chance that a random positive scores above a
 * random negative (ties count half). Undefined without both positives and
 * negatives, so this throws then, as scikit-learn does.
 */
export function rocAucScore(isPositive: BinaryLabels, scores: ArrayLike<number>): number {
  const counts = thresholdCounts(isPositive, scores, "rocAucScore");
  const reason = rocUndefinedReason(counts);
  if (reason) throw new Error(`rocAucScore: ${reason}`);
  const curve = rocFromCounts(counts);
  return trapezoidArea(curve.fpr, curve.tpr);
}

/** Why ROC AUC cannot be computed for these counts, or undefined when it can. */
export function rocUndefinedReason(counts: ThresholdCounts): string | undefined {
  if (counts.positives === 0) return "there are no positive samples, so the true-positive rate and the ROC AUC are undefined.";
  if (counts.negatives === 0) return "every sample is positive, so the false-positive rate and the ROC AUC are undefined.";
  return undefined;
}
