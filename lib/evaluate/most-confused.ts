/** The most-confused pairs: the largest off-diagonal cells of a confusion matrix (fastai's most_confused). */
import { DISPLAY, type Displayable, type MimeBundle } from "../display";
import type { ConfusionMatrix } from "./confusion-matrix";
import { escapeHtml, htmlTable, numberCell, percent, textTable } from "../display/html";

export interface MostConfusedOptions {
  /** At most this many pairs. Default 10. */
  top?: number;
  /** Leave out pairs seen fewer times than this. Default 1. */
  minCount?: number;
}

/** One kind of mistake: samples of `actualName` predicted as `predictedName`. */
export interface ConfusedPair {
  actual: number;
  predicted: number;
  actualName: string;
  predictedName: string;
  count: number;
  /** count / samples of the true class: how often this class goes wrong this way. */
  shareOfActual: number;
  /** count / predictions of the predicted class: how much of that prediction is this mistake. */
  shareOfPredicted: number;
}

export class ConfusedPairs implements Displayable, Iterable<ConfusedPair> {
  constructor(
    readonly pairs: readonly ConfusedPair[],
    /** Wrong predictions in all. */
    readonly totalErrors: number,
  ) {}

  get length(): number {
    return this.pairs.length;
  }

  at(index: number): ConfusedPair | undefined {
    return this.pairs.at(index);
  }

  [Symbol.iterator](): Iterator<ConfusedPair> {
    return this.pairs[Symbol.iterator]();
  }

  /** One sentence per pair: "“3” is predicted as “5” 12 times (6.1% of “3”)". */
  sentences(): string[] {
    return this.pairs.map(
      (p) =>
        `${quote(p.actualName)} is predicted as ${quote(p.predictedName)} ${p.count} time${p.count === 1 ? "" : "s"} ` +
        `(${percent(p.shareOfActual)} of ${quote(p.actualName)})`,
    );
  }

  toString(): string {
    if (this.pairs.length === 0) return "Most confused: no mistakes of that size.";
    const rows = this.pairs.map((p) => [p.actualName, p.predictedName, String(p.count), percent(p.shareOfActual), percent(p.shareOfPredicted)]);
    return (
      `Most confused pairs (${this.totalErrors} wrong predictions in all)\n` +
      textTable(["true class", "predicted as", "count", "of true class", "of predictions"], rows)
    );
  }

  toHtml(): string {
    if (this.pairs.length === 0) return `<div style="font-size:13px">Most confused: no mistakes of that size.</div>`;
    const rows = this.pairs.map((p) => [
      p.actualName,
      { html: `→ ${escapeHtml(p.predictedName)}` },
      p.count,
      numberCell(percent(p.shareOfActual)),
      numberCell(percent(p.shareOfPredicted)),
    ]);
    return htmlTable(
      ["true class", "predicted as", "count", "share of true class", "share of that prediction"],
      rows,
      `Most confused pairs (${this.totalErrors} wrong predictions in all)`,
    );
  }

  [DISPLAY](): MimeBundle {
    return { "text/html": this.toHtml(), "text/plain": this.toString() };
  }
}

/** The largest off-diagonal cells, commonest first (ties: larger share of the true class first). */
export function mostConfused(matrix: ConfusionMatrix, options: MostConfusedOptions = {}): ConfusedPairs {
  const top = options.top ?? 10;
  const minCount = options.minCount ?? 1;
  if (!Number.isInteger(top) || top < 0) throw new Error(`mostConfused: top must be a whole number ≥ 0 (got ${String(top)}).`);
  if (typeof minCount !== "number" || !(minCount >= 1)) throw new Error(`mostConfused: minCount must be a number ≥ 1 (got ${String(minCount)}).`);
  const pairs: ConfusedPair[] = [];
  let totalErrors = 0;
  matrix.counts.forEach((row, i) =>
    row.forEach((c, j) => {
      if (i === j) return;
      totalErrors += c;
      if (c < minCount) return;
      pairs.push({
        actual: i,
        predicted: j,
        actualName: matrix.classNames[i],
        predictedName: matrix.classNames[j],
        count: c,
        shareOfActual: c / matrix.support[i],
        shareOfPredicted: c / matrix.predictedCounts[j],
      });
    }),
  );
  pairs.sort((a, b) => b.count - a.count || b.shareOfActual - a.shareOfActual || a.actual - b.actual || a.predicted - b.predicted);
  return new ConfusedPairs(pairs.slice(0, top), totalErrors);
}

function quote(name: string): string {
  return `“${name}”`;
}
