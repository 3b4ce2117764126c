/** classBarChart: one bar per class (accuracy, recall, F1, sample counts...). */
import { Chart, type ChartOptions } from "./chart";
import { describeValue, frame } from "./format";
import { formatNumber, percent } from "../display/html";
import { isFiniteNumber } from "../history";
import type { Datum, VegaLiteSpec } from "./spec";

export interface ClassBarChartOptions extends ChartOptions {
  /** Name of the value when `values` is a single array. Default "value". */
  metric?: string;
  /**
   * Order of the bars: "given" (default, the order of classNames),
   * "ascending" or "descending" by the first metric's value.
   */
  sort?: "given" | "ascending" | "descending";
  /** Write each value at the end of its bar. Default: when one metric is shown. */
  valueLabels?: boolean;
}

/**
 * Horizontal bars per class. `values` is one number per class, or several
 * metrics side by side: `{ precision: [...], recall: [...] }`. When every
 * value lies in [0, 1] the axis reads in percent.
 */
export function classBarChart(
  classNames: readonly string[],
  values: readonly number[] | Float32Array | Float64Array | Record<string, readonly number[] | Float32Array | Float64Array>,
  options: ClassBarChartOptions = {},
): Chart {
  if (!Array.isArray(classNames) || classNames.some((n) => typeof n !== "string")) {
    throw new Error(`classBarChart expects class names first: classBarChart(["cat", "dog"], [0.9, 0.8]) (got ${describeValue(classNames)}).`);
  }
  const metrics: Record<string, number[]> =
    Array.isArray(values) || ArrayBuffer.isView(values)
      ? { [options.metric ?? "value"]: Array.from(values as ArrayLike<number>) }
      : Object.fromEntries(Object.entries(values ?? {}).map(([k, v]) => [k, Array.from(v as ArrayLike<number>)]));
  const metricNames = Object.keys(metrics);
  if (metricNames.length === 0) throw new Error("classBarChart: no values given; pass one number per class.");
  for (const [metric, list] of Object.entries(metrics)) {
    if (list.length !== classNames.length) {
      throw new Error(`classBarChart: "${metric}" has ${list.length} values for ${classNames.length} classes; give one per class.`);
    }
    list.forEach((v, i) => {
      if (!isFiniteNumber(v)) throw new Error(`classBarChart: "${metric}" value for "${classNames[i]}" is ${String(v)}; use a finite number.`);
    });
  }
  const first = metrics[metricNames[0]];
  const order = classNames.map((_, i) => i);
  if (options.sort === "ascending") order.sort((a, b) => first[a] - first[b]);
  if (options.sort === "descending") order.sort((a, b) => first[b] - first[a]);
  const sortedNames = order.map((i) => classNames[i]);
  const all = metricNames.flatMap((m) => metrics[m]);
  const fractions = all.every((v) => v >= 0 && v <= 1);
  const format = fractions ? ".1%" : ".3~g";

  const rows: Datum[] = [];
  for (const metric of metricNames) {
    metrics[metric].forEach((value, i) => rows.push({ className: classNames[i], metric, value }));
  }
  const lo = order.reduce((a, i) => (first[i] < first[a] ? i : a), 0);
  const hi = order.reduce((a, i) => (first[i] > first[a] ? i : a), 0);
  const show = (v: number) => (fractions ? percent(v) : formatNumber(v));
  const summary =
    `Per-class ${metricNames.join(", ")} for ${classNames.length} classes` +
    (classNames.length > 1 ? `; ${metricNames[0]} highest ${classNames[hi]} ${show(first[hi])}, lowest ${classNames[lo]} ${show(first[lo])}` : "");
  const grouped = metricNames.length > 1;
  const labels = options.valueLabels ?? !grouped;
  const barHeight = grouped ? Math.max(8, 22 - 3 * metricNames.length) * metricNames.length : 20;

  return new Chart("class-bars", summary, ({ textColor }) => {
    const x: VegaLiteSpec = {
      field: "value",
      type: "quantitative",
      title: grouped ? null : (options.metric ?? "value"),
      scale: fractions ? { domain: [0, 1] } : {},
      axis: { format: fractions ? ".0%" : "~g" },
    };
    const y: VegaLiteSpec = { field: "className", type: "nominal", sort: sortedNames, title: null };
    const layers: VegaLiteSpec[] = [
      {
        name: "bars",
        mark: { type: "bar", cornerRadiusEnd: 2 },
        encoding: {
          x,
          y,
          ...(grouped ? { yOffset: { field: "metric", type: "nominal", sort: metricNames } } : {}),
          color: grouped
            ? { field: "metric", type: "nominal", scale: { domain: metricNames }, legend: { title: null, orient: "top" } }
            : { value: "#4c78a8" },
          tooltip: [
            { field: "className", type: "nominal", title: "class" },
            { field: "metric", type: "nominal" },
            { field: "value", type: "quantitative", format },
          ],
        },
      },
    ];
    if (labels) {
      layers.push({
        name: "bar_labels",
        mark: { type: "text", align: "left", dx: 3, fontSize: 10, color: textColor },
        encoding: {
          x,
          y,
          ...(grouped ? { yOffset: { field: "metric", type: "nominal", sort: metricNames } } : {}),
          text: { field: "value", type: "quantitative", format },
        },
      });
    }
    return {
      ...frame(options, {
        title: grouped ? "Per-class metrics" : `Per-class ${options.metric ?? "value"}`,
        width: 360,
        height: Math.max(60, barHeight * classNames.length),
      }),
      data: { values: rows },
      layer: layers,
    };
  }, options);
}
