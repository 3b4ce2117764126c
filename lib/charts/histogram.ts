/** histogramChart: the distribution of weights, activations or gradients. */
import { Chart, type ChartOptions } from "./chart";
import { describeValue, frame } from "./format";
import { formatNumber, percent } from "../display/html";
import type { Datum, VegaLiteSpec } from "./spec";

type Values = ArrayLike<number>;

export interface HistogramOptions extends ChartOptions {
  /** Number of equal-width bins. Default 40. */
  bins?: number;
  /** Default "value". */
  xTitle?: string;
  /** Logarithmic count axis, for long tails. Default false. */
  logCount?: boolean;
}

export interface DistributionStats {
  count: number;
  mean: number;
  std: number;
  min: number;
  max: number;
  /** Share of values exactly 0 (dead ReLUs, pruned weights). */
  zeroFraction: number;
  /** NaN and ±Infinity: a sign that training diverged. They are not binned. */
  nonFinite: number;
}

/**
 * A histogram of one array of numbers, or one panel per name for several
 * (`{ "conv1/kernel": w1, "conv2/kernel": w2 }`), each with its own range.
 * Values are binned here, so millions of weights make a small spec; each
 * panel's heading carries mean, std and the share of exact zeros.
 */
export function histogramChart(values: Values | Record<string, Values>, options: HistogramOptions = {}): Chart {
  const groups = toGroups(values);
  const bins = options.bins ?? 40;
  if (!Number.isInteger(bins) || bins < 1 || bins > 1000) {
    throw new Error(`histogramChart: bins must be a whole number from 1 to 1000 (got ${String(bins)}).`);
  }
  const rows: Datum[] = [];
  const parts: string[] = [];
  const headings: string[] = [];
  for (const [name, data] of groups) {
    const stats = describeDistribution(data);
    const heading =
      `${name}: mean ${formatNumber(stats.mean)}, std ${formatNumber(stats.std)}` +
      (stats.zeroFraction > 0 ? `, zeros ${percent(stats.zeroFraction)}` : "") +
      (stats.nonFinite > 0 ? `, ${stats.nonFinite} NaN/Inf` : "");
    headings.push(heading);
    parts.push(`${heading} (n=${stats.count})`);
    for (const bin of binValues(data, stats, bins)) rows.push({ panel: heading, ...bin });
  }
  const summary = `Histogram: ${parts.join("; ")}`;
  const faceted = groups.length > 1;

  return new Chart("histogram", summary, () => {
    const unit: VegaLiteSpec = {
      name: "bins",
      mark: { type: "rect", color: "#4c78a8", stroke: "rgba(128,128,128,0.4)", strokeWidth: 0.5 },
      encoding: {
        x: { field: "start", type: "quantitative", title: options.xTitle ?? "value", scale: { zero: false, nice: false } },
        x2: { field: "end" },
        y: {
          field: "count",
          type: "quantitative",
          title: "count",
          scale: options.logCount ? { type: "symlog" } : {},
        },
        tooltip: [
          { field: "start", type: "quantitative", title: "from", format: ".4~g" },
          { field: "end", type: "quantitative", title: "to", format: ".4~g" },
          { field: "count", type: "quantitative", format: ",d" },
        ],
      },
    };
    const width = options.width ?? 420;
    const height = options.height ?? (faceted ? 110 : 220);
    if (!faceted) {
      return {
        ...frame(options, { title: "Histogram", subtitle: headings[0], width, height }),
        data: { values: rows },
        ...unit,
      };
    }
    const { title } = frame(options, { title: "Histograms", width, height });
    return {
      title,
      data: { values: rows },
      facet: { row: { field: "panel", type: "nominal", sort: headings, title: null, header: { labelAngle: 0, labelAlign: "left", labelAnchor: "start", labelOrient: "top" } } },
      spec: { width, height, ...unit },
      resolve: { scale: { x: "independent", y: "independent" } },
    };
  }, options);
}

/** Count, mean, std (population), range, exact zeros and non-finite values. */
export function describeDistribution(values: Values): DistributionStats {
  let count = 0;
  let sum = 0;
  let zeros = 0;
  let nonFinite = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) {
      nonFinite++;
      continue;
    }
    count++;
    sum += v;
    if (v === 0) zeros++;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const mean = count ? sum / count : NaN;
  let squares = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isFinite(v)) squares += (v - mean) * (v - mean);
  }
  return {
    count,
    mean,
    std: count ? Math.sqrt(squares / count) : NaN,
    min: count ? min : NaN,
    max: count ? max : NaN,
    zeroFraction: count ? zeros / count : 0,
    nonFinite,
  };
}

function binValues(values: Values, stats: DistributionStats, bins: number): { start: number; end: number; count: number }[] {
  if (stats.count === 0) return [];
  let { min, max } = stats;
  if (min === max) {
    // All values equal: one bin of width 1 around them, so the bar is visible.
    min -= 0.5;
    max += 0.5;
    bins = 1;
  }
  const width = (max - min) / bins;
  const counts = countInBins(values, min, width, bins);
  return counts.map((count, i) => ({ start: min + i * width, end: min + (i + 1) * width, count }));
}

/** Counts of the finite values in `bins` bins of `width` from `start` (the last bin takes its upper edge too). */
export function countInBins(values: Values, start: number, width: number, bins: number): number[] {
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    counts[Math.min(bins - 1, Math.floor((v - start) / width))]++;
  }
  return counts;
}

function toGroups(values: Values | Record<string, Values>): [string, Values][] {
  if (values && (Array.isArray(values) || ArrayBuffer.isView(values))) return [["values", values as Values]];
  if (values && typeof values === "object") {
    const entries = Object.entries(values as Record<string, Values>);
    if (entries.length === 0) throw new Error("histogramChart: no arrays given; pass numbers or { name: numbers }.");
    for (const [name, v] of entries) {
      if (!v || (!Array.isArray(v) && !ArrayBuffer.isView(v))) {
        throw new Error(`histogramChart: "${name}" is ${describeValue(v)}; use an array of numbers (await tensor.data() gives one).`);
      }
    }
    return entries;
  }
  throw new Error(`histogramChart expects an array of numbers or { name: numbers } (got ${describeValue(values)}).`);
}
