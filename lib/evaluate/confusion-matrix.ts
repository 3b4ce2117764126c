/** The confusion matrix: counts of (true class, predicted class), with normalized views and a chart. */
import { confusionMatrixChart, type Chart, type ConfusionMatrixOptions } from "../charts";
import { DISPLAY, type Displayable, type MimeBundle } from "../display";
import { ClassificationReport, type ReportOptions } from "./classification-report";
import { formatCount, percent, textTable } from "../display/html";
import { checkSameLength, ClassNamesOption, inferNumClasses, LabelsInput, resolveClassNames, toLabels } from "./inputs";
import { ConfusedPairs, mostConfused, type MostConfusedOptions } from "./most-confused";

/** What a normalized matrix is relative to (scikit-learn's `normalize`). */
export type NormalizeBy = "true" | "pred" | "all";

export interface ConfusionMatrixInit extends ClassNamesOption {
  /** Number of classes. Default: the number of class names, else the largest label + 1. */
  numClasses?: number;
}

/**
 * Rows are true classes, columns predicted classes: `counts[actual][predicted]`,
 * as scikit-learn's confusion_matrix and tf.math.confusionMatrix lay it out.
 */
export class ConfusionMatrix implements Displayable {
  readonly classNames: readonly string[];
  /** Samples of each true class (row sums): scikit-learn's "support". */
  readonly support: readonly number[];
  /** How often each class was predicted (column sums). */
  readonly predictedCounts: readonly number[];
  readonly total: number;
  /** Samples on the diagonal. */
  readonly correct: number;

  constructor(
    readonly counts: readonly (readonly number[])[],
    classNames?: readonly string[],
  ) {
    const n = counts.length;
    counts.forEach((row, i) => {
      if (row.length !== n) throw new Error(`ConfusionMatrix: row ${i} has ${row.length} counts; a ${n}-class matrix needs ${n} per row.`);
      row.forEach((c, j) => {
        if (!Number.isInteger(c) || c < 0) throw new Error(`ConfusionMatrix: counts[${i}][${j}] is ${c}; counts must be whole numbers ≥ 0.`);
      });
    });
    this.classNames = Object.freeze(resolveClassNames(n, classNames, "ConfusionMatrix"));
    this.support = Object.freeze(counts.map((row) => row.reduce((a, b) => a + b, 0)));
    this.predictedCounts = Object.freeze(this.classNames.map((_, j) => counts.reduce((a, row) => a + row[j], 0)));
    this.total = this.support.reduce((a, b) => a + b, 0);
    this.correct = counts.reduce((a, row, i) => a + row[i], 0);
  }

  get numClasses(): number {
    return this.counts.length;
  }

  /** Share of samples on the diagonal. NaN when there are none. */
  get accuracy(): number {
    return this.total > 0 ? this.correct / this.total : NaN;
  }

  /**
   * Counts divided by their row ("true": each row sums to 1, the diagonal is
   * recall), column ("pred": the diagonal is precision) or the total ("all").
   * A row or column with no samples gives 0s, as scikit-learn does.
   */
  normalized(by: NormalizeBy = "true"): number[][] {
    if (by !== "true" && by !== "pred" && by !== "all") {
      throw new Error(`normalized(by): by must be "true", "pred" or "all" (got ${JSON.stringify(by)}).`);
    }
    return this.counts.map((row, i) =>
      row.map((c, j) => {
        const denominator = by === "true" ? this.support[i] : by === "pred" ? this.predictedCounts[j] : this.total;
        return denominator > 0 ? c / denominator : 0;
      }),
    );
  }

  /** Per true class: the share of its samples predicted correctly (its recall). NaN for classes with no samples. */
  perClassAccuracy(): number[] {
    return this.counts.map((row, i) => (this.support[i] > 0 ? row[i] / this.support[i] : NaN));
  }

  /** The largest off-diagonal cells: which classes the model mixes up, commonest first. */
  mostConfused(options: MostConfusedOptions = {}): ConfusedPairs {
    return mostConfused(this, options);
  }

  /** Per-class precision, recall, F1 and support with averages. */
  report(options: ReportOptions = {}): ClassificationReport {
    return ClassificationReport.fromConfusionMatrix(this, options);
  }

  /** A heatmap (lib/charts confusionMatrixChart); `normalize` picks what the colours are relative to. Default "true". */
  chart(options: ConfusionMatrixOptions = {}): Chart {
    return confusionMatrixChart(this.counts, this.classNames, options);
  }

  toString(): string {
    const headers = ["true \\ predicted", ...this.classNames, "total", "recall"];
    const recall = this.perClassAccuracy();
    const rows = this.counts.map((row, i) => [
      this.classNames[i],
      ...row.map((c) => formatCount(c)),
      formatCount(this.support[i]),
      percent(recall[i]),
    ]);
    rows.push(["total", ...this.predictedCounts.map((c) => formatCount(c)), formatCount(this.total), ""]);
    return (
      `Confusion matrix: ${formatCount(this.total)} samples, accuracy ${percent(this.accuracy)} (rows: true class, columns: predicted)\n` +
      textTable(headers, rows, { separatorsBefore: [rows.length - 1] })
    );
  }

  /** The chart (spec and SVG), with the counts as a text table for terminals. */
  [DISPLAY](): MimeBundle {
    return { ...this.chart().bundle(), "text/plain": this.toString() };
  }
}

/** Counts each (true, predicted) pair. With classNames, classes that never occur still get a row and a column. */
export function confusionMatrix(yTrue: LabelsInput, yPred: LabelsInput, options: ConfusionMatrixInit = {}): ConfusionMatrix {
  if (options.classNames && options.numClasses !== undefined && options.classNames.length !== options.numClasses) {
    throw new Error(`confusionMatrix: ${options.classNames.length} class names but numClasses is ${options.numClasses}.`);
  }
  const known = options.numClasses ?? options.classNames?.length;
  const truth = toLabels(yTrue, "confusionMatrix (true labels)", known);
  const predicted = toLabels(yPred, "confusionMatrix (predicted labels)", known);
  checkSameLength(truth, predicted, "confusionMatrix", "true labels", "predicted labels");
  const numClasses = known ?? inferNumClasses(undefined, truth, predicted);
  if (!Number.isInteger(numClasses) || numClasses < 1) {
    throw new Error(`confusionMatrix: there are no classes; give labels or classNames (numClasses was ${numClasses}).`);
  }
  const counts = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < truth.length; i++) counts[truth[i]][predicted[i]]++;
  return new ConfusionMatrix(counts, options.classNames);
}
