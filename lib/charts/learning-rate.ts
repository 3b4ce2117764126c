/** learningRateChart: the learning-rate schedule, epoch by epoch or step by step. */
import { Chart, type ChartOptions } from "./chart";
import { describeValue, epochsCovered, frame, wholeNumberScale } from "./format";
import { formatNumber } from "../display/html";
import { isFiniteNumber, type EpochRecord } from "../history";
import type { Datum } from "./spec";
import { SERIES_COLORS } from "./theme";

export interface LearningRateChartOptions extends ChartOptions {
  /**
   * Logarithmic y axis. Default "auto": log when the largest rate is more
   * than 20× the smallest (warm-up and decay schedules), linear otherwise.
   */
  logScale?: boolean | "auto";
  /** x of the first rate when given a plain array. Default 1. */
  xStart?: number;
  /** Default "epoch" for a history, "step" for an array of rates. */
  xTitle?: string;
}

/**
 * The schedule as a step line (a rate holds until the next change). Takes a
 * training history (uses each record's `lr`) or an array of rates.
 */
export function learningRateChart(
  schedule: readonly EpochRecord[] | readonly number[] | Float32Array | Float64Array,
  options: LearningRateChartOptions = {},
): Chart {
  if (!schedule || typeof (schedule as ArrayLike<unknown>).length !== "number") {
    throw new Error(
      `learningRateChart expects a training history ([{ epoch, lr }, ...]) or an array of rates (got ${describeValue(schedule)}).`,
    );
  }
  const items = Array.from(schedule as ArrayLike<number | EpochRecord>);
  const fromHistory = items.length > 0 && typeof items[0] === "object";
  const xStart = options.xStart ?? 1;
  const rows: Datum[] = [];
  items.forEach((item, i) => {
    const x = typeof item === "object" ? item.epoch : xStart + i;
    const lr = typeof item === "object" ? item.lr : item;
    if (isFiniteNumber(x) && isFiniteNumber(lr)) rows.push({ x, lr });
  });
  if (items.length > 0 && rows.length === 0) {
    throw new Error(
      "learningRateChart: no learning rates found. A history needs an `lr` on each record ({ epoch: 1, lr: 0.001 }); " +
        "an array should hold the rates themselves.",
    );
  }
  const rates = rows.map((r) => r.lr as number);
  const min = Math.min(...rates);
  const max = Math.max(...rates);
  const log = options.logScale === true || ((options.logScale ?? "auto") === "auto" && min > 0 && max / min > 20);
  const xTitle = options.xTitle ?? (fromHistory ? "epoch" : "step");
  // Records may fall within epochs (a preview draws hundreds of points over 30 epochs): count what they cover.
  const span = fromHistory ? epochsCovered(rows.map((r) => r.x as number)) : rows.length;
  const summary = rows.length
    ? `Learning rate: ${formatNumber(rates[0])} → ${formatNumber(rates[rates.length - 1])} over ${span} ${xTitle}${span === 1 ? "" : "s"} ` +
      `(min ${formatNumber(min)}, max ${formatNumber(max)})`
    : "Learning rate: no values yet";

  // An empty chart (a live one before its first record) gets fixed domains: Vega warns of infinite extents otherwise.
  const empty = rows.length === 0;
  return new Chart("learning-rate", summary, () => ({
    ...frame(options, { title: "Learning-rate schedule", width: 480, height: 200 }),
    data: { values: rows },
    layer: [
      { name: "schedule", mark: { type: "line", interpolate: "step-after", strokeWidth: 2, color: SERIES_COLORS[2] } },
      ...(rows.length <= 40 ? [{ name: "schedule_points", mark: { type: "point", filled: true, size: 25, color: SERIES_COLORS[2] } }] : []),
    ],
    encoding: {
      x: {
        field: "x",
        type: "quantitative",
        title: xTitle,
        ...(empty ? { scale: { domain: [xStart, xStart + 4] }, axis: { tickMinStep: 1, format: "d" } } : wholeNumberScale(rows.map((r) => r.x as number))),
      },
      y: {
        field: "lr",
        type: "quantitative",
        title: "learning rate",
        scale: empty ? { domain: [0, 1] } : log ? { type: "log" } : { zero: true },
        axis: { format: "~g" },
      },
      tooltip: [
        { field: "x", type: "quantitative", title: xTitle, format: ".3~r" },
        { field: "lr", type: "quantitative", title: "learning rate", format: ".3~g" },
      ],
    },
  }), options);
}
