/**
 * interpret(): every evaluation view of a model on one dataset split, from
 * a single pass of predictions (fastai's ClassificationInterpretation).
 */
import type * as tf from "@tensorflow/tfjs";
import { DISPLAY, type Displayable, type MimeBundle } from "../display";
import { topKCorrect } from "./accuracy";
import { ClassCurves, curvesFromMatrix } from "./class-curves";
import { ClassificationReport } from "./classification-report";
import { ConfusionMatrix } from "./confusion-matrix";
import { readingHtml, svgImage } from "./format";
import { escapeHtml, formatCount, htmlTable, numberCell, percent } from "../display/html";
import type { ConfusedPairs, MostConfusedOptions } from "./most-confused";
import { getPredictions, type PredictOptions, type PredictSource } from "./predict";
import { Predictions } from "./predictions";
import { topLosses, type TopLosses, type TopLossesOptions } from "./top-losses";

export interface InterpretOptions extends PredictOptions {
  /** Value of precision or recall that divides by zero (see ReportOptions). Default 0, as scikit-learn. */
  zeroDivision?: 0 | 1;
}

/** Per true class: how many of its images were classified right. */
export interface ClassAccuracy {
  classIndex: number;
  className: string;
  correct: number;
  total: number;
  /** correct / total; NaN when the class has no images. */
  accuracy: number;
}

/** Predicts `source` (by default the test split) with `model` and returns every evaluation view of the result. */
export async function interpret(model: tf.LayersModel, source: PredictSource, options: InterpretOptions = {}): Promise<Interpretation> {
  const predictions = await getPredictions(model, source, options);
  return new Interpretation(predictions, options);
}

/** The same views from predictions made elsewhere (e.g. `Predictions.fromScores(scores, { labels, classNames })`). */
export function interpretPredictions(predictions: Predictions, options: { zeroDivision?: 0 | 1 } = {}): Interpretation {
  return new Interpretation(predictions, options);
}

export class Interpretation implements Displayable {
  readonly labels: Int32Array;
  private cache: { confusion?: ConfusionMatrix; report?: ClassificationReport; curves?: ClassCurves } = {};

  constructor(
    readonly predictions: Predictions,
    private readonly options: { zeroDivision?: 0 | 1 } = {},
  ) {
    this.labels = predictions.requireLabels("interpret");
    if (predictions.size === 0) throw new Error("interpret: there are no predictions to look at.");
  }

  get classNames(): readonly string[] {
    return this.predictions.classNames;
  }
  get size(): number {
    return this.predictions.size;
  }
  /** What was evaluated: "mnist, test split". */
  get description(): string {
    return this.predictions.description;
  }
  /** The predicted class of each image. */
  get predicted(): Int32Array {
    return this.predictions.predicted;
  }

  get accuracy(): number {
    return this.confusionMatrix.accuracy;
  }

  /** Share of images whose true class is among the k most likely. Default k = 5. */
  topKAccuracy(k = 5): number {
    return topKCorrect(this.predictions.probabilities, this.predictions.numClasses, this.labels, k) / this.size;
  }

  get confusionMatrix(): ConfusionMatrix {
    if (!this.cache.confusion) {
      const n = this.predictions.numClasses;
      const counts = Array.from({ length: n }, () => new Array<number>(n).fill(0));
      for (let i = 0; i < this.size; i++) counts[this.labels[i]][this.predicted[i]]++;
      this.cache.confusion = new ConfusionMatrix(counts, this.classNames);
    }
    return this.cache.confusion;
  }

  /** Precision, recall, F1 and support per class, with accuracy and the macro, micro and weighted averages. */
  get report(): ClassificationReport {
    this.cache.report ??= new ClassificationReport(this.confusionMatrix, { zeroDivision: this.options.zeroDivision, title: this.description });
    return this.cache.report;
  }

  /** Precision–recall and ROC curves per class, with average precision and AUC. */
  get curves(): ClassCurves {
    this.cache.curves ??= curvesFromMatrix(this.labels, this.predictions.scoreMatrix(), this.classNames, this.description);
    return this.cache.curves;
  }

  /** The commonest mistakes: (true class, predicted class) pairs, most frequent first. */
  mostConfused(options: MostConfusedOptions = {}): ConfusedPairs {
    return this.confusionMatrix.mostConfused(options);
  }

  /** Per true class: images classified right, of how many. */
  perClassAccuracy(): ClassAccuracy[] {
    const m = this.confusionMatrix;
    return this.classNames.map((className, c) => ({
      classIndex: c,
      className,
      correct: m.counts[c][c],
      total: m.support[c],
      accuracy: m.support[c] > 0 ? m.counts[c][c] / m.support[c] : NaN,
    }));
  }

  /** Cross-entropy of each image. */
  losses(): Float64Array {
    return this.predictions.losses();
  }

  /** Positions of the misclassified images. */
  mistakes(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.size; i++) if (this.predicted[i] !== this.labels[i]) out.push(i);
    return out;
  }

  /** The images with the highest loss, with prediction, truth and probability. */
  topLosses(options: TopLossesOptions = {}): Promise<TopLosses> {
    return topLosses(this.predictions, options);
  }

  /** Plain-language findings (from the classification report). */
  get reading(): readonly string[] {
    return this.report.reading;
  }

  toString(): string {
    const k = Math.min(5, this.predictions.numClasses);
    return [
      `Evaluation of ${this.description}: ${formatCount(this.size)} images, accuracy ${percent(this.accuracy)}, top-${k} ${percent(this.topKAccuracy(k))}`,
      "",
      this.report.toString(),
      "",
      this.mostConfused({ top: 5 }).toString(),
    ].join("\n");
  }

  toHtml(): string {
    const k = Math.min(5, this.predictions.numClasses);
    const curves = this.curves;
    const headline = htmlTable(
      ["images", "accuracy", `top-${k} accuracy`, "macro F1", "macro avg precision", "macro ROC AUC"],
      [[
        this.size,
        numberCell(percent(this.accuracy)),
        numberCell(percent(this.topKAccuracy(k))),
        numberCell(this.report.macro.f1.toFixed(3)),
        numberCell(curves.averagePrecision.macro.toFixed(3)),
        numberCell(Number.isFinite(curves.rocAuc.macro) ? curves.rocAuc.macro.toFixed(3) : "–"),
      ]],
      `Evaluation: ${this.description}`,
    );
    const matrix = this.confusionMatrix.chart({ title: "Confusion matrix (colour: share of the true class)" });
    return (
      `<div>${headline}` +
      readingHtml(this.reading) +
      `<div style="display:flex;gap:24px;align-items:flex-start;flex-wrap:wrap;margin-top:8px">` +
      `<div>${this.report.toHtml({ reading: false })}</div>` +
      `<div>${svgImage(matrix.toSVG(), matrix.summary)}</div>` +
      `<div>${this.mostConfused({ top: 8 }).toHtml()}</div></div>` +
      `<div style="font-size:12px;color:#888;margin-top:4px">More: ${escapeHtml(
        "interp.curves (precision–recall and ROC), await interp.topLosses(), interp.mostConfused(), interp.confusionMatrix.chart({ normalize: \"pred\" })",
      )}</div></div>`
    );
  }

  [DISPLAY](): MimeBundle {
    return { "text/html": this.toHtml(), "text/plain": this.toString() };
  }
}
