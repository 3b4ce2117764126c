/** lineChart: several named series against a shared x axis. */
import { Chart, type ChartOptions } from "./chart";
import { describeValue, frame, formatNumber } from "./format";
import { isFiniteNumber } from "./history-analysis";
import { jsonNumber, type Datum, type VegaLiteSpec } from "./spec";

/** y values (x = xStart, xStart + 1, ...) or explicit points. */
export type Series = readonly number[] | Float32Array | Float64Array | readonly { x: number; y: number }[];

export interface LineChartOptions extends ChartOptions {
  /** Default "step". */
  xTitle?: string;
  /** Default "value". */
  yTitle?: string;
  /** x of the first value when a series is a plain array of numbers. Default 1. */
  xStart?: number;
  /** Logarithmic y axis (values ≤ 0 are left out). Default false. */
  logY?: boolean;
  /** Draw a dot at each point. Default: when no series has more than 40 points. */
  points?: boolean;
}

/**
 * Several named series on one chart, e.g.
 * `lineChart({ "lr 0.01": losses1, "lr 0.1": losses2 }, { yTitle: "loss" })`.
 * NaN and infinite values leave a gap (a diverged run shows where it broke).
 */
export function lineChart(series: Record<string, Series>, options: LineChartOptions = {}): Chart {
  if (!series || typeof series !== "object" || Array.isArray(series)) {
    throw new Error(
      `lineChart expects an object of named series, e.g. lineChart({ train: [0.9, 0.5], val: [1.0, 0.7] }) (got ${describeValue(series)}).`,
    );
  }
  const names = Object.keys(series);
  const xStart = options.xStart ?? 1;
  const rows: Datum[] = [];
  let longest = 0;
  const lastValues: string[] = [];
  for (const name of names) {
    const points = toPoints(series[name], name, xStart);
    longest = Math.max(longest, points.length);
    for (const p of points) rows.push({ series: name, x: p.x, y: options.logY && !(p.y > 0) ? null : jsonNumber(p.y) });
    const last = [...points].reverse().find((p) => isFiniteNumber(p.y));
    if (last) lastValues.push(`${name} ${formatNumber(last.y)}`);
  }
  const summary =
    `Line chart: ${names.length} series, up to ${longest} points` + (lastValues.length ? `; last: ${lastValues.join(", ")}` : "");
  const showPoints = options.points ?? longest <= 40;

  return new Chart("line", summary, () => {
    const y: VegaLiteSpec = {
      field: "y",
      type: "quantitative",
      title: options.yTitle ?? "value",
      scale: options.logY ? { type: "log" } : { zero: false },
    };
    const encoding: VegaLiteSpec = {
      x: { field: "x", type: "quantitative", title: options.xTitle ?? "step" },
      y,
      color: {
        field: "series",
        type: "nominal",
        scale: { domain: names },
        legend: names.length > 1 ? { title: null, orient: names.length <= 4 ? "top" : "right" } : null,
      },
      tooltip: [
        { field: "series", type: "nominal" },
        { field: "x", type: "quantitative", title: options.xTitle ?? "step" },
        { field: "y", type: "quantitative", title: options.yTitle ?? "value", format: ".4~g" },
      ],
    };
    return {
      ...frame(options, { title: options.yTitle ?? "Line chart", width: 480, height: 260 }),
      data: { values: rows },
      encoding,
      layer: [
        { name: "series", mark: { type: "line", strokeWidth: 2, clip: true } },
        ...(showPoints ? [{ name: "series_points", mark: { type: "point", filled: true, size: 25, clip: true } }] : []),
      ],
    };
  }, options);
}

function toPoints(series: Series, name: string, xStart: number): { x: number; y: number }[] {
  if (!series || typeof (series as ArrayLike<unknown>).length !== "number") {
    throw new Error(`lineChart: series "${name}" must be an array of numbers or of {x, y} points (got ${describeValue(series)}).`);
  }
  const items = Array.from(series as ArrayLike<number | { x: number; y: number }>);
  return items.map((item, i) => {
    if (typeof item === "number") return { x: xStart + i, y: item };
    if (item && typeof item === "object" && typeof item.x === "number" && typeof item.y === "number") return item;
    throw new Error(`lineChart: series "${name}" item ${i} is ${JSON.stringify(item)}; use a number or an {x, y} point.`);
  });
}
