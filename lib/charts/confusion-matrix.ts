/** confusionMatrixChart: a heatmap of counts and normalized rates. */
import { Chart, type ChartOptions } from "./chart";
import { describeValue, frame } from "./format";
import { percent } from "../display/html";
import type { Datum, VegaLiteSpec } from "./spec";

export interface ConfusionMatrixOptions extends ChartOptions {
  /**
   * What the colours and percentages are relative to (as scikit-learn's
   * `normalize`):
   * - "true" (default): each row sums to 100 %, so the diagonal is each
   *   class's recall and a row shows where that class's images went;
   * - "pred": each column sums to 100 % (the diagonal is precision);
   * - "all": every cell is a share of all samples.
   */
  normalize?: "true" | "pred" | "all";
  /** Write count and percentage in each cell. Default: when cells are at least 26 px. */
  cellLabels?: boolean;
  /** Size of one cell in pixels. Default: fits 10 classes in about 400 px, 18–48 px per cell. */
  cellSize?: number;
}

export interface ConfusionSummary {
  total: number;
  correct: number;
  accuracy: number;
  /** The largest off-diagonal cell: the commonest mistake. */
  worst?: { actual: string; predicted: string; count: number };
}

/**
 * The confusion matrix of a classifier: rows are the true classes, columns
 * the predicted ones (`matrix[actual][predicted]` counts samples, as
 * scikit-learn and tf.math.confusionMatrix lay it out). Each cell shows its
 * count and its rate; colour follows the rate.
 */
export function confusionMatrixChart(
  matrix: readonly (readonly number[])[],
  classNames?: readonly string[],
  options: ConfusionMatrixOptions = {},
): Chart {
  const n = checkMatrix(matrix);
  const names = checkNames(classNames, n);
  const normalize = options.normalize ?? "true";
  if (!["true", "pred", "all"].includes(normalize)) {
    throw new Error(`confusionMatrixChart: normalize must be "true", "pred" or "all" (got ${JSON.stringify(normalize)}).`);
  }
  const rowSums = matrix.map((row) => row.reduce((a, b) => a + b, 0));
  const total = rowSums.reduce((a, b) => a + b, 0);
  const stats = summarize(matrix, names, total);
  const cellSize = options.cellSize ?? Math.max(18, Math.min(48, Math.floor(400 / Math.max(n, 1))));
  const picture: MatrixPicture = {
    cells: cellData(matrix, names, normalize, rowSums, total),
    names,
    cellSize,
    showLabels: options.cellLabels ?? cellSize >= 26,
    rateTitle: { true: "share of true class", pred: "share of predicted class", all: "share of all samples" }[normalize],
    subtitle: `accuracy ${percent(stats.accuracy)} of ${total} · rows: true class, columns: prediction`,
  };
  const summary =
    `Confusion matrix: ${n} classes, ${total} samples, accuracy ${percent(stats.accuracy)}` +
    (stats.worst ? `; commonest mistake: ${stats.worst.actual} → ${stats.worst.predicted} (${stats.worst.count})` : "");
  return new Chart("confusion-matrix", summary, () => matrixSpec(picture, options), options);
}

/** What the spec is drawn from: one cell per (true, predicted) pair and how to show them. */
interface MatrixPicture {
  cells: Datum[];
  names: string[];
  cellSize: number;
  showLabels: boolean;
  /** The legend's title: what a rate is a share of. */
  rateTitle: string;
  subtitle: string;
}

/** The class names (default "0", "1", ...): one per row, all different. */
function checkNames(classNames: readonly string[] | undefined, n: number): string[] {
  const names = classNames ? [...classNames] : Array.from({ length: n }, (_, i) => String(i));
  if (names.length !== n) {
    throw new Error(`confusionMatrixChart: ${names.length} class names for a ${n}×${n} matrix; give one name per row.`);
  }
  if (new Set(names).size !== n) {
    throw new Error(`confusionMatrixChart: class names must be distinct (got ${JSON.stringify(names)}).`);
  }
  return names;
}

/** One datum per cell: its count, its rate (of its row, column or all samples) and the label written in it. */
function cellData(
  matrix: readonly (readonly number[])[],
  names: readonly string[],
  normalize: "true" | "pred" | "all",
  rowSums: readonly number[],
  total: number,
): Datum[] {
  const colSums = names.map((_, j) => matrix.reduce((a, row) => a + row[j], 0));
  const cells: Datum[] = [];
  for (let i = 0; i < names.length; i++) {
    for (let j = 0; j < names.length; j++) {
      const count = matrix[i][j];
      const denominator = normalize === "true" ? rowSums[i] : normalize === "pred" ? colSums[j] : total;
      const rate = denominator > 0 ? count / denominator : 0;
      cells.push({
        actual: names[i],
        predicted: names[j],
        count,
        rate,
        label: `${count}\n${Math.round(rate * 100)}%`,
      });
    }
  }
  return cells;
}

