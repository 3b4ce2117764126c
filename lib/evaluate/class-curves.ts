/**
 * Precision–recall and ROC curves for every class (one class against the
 * rest), with average precision and ROC AUC per class and their macro,
 * micro and weighted averages, as scikit-learn computes them from a
 * label-indicator matrix.
 */
import { prCurveChart, rocCurveChart, type Chart, type ChartOptions } from "../charts";
import { DISPLAY, type Displayable, type MimeBundle } from "../display";
import { svgImage } from "./format";
import { type Cell, escapeHtml, fixed, formatCount, htmlTable, numberCell, textTable } from "../display/html";
import { checkSameLength, ClassNamesOption, LabelsInput, resolveClassNames, ScoreMatrix, ScoresInput, toLabels, toScoreMatrix, classItem } from "./inputs";
import {
  apFromCurve,
  prFromCounts,
  rocFromCounts,
  rocUndefinedReason,
  thresholdCounts,
  trapezoidArea,
  type PrecisionRecallCurve,
  type RocCurve,
  type ThresholdCounts,
} from "./ranking";

export interface ClassCurve {
  classIndex: number;
  className: string;
  /** Samples of this class. */
  positives: number;
  /** Samples of the other classes. */
  negatives: number;
  pr: PrecisionRecallCurve;
  /** Step-wise average precision (0 when the class has no samples, as scikit-learn). */
  averagePrecision: number;
  roc: RocCurve;
  /** Area under the ROC curve; NaN when undefined (no samples of the class, or only samples of it). */
  rocAuc: number;
  /** Why rocAuc is NaN. */
  rocAucUndefined?: string;
}

/** A score averaged over classes three ways. */
export interface ScoreAverages {
  /** Unweighted mean over classes. */
  macro: number;
  /** From all (sample, class) pairs pooled into one binary problem. */
  micro: number;
  /** Mean weighted by each class's number of samples. */
  weighted: number;
}

export interface ClassCurvesOptions extends ClassNamesOption {
  /** What was evaluated, for titles. */
  title?: string;
}

export interface ClassCurveChartOptions extends ChartOptions {
  /** Draw only these classes (names). Default: all. */
  classes?: readonly string[];
  /** Add the micro-average curve. Default false. */
  micro?: boolean;
  /** Points drawn per curve at most (the data keeps every threshold). Default 300. */
  maxPoints?: number;
}

export class ClassCurves implements Displayable {
  readonly classNames: readonly string[];
  readonly averagePrecision: ScoreAverages;
  readonly rocAuc: ScoreAverages;
  /** Why some numbers are undefined or conventional, in plain words. */
  readonly notes: readonly string[];

  constructor(
    readonly classes: readonly ClassCurve[],
    /** The pooled (micro-average) curves. */
    readonly micro: { pr: PrecisionRecallCurve; roc: RocCurve; averagePrecision: number; rocAuc: number },
    readonly title?: string,
  ) {
    this.classNames = classes.map((c) => c.className);
    const total = classes.reduce((a, c) => a + c.positives, 0);
    const defined = classes.filter((c) => Number.isFinite(c.rocAuc));
    const definedPositives = defined.reduce((a, c) => a + c.positives, 0);
    this.averagePrecision = {
      macro: classes.reduce((a, c) => a + c.averagePrecision, 0) / classes.length,
      micro: micro.averagePrecision,
      weighted: total > 0 ? classes.reduce((a, c) => a + c.averagePrecision * c.positives, 0) / total : 0,
    };
    this.rocAuc = {
      macro: defined.length ? defined.reduce((a, c) => a + c.rocAuc, 0) / defined.length : NaN,
      micro: micro.rocAuc,
      weighted: definedPositives > 0 ? defined.reduce((a, c) => a + c.rocAuc * c.positives, 0) / definedPositives : NaN,
    };
    const notes: string[] = [];
    const absent = classes.filter((c) => c.positives === 0).map((c) => `“${c.className}”`);
    if (absent.length) {
      notes.push(
        `${absent.join(", ")} ${absent.length === 1 ? "has" : "have"} no samples here: average precision is 0 by scikit-learn's convention ` +
          `(it pulls the macro average down), and ROC AUC is undefined.`,
      );
    }
    const only = classes.filter((c) => c.negatives === 0).map((c) => `“${c.className}”`);
    if (only.length) notes.push(`Every sample is ${only.join(", ")}: with no negatives its ROC AUC is undefined.`);
    if (defined.length < classes.length && defined.length > 0) {
      notes.push(
        `The macro and weighted ROC AUC average the ${defined.length} classes where it is defined ` +
          `(scikit-learn refuses to average when a class lacks positives or negatives).`,
      );
    }
    this.notes = Object.freeze(notes);
  }

