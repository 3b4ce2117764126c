/**
 * Per-class precision, recall, F1 and support with macro, micro and
 * weighted averages: scikit-learn's precision_recall_fscore_support and
 * classification_report, as a rich table with a plain-language reading.
 */
import { DISPLAY, type Displayable, type MimeBundle } from "../display";
import type { ConfusionMatrix } from "./confusion-matrix";
import { readingHtml } from "./format";
import { type Cell, escapeHtml, fixed, formatCount, htmlTable, numberCell, textTable } from "../display/html";
import { type ClassNamesOption, classItem } from "./inputs";
import { readReport } from "./reading";

export interface ReportOptions {
  /**
   * The value of a metric whose denominator is 0: precision of a class
   * never predicted, recall of a class with no samples. 0 (default) or 1,
   * as scikit-learn's `zero_division` ("warn", its default, also gives 0).
   * Such values are marked "–" in the table and explained below it.
   */
  zeroDivision?: 0 | 1;
  /** Decimals shown in the table. Default 2, as scikit-learn's report. The data keeps full precision. */
  digits?: number;
  /** What was evaluated, for the title, e.g. "mnist, test split". */
  title?: string;
}

export interface ClassificationReportOptions extends ReportOptions, ClassNamesOption {
  /** Number of classes. Default: the number of class names, else the largest label + 1. */
  numClasses?: number;
}

export interface ClassMetrics {
  classIndex: number;
  className: string;
  /** Of the samples predicted as this class, the share that are this class. */
  precision: number;
  /** Of the samples of this class, the share predicted as this class. */
  recall: number;
  /** Harmonic mean of precision and recall. */
  f1: number;
  /** Samples of this class (true labels). */
  support: number;
  /** Samples predicted as this class. */
  predicted: number;
  truePositives: number;
  /** precision was 0/0 (never predicted), so it holds `zeroDivision`. */
  precisionUndefined: boolean;
  /** recall was 0/0 (no samples), so it holds `zeroDivision`. */
  recallUndefined: boolean;
}

export interface AverageMetrics {
  precision: number;
  recall: number;
  f1: number;
  /** Samples counted (all of them). */
  support: number;
}

/** The numbers of a classification report, as plain data. */
export interface PrecisionRecallF1 {
  classes: ClassMetrics[];
  /** Unweighted mean over classes: every class counts the same, however rare. */
  macro: AverageMetrics;
  /** From the summed counts of all classes; with one label per sample it equals accuracy. */
  micro: AverageMetrics;
  /** Mean over classes weighted by support: follows the common classes, like accuracy. */
  weighted: AverageMetrics;
  accuracy: number;
  /**
   * Mean recall over the classes that have samples (scikit-learn's
   * balanced_accuracy_score): what accuracy would be if every class were
   * equally common. A model that ignores a rare class cannot hide here.
   */
  balancedAccuracy: number;
  total: number;
}

export function metricsFromConfusion(matrix: ConfusionMatrix, zeroDivision: 0 | 1): PrecisionRecallF1 {
  if (zeroDivision !== 0 && zeroDivision !== 1) {
    throw new Error(`zeroDivision must be 0 or 1 (got ${JSON.stringify(zeroDivision)}); it is the value of a metric that divides by zero.`);
  }
  const total = matrix.total;
  if (total === 0) throw new Error("A classification report needs at least one sample; the confusion matrix is empty.");
  const divide = (a: number, b: number) => (b > 0 ? a / b : zeroDivision);
  const f1Of = (p: number, r: number) => (p + r > 0 ? (2 * p * r) / (p + r) : 0);
  const classes: ClassMetrics[] = matrix.classNames.map((className, c) => {
    const tp = matrix.counts[c][c];
    const predicted = matrix.predictedCounts[c];
    const support = matrix.support[c];
    const precision = divide(tp, predicted);
    const recall = divide(tp, support);
    return {
      classIndex: c,
      className,
      precision,
      recall,
      f1: f1Of(precision, recall),
      support,
      predicted,
      truePositives: tp,
      precisionUndefined: predicted === 0,
      recallUndefined: support === 0,
    };
  });
  const mean = (key: "precision" | "recall" | "f1") => classes.reduce((a, m) => a + m[key], 0) / classes.length;
  const weightedMean = (key: "precision" | "recall" | "f1") => classes.reduce((a, m) => a + m[key] * m.support, 0) / total;
  const microValue = matrix.correct / total;
  const present = classes.filter((m) => m.support > 0);
  return {
    classes,
    macro: { precision: mean("precision"), recall: mean("recall"), f1: mean("f1"), support: total },
    micro: { precision: microValue, recall: microValue, f1: f1Of(microValue, microValue), support: total },
    weighted: { precision: weightedMean("precision"), recall: weightedMean("recall"), f1: weightedMean("f1"), support: total },
    accuracy: microValue,
    balancedAccuracy: present.reduce((a, m) => a + m.recall, 0) / present.length,
    total,
  };
}