function matrixSpec(picture: MatrixPicture, options: ConfusionMatrixOptions): VegaLiteSpec {
  const { names, cellSize, subtitle } = picture;
  const n = names.length;
  return {
    ...frame(options, { title: "Confusion matrix", subtitle, width: cellSize * n, height: cellSize * n }),
    data: { values: picture.cells },
    encoding: {
      x: {
        field: "predicted",
        type: "ordinal",
        sort: names,
        title: "predicted class",
        axis: { labelAngle: names.some((s) => s.length > 3) ? -40 : 0, orient: "bottom" },
      },
      y: { field: "actual", type: "ordinal", sort: names, title: "true class" },
    },
    layer: cellLayers(picture),
  };
}

/** Coloured cells, and count and rate written in them when they are big enough. */
function cellLayers({ names, cellSize, showLabels, rateTitle }: MatrixPicture): VegaLiteSpec[] {
  const n = names.length;
  const cells: VegaLiteSpec = {
    name: "cells",
    mark: { type: "rect", stroke: "rgba(128,128,128,0.35)", strokeWidth: 0.5 },
    encoding: {
      color: {
        field: "rate",
        type: "quantitative",
        title: rateTitle,
        scale: { scheme: "blues", domain: [0, 1] },
        legend: { format: ".0%", orient: "right", gradientLength: Math.max(80, Math.min(200, cellSize * n)) },
      },
      tooltip: [
        { field: "actual", type: "nominal", title: "true class" },
        { field: "predicted", type: "nominal", title: "predicted" },
        { field: "count", type: "quantitative", format: ",d" },
        { field: "rate", type: "quantitative", title: rateTitle, format: ".1%" },
      ],
    },
  };
  const labels: VegaLiteSpec = {
    name: "cell_labels",
    mark: { type: "text", lineBreak: "\n", fontSize: cellSize >= 36 ? 11 : 9, lineHeight: cellSize >= 36 ? 13 : 10 },
    encoding: {
      text: { field: "label", type: "nominal" },
      // White on the dark half of the scale, dark on the light half.
      color: { condition: { test: "datum.rate > 0.5", value: "#ffffff" }, value: "#1a1a1a" },
    },
  };
  return showLabels ? [cells, labels] : [cells];
}

/** Accuracy and the commonest confusion of a confusion matrix. */
export function summarizeConfusion(matrix: readonly (readonly number[])[], classNames?: readonly string[]): ConfusionSummary {
  const n = checkMatrix(matrix);
  const names = classNames ? [...classNames] : Array.from({ length: n }, (_, i) => String(i));
  const total = matrix.reduce((a, row) => a + row.reduce((b, c) => b + c, 0), 0);
  return summarize(matrix, names, total);
}

function summarize(matrix: readonly (readonly number[])[], names: string[], total: number): ConfusionSummary {
  let correct = 0;
  let worst: ConfusionSummary["worst"];
  matrix.forEach((row, i) =>
    row.forEach((count, j) => {
      if (i === j) correct += count;
      else if (count > 0 && (!worst || count > worst.count)) worst = { actual: names[i], predicted: names[j], count };
    }),
  );
  return { total, correct, accuracy: total > 0 ? correct / total : 0, worst };
}

function checkMatrix(matrix: readonly (readonly number[])[]): number {
  if (!Array.isArray(matrix) || matrix.length === 0) {
    throw new Error(
      `confusionMatrixChart expects a square array of counts, matrix[trueClass][predictedClass] (got ${describeValue(matrix)}).`,
    );
  }
  const n = matrix.length;
  matrix.forEach((row, i) => {
    if (!row || typeof (row as ArrayLike<number>).length !== "number" || row.length !== n) {
      throw new Error(`confusionMatrixChart: row ${i} has ${row?.length ?? "no"} entries; a ${n}-class matrix needs ${n} per row.`);
    }
    for (let j = 0; j < n; j++) {
      const count: unknown = row[j];
      if (typeof count !== "number" || !Number.isFinite(count) || count < 0) {
        throw new Error(`confusionMatrixChart: matrix[${i}][${j}] is ${String(count)}; counts must be finite numbers ≥ 0.`);
      }
    }
  });
  return n;
}
