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

/** One number per class, or several metrics by name with one number per class each. */
type ClassBarValues = readonly number[] | Float32Array | Float64Array | Record<string, readonly number[] | Float32Array | Float64Array>;

/**
 * Horizontal bars per class. `values` is one number per class, or several
 * metrics side by side: `{ precision: [...], recall: [...] }`. When every
 * value lies in [0, 1] the axis reads in percent.
 */
export function classBarChart(
  classNames: readonly string[],
  values: ClassBarValues,
  options: ClassBarChartOptions = {},
): Chart {
  if (!Array.isArray(classNames) || classNames.some((n) => typeof n !== "string")) {
    throw new Error(`classBarChart expects class names first: classBarChart(["cat", "dog"], [0.9, 0.8]) (got ${describeValue(classNames)}).`);
  }
  const metrics = readMetrics(classNames, values, options.metric);
  const metricNames = Object.keys(metrics);
  const first = metrics[metricNames[0]];
  const order = classNames.map((_, i) => i);
  if (options.sort === "ascending") order.sort((a, b) => first[a] - first[b]);
  if (options.sort === "descending") order.sort((a, b) => first[b] - first[a]);
  const fractions = metricNames.flatMap((m) => metrics[m]).every((v) => v >= 0 && v <= 1);
  const grouped = metricNames.length > 1;
  const picture: BarPicture = {
    metricNames,
    sortedNames: order.map((i) => classNames[i]),
    rows: barRows(classNames, metrics),
    fractions,
    format: fractions ? ".1%" : ".3~g",
    grouped,
    labels: options.valueLabels ?? !grouped,
    height: Math.max(60, (grouped ? Math.max(8, 22 - 3 * metricNames.length) * metricNames.length : 20) * classNames.length),
  };
  return new Chart("class-bars", barSummary(classNames, metricNames, first, order, fractions), ({ textColor }) => barSpec(picture, textColor, options), options);
}

/** What the spec is drawn from. */
interface BarPicture {
  metricNames: string[];
  /** Class names in the order of the bars, top to bottom. */
  sortedNames: string[];
  rows: Datum[];
  /** Whether every value lies in [0, 1] (the axis then reads in percent). */
  fractions: boolean;
  /** d3 format of the values in tooltips and labels. */
  format: string;
  /** Several metrics side by side. */
  grouped: boolean;
  labels: boolean;
  height: number;
}

/** The metrics by name, each with one finite number per class. */
function readMetrics(classNames: readonly string[], values: ClassBarValues, metric: string | undefined): Record<string, number[]> {
  const metrics: Record<string, number[]> =
    Array.isArray(values) || ArrayBuffer.isView(values)
      ? { [metric ?? "value"]: Array.from(values as ArrayLike<number>) }
      : Object.fromEntries(Object.entries(values ?? {}).map(([k, v]) => [k, Array.from(v as ArrayLike<number>)]));
  if (Object.keys(metrics).length === 0) throw new Error("classBarChart: no values given; pass one number per class.");
  for (const [name, list] of Object.entries(metrics)) {
    if (list.length !== classNames.length) {
      throw new Error(`classBarChart: "${name}" has ${list.length} values for ${classNames.length} classes; give one per class.`);
    }
    list.forEach((v, i) => {
      if (!isFiniteNumber(v)) throw new Error(`classBarChart: "${name}" value for "${classNames[i]}" is ${String(v)}; use a finite number.`);
    });
  }
  return metrics;
}

/** One row per metric and class. */
function barRows(classNames: readonly string[], metrics: Record<string, number[]>): Datum[] {
  const rows: Datum[] = [];
  for (const metric of Object.keys(metrics)) {
    metrics[metric].forEach((value, i) => rows.push({ className: classNames[i], metric, value }));
  }
  return rows;
}

/** "Per-class recall for 10 classes; recall highest Bag 97.0%, lowest Shirt 78.0%". */
function barSummary(classNames: readonly string[], metricNames: readonly string[], first: readonly number[], order: readonly number[], fractions: boolean): string {
  const lo = order.reduce((a, i) => (first[i] < first[a] ? i : a), 0);
  const hi = order.reduce((a, i) => (first[i] > first[a] ? i : a), 0);
  const show = (v: number) => (fractions ? percent(v) : formatNumber(v));
  return (
    `Per-class ${metricNames.join(", ")} for ${classNames.length} classes` +
    (classNames.length > 1 ? `; ${metricNames[0]} highest ${classNames[hi]} ${show(first[hi])}, lowest ${classNames[lo]} ${show(first[lo])}` : "")
  );
}

function barSpec(picture: BarPicture, textColor: string, options: ClassBarChartOptions): VegaLiteSpec {
  const { grouped, fractions, metricNames, format } = picture;
  const x: VegaLiteSpec = {
    field: "value",
    type: "quantitative",
    title: grouped ? null : (options.metric ?? "value"),
    scale: fractions ? { domain: [0, 1] } : {},
    axis: { format: fractions ? ".0%" : "~g" },
  };
  const y: VegaLiteSpec = { field: "className", type: "nominal", sort: picture.sortedNames, title: null };
  const offset = grouped ? { yOffset: { field: "metric", type: "nominal", sort: metricNames } } : {};
  const layers: VegaLiteSpec[] = [barLayer(picture, x, y, offset)];
  if (picture.labels) {
    layers.push({
      name: "bar_labels",
      mark: { type: "text", align: "left", dx: 3, fontSize: 10, color: textColor },
      encoding: { x, y, ...offset, text: { field: "value", type: "quantitative", format } },
    });
  }
  return {
    ...frame(options, {
      title: grouped ? "Per-class metrics" : `Per-class ${options.metric ?? "value"}`,
      width: 360,
      height: picture.height,
    }),
    data: { values: picture.rows },
    layer: layers,
  };
}

function barLayer({ grouped, metricNames, format }: BarPicture, x: VegaLiteSpec, y: VegaLiteSpec, offset: VegaLiteSpec): VegaLiteSpec {
  return {
    name: "bars",
    mark: { type: "bar", cornerRadiusEnd: 2 },
    encoding: {
      x,
      y,
      ...offset,
      color: grouped
        ? { field: "metric", type: "nominal", scale: { domain: metricNames }, legend: { title: null, orient: "top" } }
        : { value: "#4c78a8" },
      tooltip: [
        { field: "className", type: "nominal", title: "class" },
        { field: "metric", type: "nominal" },
        { field: "value", type: "quantitative", format },
      ],
    },
  };
}