export class ClassificationReport implements Displayable, PrecisionRecallF1 {
  readonly classes: ClassMetrics[];
  readonly macro: AverageMetrics;
  readonly micro: AverageMetrics;
  readonly weighted: AverageMetrics;
  readonly accuracy: number;
  readonly balancedAccuracy: number;
  readonly total: number;
  readonly zeroDivision: 0 | 1;
  readonly digits: number;
  readonly title: string | undefined;
  /** Plain-language findings: imbalance, a baseline, weak classes and where their samples go. */
  readonly reading: readonly string[];

  constructor(
    readonly confusion: ConfusionMatrix,
    options: ReportOptions = {},
  ) {
    this.zeroDivision = options.zeroDivision ?? 0;
    const metrics = metricsFromConfusion(confusion, this.zeroDivision);
    ({ classes: this.classes, macro: this.macro, micro: this.micro, weighted: this.weighted } = metrics);
    ({ accuracy: this.accuracy, balancedAccuracy: this.balancedAccuracy, total: this.total } = metrics);
    this.digits = options.digits ?? 2;
    if (!Number.isInteger(this.digits) || this.digits < 0 || this.digits > 10) {
      throw new Error(`digits must be a whole number from 0 to 10 (got ${String(options.digits)}).`);
    }
    this.title = options.title;
    this.reading = Object.freeze(readReport(confusion, metrics));
  }

  static fromConfusionMatrix(matrix: ConfusionMatrix, options: ReportOptions = {}): ClassificationReport {
    return new ClassificationReport(matrix, options);
  }

  get classNames(): readonly string[] {
    return this.confusion.classNames;
  }

  /** The metrics of one class, by name or index. */
  of(classNameOrIndex: string | number): ClassMetrics {
    return classItem(this.classes, this.classNames, classNameOrIndex);
  }

  /** Notes on metrics that divided by zero (they hold `zeroDivision`). */
  get undefinedNotes(): string[] {
    const notes: string[] = [];
    const neverPredicted = this.classes.filter((m) => m.precisionUndefined).map((m) => m.className);
    const noSamples = this.classes.filter((m) => m.recallUndefined).map((m) => m.className);
    const value = String(this.zeroDivision);
    if (neverPredicted.length) {
      notes.push(`Precision is undefined for ${list(neverPredicted)}, never predicted: shown as “–” and counted as ${value} in the averages.`);
    }
    if (noSamples.length) {
      notes.push(`Recall is undefined for ${list(noSamples)}, with no samples here: shown as “–” and counted as ${value} in the averages.`);
    }
    return notes;
  }

  private heading(): string {
    return `Classification report${this.title ? `: ${this.title}` : ""} (${formatCount(this.total)} samples)`;
  }

  toString(): string {
    const d = this.digits;
    const rows = this.classes.map((m) => [
      m.className,
      m.precisionUndefined ? "–" : fixed(m.precision, d),
      m.recallUndefined ? "–" : fixed(m.recall, d),
      m.precisionUndefined && m.recallUndefined ? "–" : fixed(m.f1, d),
      formatCount(m.support),
      formatCount(m.predicted),
    ]);
    const averages = [
      ["accuracy", "", "", fixed(this.accuracy, d), formatCount(this.total), ""],
      ["balanced accuracy", "", "", fixed(this.balancedAccuracy, d), formatCount(this.total), ""],
      ...(["micro", "macro", "weighted"] as const).map((kind) => [
        `${kind} avg`,
        fixed(this[kind].precision, d),
        fixed(this[kind].recall, d),
        fixed(this[kind].f1, d),
        formatCount(this.total),
        "",
      ]),
    ];
    const lines = [this.heading(), textTable(["", "precision", "recall", "f1-score", "support", "predicted"], [...rows, ...averages], { separatorsBefore: [rows.length] })];
    const notes = [...this.undefinedNotes, ...this.reading];
    if (notes.length) lines.push("", ...notes.map((n) => `- ${n}`));
    return lines.join("\n");
  }

