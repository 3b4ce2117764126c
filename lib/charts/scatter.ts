/** scatterChart: points from records, e.g. embeddings, or accuracy against model size. */
import { Chart, type ChartOptions } from "./chart";
import { describeValue, frame } from "./format";
import { formatNumber } from "../display/html";
import type { Datum, VegaLiteSpec } from "./spec";

export type ScatterRecord = Record<string, number | string | boolean | null | undefined>;

export interface ScatterChartOptions extends ChartOptions {
  /** Field for x. Default "x". */
  x?: string;
  /** Field for y. Default "y". */
  y?: string;
  /** Field to colour by (a class name, or a number for a gradient). Default: none. */
  color?: string;
  /** Field whose value labels each point in tooltips (and the summary). Default: none. */
  label?: string;
  /** Log scales. Default false. */
  logX?: boolean;
  logY?: boolean;
  /** Axis titles. Default: the field names. */
  xTitle?: string;
  yTitle?: string;
}

/** A scatter plot of records: `scatterChart(runs, { x: "params", y: "valAccuracy", color: "model" })`. */
export function scatterChart(records: readonly ScatterRecord[], options: ScatterChartOptions = {}): Chart {
  if (!Array.isArray(records)) {
    throw new Error(`scatterChart expects an array of records, e.g. [{ x: 1, y: 2 }] (got ${describeValue(records)}).`);
  }
  const xField = options.x ?? "x";
  const yField = options.y ?? "y";
  for (const field of [xField, yField]) {
    if (records.length && !records.some((r) => typeof r?.[field] === "number")) {
      throw new Error(
        `scatterChart: no record has a number in "${field}". Name the fields to plot: scatterChart(records, { x: "...", y: "..." }). ` +
          `The first record has: ${Object.keys(records[0] ?? {}).join(", ")}.`,
      );
    }
  }
  const fields = [...new Set([xField, yField, options.color, options.label].filter((f): f is string => !!f))];
  const rows: Datum[] = records.map((r) => Object.fromEntries(fields.map((f) => [f, r[f] ?? null])) as Datum);
  const colorNumeric = options.color ? records.every((r) => typeof r[options.color!] === "number" || r[options.color!] == null) : false;
  const groups = options.color && !colorNumeric ? new Set(records.map((r) => String(r[options.color!]))).size : 0;
  const summary =
    `Scatter: ${records.length} points, ${yField} against ${xField}` +
    (groups ? ` in ${groups} groups of ${options.color}` : "") +
    correlationNote(records, xField, yField);

  return new Chart("scatter", summary, () => {
    const encoding: VegaLiteSpec = {
      x: { field: xField, type: "quantitative", title: options.xTitle ?? xField, scale: options.logX ? { type: "log" } : { zero: false } },
      y: { field: yField, type: "quantitative", title: options.yTitle ?? yField, scale: options.logY ? { type: "log" } : { zero: false } },
      tooltip: fields.map((f) =>
        f === xField || f === yField || (f === options.color && colorNumeric) ? { field: f, type: "quantitative", format: ".4~g" } : { field: f, type: "nominal" },
      ),
    };
    if (options.color) {
      encoding.color = colorNumeric
        ? { field: options.color, type: "quantitative", scale: { scheme: { name: "viridis", extent: [0.15, 0.9] } } }
        : { field: options.color, type: "nominal", legend: { orient: "right" } };
    }
    return {
      ...frame(options, { title: `${yField} vs ${xField}`, width: 360, height: 300 }),
      data: { values: rows },
      name: "points",
      mark: { type: "point", filled: true, size: records.length > 500 ? 12 : 40, opacity: 0.8 },
      encoding,
    };
  }, options);
}

/** Pearson's r, when there are enough points for it to mean something. */
function correlationNote(records: readonly ScatterRecord[], x: string, y: string): string {
  const pairs = records
    .map((r) => [r[x], r[y]])
    .filter((p): p is [number, number] => typeof p[0] === "number" && typeof p[1] === "number" && Number.isFinite(p[0]) && Number.isFinite(p[1]));
  if (pairs.length < 3) return "";
  const mx = pairs.reduce((a, p) => a + p[0], 0) / pairs.length;
  const my = pairs.reduce((a, p) => a + p[1], 0) / pairs.length;
  let sxy = 0, sxx = 0, syy = 0;
  for (const [a, b] of pairs) {
    sxy += (a - mx) * (b - my);
    sxx += (a - mx) ** 2;
    syy += (b - my) ** 2;
  }
  return sxx > 0 && syy > 0 ? `; correlation r = ${formatNumber(sxy / Math.sqrt(sxx * syy))}` : "";
}
