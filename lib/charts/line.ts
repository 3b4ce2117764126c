/** lineChart: several named series against a shared x axis. */
import { Chart, type ChartOptions } from "./chart";
import { describeValue, frame } from "./format";
import { formatNumber } from "../display/html";
import { isFiniteNumber } from "../history";
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
  /** Logarithmic x axis (sizes 1, 4, 16, … spread evenly). Default false. */
  logX?: boolean;
  /** Draw a dot at each point. Default: when no series has more than 40 points. */
  points?: boolean;
  /**
   * Longest series drawn point for point. A longer series is thinned to
   * this many points by keeping each stretch's lowest and highest value, so
   * spikes survive and the SVG stays small. Default 2000.
   */
  maxPoints?: number;
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
  const maxPoints = options.maxPoints ?? 2000;
  if (!(maxPoints >= 4)) throw new Error(`lineChart: maxPoints must be at least 4 (got ${String(maxPoints)}).`);
  const rows: Datum[] = [];
  let longest = 0;
  let thinned = false;
  const lastValues: string[] = [];
  for (const name of names) {
    const points = toPoints(series[name], name, xStart);
    longest = Math.max(longest, points.length);
    const drawn = points.length > maxPoints ? thin(points, maxPoints) : points;
    thinned ||= drawn !== points;
    for (const p of drawn) rows.push({ series: name, x: p.x, y: options.logY && !(p.y > 0) ? null : jsonNumber(p.y) });
    const last = [...points].reverse().find((p) => isFiniteNumber(p.y));
    if (last) lastValues.push(`${name} ${formatNumber(last.y)}`);
  }
  const summary =
    `Line chart: ${names.length} series, up to ${longest} points` +
    (thinned ? ` (drawn with each stretch's lowest and highest of up to ${maxPoints})` : "") +
    (lastValues.length ? `; last: ${lastValues.join(", ")}` : "");
  const showPoints = options.points ?? longest <= 40;

  return new Chart("line", summary, () => {
    const y: VegaLiteSpec = {
      field: "y",
      type: "quantitative",
      title: options.yTitle ?? "value",
      scale: options.logY ? { type: "log" } : { zero: false },
    };
    const encoding: VegaLiteSpec = {
      x: { field: "x", type: "quantitative", title: options.xTitle ?? "step", ...(options.logX ? { scale: { type: "log", nice: false } } : {}) },
      y,
      color: {
        field: "series",
        type: "nominal",
        scale: { domain: names },
        legend: names.length > 1 ? { title: null, orient: names.length <= 4 ? "top" : "right" } : null,
      },
      tooltip: [
        { field: "series", type: "nominal" },
        { field: "x", type: "quantitative", title: options.xTitle ?? "step", format: ".4~g" },
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

/**
 * Keeps, for each of maxPoints / 2 equal runs of points, the lowest and the
 * highest (in x order), plus the last point: the drawn line still reaches
 * every extreme. NaN points are kept so gaps stay visible.
 */
function thin(points: { x: number; y: number }[], maxPoints: number): { x: number; y: number }[] {
  const buckets = Math.floor((maxPoints - 1) / 2);
  const size = points.length / buckets;
  const kept: { x: number; y: number }[] = [];
  for (let b = 0; b < buckets; b++) {
    const from = Math.floor(b * size);
    const to = Math.min(points.length, Math.floor((b + 1) * size));
    let low = -1;
    let high = -1;
    let gap = -1;
    for (let i = from; i < to; i++) {
      const y = points[i].y;
      if (!Number.isFinite(y)) {
        if (gap < 0) gap = i;
        continue;
      }
      if (low < 0 || y < points[low].y) low = i;
      if (high < 0 || y > points[high].y) high = i;
    }
    for (const i of [...new Set([low, high, gap].filter((i) => i >= 0))].sort((a, b) => a - b)) kept.push(points[i]);
  }
  const last = points[points.length - 1];
  if (kept[kept.length - 1] !== last) kept.push(last);
  return kept;
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
