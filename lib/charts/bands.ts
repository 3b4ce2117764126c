/** bandChart: mean ± std across repeated runs (seeds) of the same setting. */
import { Chart, type ChartOptions } from "./chart";
import { describeValue, frame } from "./format";
import { formatNumber, percentText } from "../display/html";
import type { Datum } from "./spec";

type Run = readonly number[] | Float32Array | Float64Array;

export interface BandChartOptions extends ChartOptions {
  /** x of each run's first value. Default 1 (epoch 1). */
  xStart?: number;
  /** Default "epoch". */
  xTitle?: string;
  /** Default "value". */
  yTitle?: string;
  /** Half-width of the band in standard deviations. Default 1. */
  stds?: number;
  /** The values are fractions shown as percentages (accuracies): the summary reads "92.7% ± 0.7 points". Default false. */
  percent?: boolean;
}

export interface BandPoint {
  x: number;
  mean: number;
  std: number;
  /** Runs that have a value at this x. */
  runs: number;
}

/**
 * Mean ± std across runs, per x: the sample standard deviation (n − 1) of the
 * runs that reached that x; 0 where only one did. Non-finite values are left
 * out.
 */
export function meanAndStd(runs: readonly Run[], xStart = 1): BandPoint[] {
  const length = Math.max(0, ...runs.map((r) => r.length));
  const points: BandPoint[] = [];
  for (let i = 0; i < length; i++) {
    const values = runs.map((r) => r[i]).filter((v): v is number => typeof v === "number" && Number.isFinite(v));
    if (values.length === 0) continue;
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const variance = values.length > 1 ? values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1) : 0;
    points.push({ x: xStart + i, mean, std: Math.sqrt(variance), runs: values.length });
  }
  return points;
}

/**
 * One band (mean ± std) and mean line per setting, from several runs each:
 * `bandChart({ "lr 0.01": [seed1Losses, seed2Losses, seed3Losses], ... })`.
 * Tells a learner whether a difference between settings is larger than the
 * seed-to-seed noise.
 */
export function bandChart(series: Record<string, readonly Run[]>, options: BandChartOptions = {}): Chart {
  if (!series || typeof series !== "object" || Array.isArray(series)) {
    throw new Error(
      `bandChart expects { setting: [run1, run2, ...] }, each run an array of numbers (got ${describeValue(series)}).`,
    );
  }
  const names = Object.keys(series);
  const k = options.stds ?? 1;
  const rows: Datum[] = [];
  const finals: string[] = [];
  let seeds = 0;
  for (const name of names) {
    const runs = series[name];
    if (!Array.isArray(runs) || runs.some((r) => !Array.isArray(r) && !ArrayBuffer.isView(r))) {
      throw new Error(`bandChart: "${name}" must be an array of runs, each an array of numbers (one per seed).`);
    }
    seeds = Math.max(seeds, runs.length);
    const points = meanAndStd(runs, options.xStart ?? 1);
    for (const p of points) {
      rows.push({ series: name, x: p.x, mean: p.mean, lower: p.mean - k * p.std, upper: p.mean + k * p.std, std: p.std, runs: p.runs });
    }
    const last = points[points.length - 1];
    if (last) {
      const spread = options.percent ? `${percentText(last.mean)} ± ${(100 * last.std).toFixed(1)} points` : `${formatNumber(last.mean)} ± ${formatNumber(last.std)}`;
      finals.push(`${name} ${spread} (${last.runs} runs)`);
    }
  }
  const spread = k === 1 ? "std" : `${k} std`;
  const summary = `Mean ± ${spread} over up to ${seeds} runs` + (finals.length ? `; at the end: ${finals.join(", ")}` : "");
  const yTitle = options.yTitle ?? "value";
  const xTitle = options.xTitle ?? "epoch";

  return new Chart("bands", summary, () => {
    const color = { field: "series", type: "nominal", scale: { domain: names }, legend: names.length > 1 ? { title: null, orient: "top" } : null };
    const x = { field: "x", type: "quantitative", title: xTitle };
    return {
      ...frame(options, { title: `${yTitle}: mean ± ${spread} across runs`, width: 480, height: 260 }),
      data: { values: rows },
      layer: [
        {
          name: "bands",
          mark: { type: "area", opacity: 0.25 },
          encoding: { x, y: { field: "lower", type: "quantitative", title: yTitle, scale: { zero: false } }, y2: { field: "upper" }, color },
        },
        {
          name: "means",
          mark: { type: "line", strokeWidth: 2 },
          encoding: {
            x,
            y: { field: "mean", type: "quantitative" },
            color,
            tooltip: [
              { field: "series", type: "nominal" },
              { field: "x", type: "quantitative", title: xTitle, format: ".4~g" },
              { field: "mean", type: "quantitative", format: ".4~g" },
              { field: "std", type: "quantitative", format: ".2~g" },
              { field: "runs", type: "quantitative", format: "d" },
            ],
          },
        },
      ],
    };
  }, options);
}
