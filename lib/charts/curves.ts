/**
 * Per-class precision–recall and ROC curves (one-vs-rest), from points the
 * evaluation code computed at a range of score thresholds.
 */
import { Chart, type ChartOptions } from "./chart";
import { describeValue, frame } from "./format";
import { formatNumber } from "../display/html";
import type { Datum, VegaLiteSpec } from "./spec";

export interface PRCurve {
  className: string;
  /** Points along the thresholds, in any order (they are drawn sorted by recall). */
  points: readonly { recall: number; precision: number }[];
  /** Average precision; computed from the points when left out (see `averagePrecision`). */
  averagePrecision?: number;
}

export interface ROCCurve {
  className: string;
  /** Points along the thresholds, in any order (they are drawn sorted by false-positive rate). */
  points: readonly { fpr: number; tpr: number }[];
  /** Area under the curve; computed from the points (trapezoids) when left out. */
  auc?: number;
}

export type CurveChartOptions = ChartOptions;

type PRPoint = { recall: number; precision: number };
type ROCPoint = { fpr: number; tpr: number };
/** The order PR points are read and drawn in: by recall, the higher precision first. */
const byRecall = (a: PRPoint, b: PRPoint) => a.recall - b.recall || b.precision - a.precision;
/** The order ROC points are read and drawn in: by false-positive rate, then true-positive rate. */
const byFpr = (a: ROCPoint, b: ROCPoint) => a.fpr - b.fpr || a.tpr - b.tpr;

/**
 * Average precision as scikit-learn defines it: Σ (Rₙ − Rₙ₋₁) · Pₙ over the
 * points sorted by recall, i.e. precision weighted by each step in recall
 * (no interpolation).
 */
export function averagePrecision(points: readonly PRPoint[]): number {
  const sorted = [...points].sort(byRecall);
  let ap = 0;
  let previousRecall = 0;
  for (const p of sorted) {
    ap += (p.recall - previousRecall) * p.precision;
    previousRecall = p.recall;
  }
  return ap;
}

/** Area under a ROC curve by the trapezoid rule, from (0,0) to (1,1). */
export function areaUnderROC(points: readonly ROCPoint[]): number {
  const sorted = [{ fpr: 0, tpr: 0 }, ...[...points].sort(byFpr), { fpr: 1, tpr: 1 }];
  let area = 0;
  for (let i = 1; i < sorted.length; i++) {
    area += ((sorted[i].fpr - sorted[i - 1].fpr) * (sorted[i].tpr + sorted[i - 1].tpr)) / 2;
  }
  return area;
}

/** One precision–recall curve per class, with each class's average precision in the legend. */
export function prCurveChart(curves: readonly PRCurve[], options: CurveChartOptions = {}): Chart {
  checkCurves(curves, "prCurveChart", "recall", "precision");
  const scored = curves.map((c) => ({ curve: c, score: c.averagePrecision ?? averagePrecision(c.points) }));
  const { rows, series } = curveRows(scored, "AP", byRecall, (p) => [p.recall, p.precision]);
  const summary = curveSummary("Precision–recall", "AP", scored);
  return new Chart("pr-curve", summary, () =>
    curveSpec(options, {
      title: "Precision–recall per class",
      rows,
      series,
      xTitle: "recall",
      yTitle: "precision",
      extraLayers: [],
    }),
  options);
}

/** One ROC curve per class, with each class's AUC in the legend and the chance diagonal. */
export function rocCurveChart(curves: readonly ROCCurve[], options: CurveChartOptions = {}): Chart {
  checkCurves(curves, "rocCurveChart", "fpr", "tpr");
  const scored = curves.map((c) => ({ curve: c, score: c.auc ?? areaUnderROC(c.points) }));
  const { rows, series } = curveRows(scored, "AUC", byFpr, (p) => [p.fpr, p.tpr]);
  const summary = curveSummary("ROC", "AUC", scored);
  return new Chart("roc-curve", summary, ({ annotationColor }) =>
    curveSpec(options, {
      title: "ROC per class",
      rows,
      series,
      xTitle: "false-positive rate",
      yTitle: "true-positive rate",
      extraLayers: [
        {
          name: "chance",
          data: { values: [{ x: 0, y: 0, x2: 1, y2: 1 }] },
          mark: { type: "rule", color: annotationColor, strokeDash: [4, 4], strokeWidth: 1 },
          encoding: {
            x: { field: "x", type: "quantitative" },
            y: { field: "y", type: "quantitative" },
            x2: { field: "x2" },
            y2: { field: "y2" },
          },
        },
      ],
    }),
  options);
}