  /** The table, notes and (unless `reading: false`) the plain-language reading. */
  toHtml(options: { reading?: boolean } = {}): string {
    const d = this.digits;
    const maxSupport = Math.max(1, ...this.classes.map((m) => m.support));
    // Shade weak metrics so they stand out: the lower, the redder.
    const metric = (value: number, undefinedHere: boolean): Cell => {
      if (undefinedHere) return numberCell("–", "color:#888");
      const weakness = Math.max(0, Math.min(1, (0.9 - value) / 0.9));
      return numberCell(fixed(value, d), weakness > 0 ? `background:rgba(224,69,47,${(0.45 * weakness).toFixed(2)})` : "");
    };
    const supportCell = (support: number): Cell => ({
      html:
        `<span style="display:inline-block;width:${Math.round((60 * support) / maxSupport)}px;height:8px;background:#4c78a8;opacity:0.6;margin-right:6px;vertical-align:middle"></span>` +
        escapeHtml(formatCount(support)),
      align: "right",
    });
    const rows: (Cell[] | { cells: Cell[]; style: string })[] = this.classes.map((m) => [
      m.className,
      metric(m.precision, m.precisionUndefined),
      metric(m.recall, m.recallUndefined),
      metric(m.f1, m.precisionUndefined && m.recallUndefined),
      supportCell(m.support),
      m.predicted,
    ]);
    const averageRow = (label: string, values: AverageMetrics, hint: string, first = false) => ({
      cells: [
        { html: `<b>${escapeHtml(label)}</b> <span style="color:#888;font-size:11px">${escapeHtml(hint)}</span>` },
        numberCell(fixed(values.precision, d)),
        numberCell(fixed(values.recall, d)),
        numberCell(fixed(values.f1, d)),
        numberCell(formatCount(values.support)),
        "",
      ] as Cell[],
      style: first ? "border-top:2px solid rgba(128,128,128,0.6)" : "",
    });
    rows.push({
      cells: [
        { html: `<b>accuracy</b> <span style="color:#888;font-size:11px">share of all samples right</span>` },
        "",
        "",
        numberCell(fixed(this.accuracy, d)),
        numberCell(formatCount(this.total)),
        "",
      ],
      style: "border-top:2px solid rgba(128,128,128,0.6)",
    });
    rows.push([
      { html: `<b>balanced accuracy</b> <span style="color:#888;font-size:11px">mean recall of the classes present</span>` },
      "",
      "",
      numberCell(fixed(this.balancedAccuracy, d)),
      numberCell(formatCount(this.total)),
      "",
    ]);
    rows.push(averageRow("micro avg", this.micro, "pooled counts (= accuracy here)"));
    rows.push(averageRow("macro avg", this.macro, "every class counts the same"));
    rows.push(averageRow("weighted avg", this.weighted, "classes weighted by support"));
    const notes = this.undefinedNotes;
    return (
      `<div>` +
      htmlTable(["class", "precision", "recall", "f1-score", "support", "predicted"], rows, this.heading()) +
      (notes.length ? `<div style="font-size:12px;color:#888;margin-top:2px">${notes.map(escapeHtml).join("<br/>")}</div>` : "") +
      (options.reading === false ? "" : readingHtml(this.reading)) +
      `</div>`
    );
  }

  [DISPLAY](): MimeBundle {
    return { "text/html": this.toHtml(), "text/plain": this.toString() };
  }
}

function list(names: string[]): string {
  const quoted = names.map((n) => `“${n}”`);
  return quoted.length <= 1 ? quoted.join("") : `${quoted.slice(0, -1).join(", ")} and ${quoted[quoted.length - 1]}`;
}