  /** The curves of one class, by name or index. */
  of(classNameOrIndex: string | number): ClassCurve {
    return classItem(this.classes, this.classNames, classNameOrIndex);
  }

  /** Precision–recall curves (lib/charts prCurveChart), average precision in the legend. */
  prChart(options: ClassCurveChartOptions = {}): Chart {
    const maxPoints = checkMaxPoints(options.maxPoints);
    const curves = this.pick(options.classes).map((c) => ({
      className: c.className,
      points: thin(c.pr.recall.map((recall, i) => ({ recall, precision: c.pr.precision[i] })), maxPoints),
      averagePrecision: c.averagePrecision,
    }));
    if (options.micro) {
      curves.push({
        className: "micro-average",
        points: thin(this.micro.pr.recall.map((recall, i) => ({ recall, precision: this.micro.pr.precision[i] })), maxPoints),
        averagePrecision: this.micro.averagePrecision,
      });
    }
    return prCurveChart(curves, { title: this.title ? `Precision–recall per class: ${this.title}` : undefined, ...options });
  }

  /** ROC curves (lib/charts rocCurveChart), AUC in the legend; classes where it is undefined are left out. */
  rocChart(options: ClassCurveChartOptions = {}): Chart {
    const maxPoints = checkMaxPoints(options.maxPoints);
    const curves = this.pick(options.classes)
      .filter((c) => Number.isFinite(c.rocAuc))
      .map((c) => ({ className: c.className, points: thin(c.roc.fpr.map((fpr, i) => ({ fpr, tpr: c.roc.tpr[i] })), maxPoints), auc: c.rocAuc }));
    if (options.micro && Number.isFinite(this.micro.rocAuc)) {
      curves.push({
        className: "micro-average",
        points: thin(this.micro.roc.fpr.map((fpr, i) => ({ fpr, tpr: this.micro.roc.tpr[i] })), maxPoints),
        auc: this.micro.rocAuc,
      });
    }
    return rocCurveChart(curves, { title: this.title ? `ROC per class: ${this.title}` : undefined, ...options });
  }

  private pick(names: readonly string[] | undefined): readonly ClassCurve[] {
    return names ? names.map((n) => this.of(n)) : this.classes;
  }

  toString(): string {
    const rows = this.classes.map((c) => [c.className, formatCount(c.positives), fixed(c.averagePrecision, 3), fixed(c.rocAuc, 3)]);
    const averages = (["macro", "micro", "weighted"] as const).map((k) => [`${k} avg`, "", fixed(this.averagePrecision[k], 3), fixed(this.rocAuc[k], 3)]);
    return [
      `Per-class curves${this.title ? `: ${this.title}` : ""}`,
      textTable(["class", "samples", "average precision", "ROC AUC"], [...rows, ...averages], { separatorsBefore: [rows.length] }),
      ...this.notes.map((n) => `- ${n}`),
    ].join("\n");
  }