/** One series a class, named with its score, its points as rows in drawing order. */
function curveRows<P>(
  scored: readonly { curve: { className: string; points: readonly P[] }; score: number }[],
  scoreName: string,
  order: (a: P, b: P) => number,
  xy: (p: P) => [number, number],
): { rows: Datum[]; series: string[] } {
  const rows: Datum[] = [];
  const series: string[] = [];
  for (const { curve, score } of scored) {
    const name = `${curve.className} (${scoreName} ${score.toFixed(2)})`;
    series.push(name);
    [...curve.points].sort(order).forEach((p, i) => {
      const [x, y] = xy(p);
      rows.push({ series: name, x, y, order: i });
    });
  }
  return { rows, series };
}

function curveSpec(
  options: ChartOptions,
  parts: { title: string; rows: Datum[]; series: string[]; xTitle: string; yTitle: string; extraLayers: VegaLiteSpec[] },
): VegaLiteSpec {
  const unit = { type: "quantitative", scale: { domain: [0, 1] } };
  return {
    ...frame(options, { title: parts.title, width: 320, height: 320 }),
    layer: [
      ...parts.extraLayers,
      {
        name: "curves",
        data: { values: parts.rows },
        mark: { type: "line", strokeWidth: 2, clip: true },
        encoding: {
          x: { field: "x", ...unit, title: parts.xTitle },
          y: { field: "y", ...unit, title: parts.yTitle },
          order: { field: "order", type: "quantitative" },
          color: {
            field: "series",
            type: "nominal",
            scale: { domain: parts.series },
            legend: { title: null, orient: "right" },
          },
          tooltip: [
            { field: "series", type: "nominal", title: "class" },
            { field: "x", type: "quantitative", title: parts.xTitle, format: ".3f" },
            { field: "y", type: "quantitative", title: parts.yTitle, format: ".3f" },
          ],
        },
      },
    ],
  };
}

function curveSummary(what: string, score: string, scored: { curve: { className: string }; score: number }[]): string {
  if (scored.length === 0) return `${what} curves: no classes`;
  const mean = scored.reduce((a, s) => a + s.score, 0) / scored.length;
  const worst = scored.reduce((a, s) => (s.score < a.score ? s : a));
  return (
    `${what} curves for ${scored.length} class${scored.length === 1 ? "" : "es"}: mean ${score} ${formatNumber(mean)}` +
    (scored.length > 1 ? ` (lowest: ${worst.curve.className} ${formatNumber(worst.score)})` : "")
  );
}

function checkCurves(curves: unknown, fn: string, xKey: string, yKey: string): void {
  const example = `${fn}([{ className: "cat", points: [{ ${xKey}: 0, ${yKey}: 1 }, ...] }])`;
  if (!Array.isArray(curves)) throw new Error(`${fn} expects an array of per-class curves (got ${describeValue(curves)}). For example: ${example}`);
  curves.forEach((curve: { className?: unknown; points?: unknown }, i) => {
    if (!curve || typeof curve.className !== "string" || !Array.isArray(curve.points)) {
      throw new Error(`${fn}: curve ${i} needs a className (string) and points (array). For example: ${example}`);
    }
    (curve.points as Record<string, unknown>[]).forEach((p, j) => {
      const x = p?.[xKey];
      const y = p?.[yKey];
      if (typeof x !== "number" || typeof y !== "number" || !(x >= 0 && x <= 1) || !(y >= 0 && y <= 1)) {
        throw new Error(`${fn}: curve "${curve.className}" point ${j} is ${JSON.stringify(p)}; ${xKey} and ${yKey} must be numbers in [0, 1].`);
      }
    });
  });
}
