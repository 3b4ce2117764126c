/**
 * Images per class and split, as data and as a small chart. Imbalance is the
 * first thing to check in a new dataset: a model can score 90% on a 90/10
 * dataset by always answering the big class.
 *
 * The chart is a hand-made SVG so that this module does not depend on
 * lib/charts; `ClassCounts.rows` is the tidy data a Vega-Lite bar chart takes.
 */
import { DISPLAY, MimeBundle } from "../display";
import type { Dataset } from "./dataset";
import { SPLIT_NAMES, type SplitName } from "./split-names";
import { escapeHtml, formatCount, htmlTable } from "../display/html";

export interface ClassCountRow {
  className: string;
  label: number;
  split: SplitName;
  count: number;
}

const SPLIT_COLORS: Record<SplitName, string> = { train: "#4c78a8", validation: "#f58518", test: "#54a24b" };

export class ClassCounts {
  /** counts[split][label] */
  readonly counts: Record<SplitName, number[]>;

  constructor(
    readonly classNames: readonly string[],
    counts: Partial<Record<SplitName, number[]>>,
    readonly title = "Images per class",
  ) {
    const zeros = (): number[] => classNames.map(() => 0);
    this.counts = { train: counts.train ?? zeros(), validation: counts.validation ?? zeros(), test: counts.test ?? zeros() };
  }

  static of(dataset: Dataset): ClassCounts {
    return new ClassCounts(dataset.classNames, {
      train: dataset.classCounts("train"),
      validation: dataset.classCounts("validation"),
      test: dataset.classCounts("test"),
    }, `Images per class: ${dataset.name}`);
  }

  /** Splits with any image. */
  get splits(): SplitName[] {
    return SPLIT_NAMES.filter((s) => this.counts[s].some((c) => c > 0));
  }

  /** All splits together, per class. */
  get totals(): number[] {
    return this.classNames.map((_, label) => SPLIT_NAMES.reduce((sum, s) => sum + this.counts[s][label], 0));
  }

  /** One row per class and split: the shape a Vega-Lite chart wants. */
  get rows(): ClassCountRow[] {
    const rows: ClassCountRow[] = [];
    for (const split of this.splits) {
      this.classNames.forEach((className, label) => rows.push({ className, label, split, count: this.counts[split][label] }));
    }
    return rows;
  }

  /** Largest class total / smallest class total (1 = balanced; Infinity when a class is empty). */
  get imbalanceRatio(): number {
    const totals = this.totals;
    const smallest = Math.min(...totals);
    return smallest === 0 ? Infinity : Math.max(...totals) / smallest;
  }

  /** A horizontal stacked bar chart, one bar per class, coloured by split. */
  toSvg(): string {
    const splits = this.splits.length ? this.splits : (["train"] as SplitName[]);
    const totals = this.totals;
    const max = Math.max(1, ...totals);
    const labelWidth = Math.min(220, 12 + 7 * Math.max(...this.classNames.map((n) => n.length), 4));
    const barArea = 320;
    const rowHeight = 18;
    const top = 24;
    const height = top + rowHeight * this.classNames.length + 8;
    const width = labelWidth + barArea + 70;
    const parts: string[] = [];
    let legendX = labelWidth;
    for (const split of splits) {
      parts.push(`<rect x="${legendX}" y="6" width="10" height="10" fill="${SPLIT_COLORS[split]}"/>`);
      parts.push(`<text x="${legendX + 14}" y="15" font-size="11">${split}</text>`);
      legendX += 24 + split.length * 7;
    }
    this.classNames.forEach((name, label) => {
      const y = top + label * rowHeight;
      parts.push(
        `<text x="${labelWidth - 6}" y="${y + 12}" font-size="12" text-anchor="end">${escapeHtml(name)}</text>`,
      );
      let x = labelWidth;
      for (const split of splits) {
        const w = (this.counts[split][label] / max) * barArea;
        if (w > 0) {
          parts.push(
            `<rect x="${x.toFixed(1)}" y="${y + 2}" width="${w.toFixed(1)}" height="${rowHeight - 4}" fill="${SPLIT_COLORS[split]}">` +
              `<title>${escapeHtml(name)}, ${split}: ${formatCount(this.counts[split][label])}</title></rect>`,
          );
        }
        x += w;
      }
      parts.push(`<text x="${(x + 4).toFixed(1)}" y="${y + 12}" font-size="11" fill="#555">${formatCount(totals[label])}</text>`);
    });
    return (
      `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">` +
      parts.join("") +
      `</svg>`
    );
  }

  toHtml(): string {
    const splits = this.splits;
    const rows = this.classNames.map((name, label) => [
      name,
      ...splits.map((s) => this.counts[s][label]),
      this.totals[label],
    ]);
    const ratio = this.imbalanceRatio;
    const note =
      ratio === Infinity
        ? "At least one class has no images."
        : `Largest class / smallest class: ${ratio.toFixed(2)}${ratio >= 2 ? " (imbalanced: watch per-class accuracy, not only the overall score)" : ""}.`;
    return (
      `<div><div style="font-weight:bold;margin:4px 0">${escapeHtml(this.title)}</div>` +
      `<div style="display:flex;gap:24px;align-items:flex-start;flex-wrap:wrap">${this.toSvg()}` +
      htmlTable(["class", ...splits, "total"], rows) +
      `</div><div style="font-size:12px;color:#555">${escapeHtml(note)}</div></div>`
    );
  }

  toString(): string {
    const splits = this.splits;
    const width = Math.max(5, ...this.classNames.map((n) => n.length));
    const lines = [`${this.title}`, `${"class".padEnd(width)}  ${[...splits, "total"].map((s) => s.padStart(12)).join("")}`];
    this.classNames.forEach((name, label) => {
      const cells = [...splits.map((s) => this.counts[s][label]), this.totals[label]];
      lines.push(`${name.padEnd(width)}  ${cells.map((c) => formatCount(c).padStart(12)).join("")}`);
    });
    return lines.join("\n");
  }

  [DISPLAY](): MimeBundle {
    return { "text/html": this.toHtml(), "text/plain": this.toString() };
  }
}

/** Images per class and split, shown as a chart and a table. */
export function classCounts(dataset: Dataset): ClassCounts {
  return ClassCounts.of(dataset);
}