  toHtml(): string {
    const rows: (Cell[] | { cells: Cell[]; style: string })[] = this.classes.map((c) => [
      c.className,
      c.positives,
      numberCell(fixed(c.averagePrecision, 3)),
      numberCell(fixed(c.rocAuc, 3), Number.isFinite(c.rocAuc) ? "" : "color:#888"),
    ]);
    (["macro", "micro", "weighted"] as const).forEach((k, i) =>
      rows.push({
        cells: [{ html: `<b>${k} avg</b>` }, "", numberCell(fixed(this.averagePrecision[k], 3)), numberCell(fixed(this.rocAuc[k], 3))],
        style: i === 0 ? "border-top:2px solid rgba(128,128,128,0.6)" : "",
      }),
    );
    const table = htmlTable(["class", "samples", "average precision", "ROC AUC"], rows, `Per-class curves${this.title ? `: ${this.title}` : ""}`);
    const charts = [this.prChart(), this.rocChart()].map((chart) => svgImage(chart.toSVG(), chart.summary)).join("");
    return (
      `<div><div style="display:flex;gap:16px;align-items:flex-start;flex-wrap:wrap">${table}${charts}</div>` +
      (this.notes.length ? `<div style="font-size:12px;color:#888">${this.notes.map(escapeHtml).join("<br/>")}</div>` : "") +
      `</div>`
    );
  }

  [DISPLAY](): MimeBundle {
    return { "text/html": this.toHtml(), "text/plain": this.toString() };
  }
}

/** Per-class precision–recall and ROC curves from true labels and per-class scores (e.g. softmax outputs). */
export function classCurves(yTrue: LabelsInput, scores: ScoresInput, options: ClassCurvesOptions = {}): ClassCurves {
  const matrix = toScoreMatrix(scores, "classCurves (scores)");
  const truth = toLabels(yTrue, "classCurves (true labels)", matrix.numClasses);
  checkSameLength(truth, { length: matrix.rows }, "classCurves", "true labels", "score rows");
  return curvesFromMatrix(truth, matrix, resolveClassNames(matrix.numClasses, options.classNames, "classCurves"), options.title);
}

/** Checked inputs → curves (used by interpret, which already holds a score matrix). */
export function curvesFromMatrix(truth: Int32Array, matrix: ScoreMatrix, classNames: readonly string[], title?: string): ClassCurves {
  const { rows, numClasses, values } = matrix;
  if (rows === 0) throw new Error("classCurves: there are no samples.");
  const column = new Float64Array(rows);
  const isPositive = new Uint8Array(rows);
  const classes: ClassCurve[] = classNames.map((className, c) => {
    for (let i = 0; i < rows; i++) {
      column[i] = values[i * numClasses + c];
      isPositive[i] = truth[i] === c ? 1 : 0;
    }
    const counts = thresholdCounts(isPositive, column, "classCurves");
    const curve = summarizeCounts(counts);
    return { classIndex: c, className, positives: counts.positives, negatives: counts.negatives, ...curve };
  });
  // Micro average: every (sample, class) pair is one binary decision.
  const pooled = new Uint8Array(rows * numClasses);
  for (let i = 0; i < rows; i++) pooled[i * numClasses + truth[i]] = 1;
  const micro = summarizeCounts(thresholdCounts(pooled, values, "classCurves (micro average)"));
  return new ClassCurves(classes, micro, title);
}

function summarizeCounts(counts: ThresholdCounts) {
  const pr = prFromCounts(counts);
  const roc = rocFromCounts(counts);
  const rocAucUndefined = rocUndefinedReason(counts);
  return {
    pr,
    averagePrecision: apFromCurve(pr),
    roc,
    rocAuc: rocAucUndefined ? NaN : trapezoidArea(roc.fpr, roc.tpr),
    ...(rocAucUndefined ? { rocAucUndefined } : {}),
  };
}

function checkMaxPoints(maxPoints: number | undefined): number {
  const value = maxPoints ?? 300;
  if (!Number.isInteger(value) || value < 2) throw new Error(`maxPoints must be a whole number ≥ 2 (got ${String(maxPoints)}).`);
  return value;
}

/** At most `max` points, evenly spread along the curve, keeping both ends. */
function thin<T>(points: T[], max: number): T[] {
  if (points.length <= max) return points;
  const out: T[] = [];
  let last = -1;
  for (let j = 0; j < max; j++) {
    const i = Math.round((j * (points.length - 1)) / (max - 1));
    if (i !== last) out.push(points[i]);
    last = i;
  }
  return out;
}
