/**
 * historyChart: train/val loss (left axis) and accuracy (right axis) per
 * epoch, with a rule at the best epoch and one where the train/val gap opens.
 */
import { Chart, type ChartOptions } from "./chart";
import { epochsCovered, frame, requireArray, wholeNumberScale } from "./format";
import { formatNumber } from "../display/html";
import { findBestEpoch, findGapOpening, isFiniteNumber, type BestEpochOptions, type EpochRecord, type GapOptions, type HistoryAnalysis } from "../history";
import { jsonNumber, type Datum, type JsonValue, type VegaLiteSpec } from "./spec";
import { SERIES_COLORS } from "./theme";

export interface HistoryChartOptions extends ChartOptions, BestEpochOptions, GapOptions {
  /** Draw the best-epoch rule. Default true. */
  markBest?: boolean;
  /** Draw the rule where the train/val gap opens. Default true. */
  markGap?: boolean;
  /**
   * The best epoch and gap opening to mark, when they come from other
   * records than those plotted: train()'s chart plots several points an
   * epoch but marks what its epoch history says. Default: read from `history`.
   */
  analysis?: Pick<HistoryAnalysis, "best" | "gap">;
}

const LOSS_COLOR = SERIES_COLORS[0];
const ACCURACY_COLOR = SERIES_COLORS[1];

const SERIES = [
  { key: "loss", metric: "loss", split: "train" },
  { key: "valLoss", metric: "loss", split: "validation" },
  { key: "accuracy", metric: "accuracy", split: "train" },
  { key: "valAccuracy", metric: "accuracy", split: "validation" },
] as const;

/**
 * Loss and accuracy per epoch from a training history
 * (`[{ epoch, loss, valLoss, accuracy, valAccuracy }, ...]`).
 *
 * - Loss on the left axis, accuracy on the right; solid lines for training,
 *   dashed for validation.
 * - "best" marks the epoch with the lowest valLoss (see `findBestEpoch`).
 * - "gap opens" marks the first epoch from which valLoss stays more than 10 %
 *   above training loss until the end (see `findGapOpening`).
 */
export function historyChart(history: readonly EpochRecord[], options: HistoryChartOptions = {}): Chart {
  checkHistory(history);
  const rows = seriesRows(history);
  const marks: Marks = {
    best: options.markBest === false ? undefined : options.analysis ? options.analysis.best : findBestEpoch(history, options),
    gap: options.markGap === false ? undefined : options.analysis ? options.analysis.gap : findGapOpening(history, options),
  };
  const epochs = epochsCovered(history.map((r) => r.epoch));
  const notes = markNotes(marks);
  const summary = `Training history: ${epochs} epoch${epochs === 1 ? "" : "s"}` + (notes.length ? `; ${notes.join("; ")}` : "");
  return new Chart("history", summary, ({ annotationColor }) => historySpec(history, rows, marks, notes, annotationColor, options), options);
}

/** The epochs to mark with a rule (undefined: no rule). */
type Marks = Pick<HistoryAnalysis, "best" | "gap">;

function checkHistory(history: readonly EpochRecord[]): void {
  requireArray(history, "historyChart's history", "historyChart([{ epoch: 1, loss: 0.9, valLoss: 1.0 }])");
  history.forEach((record, i) => {
    if (!record || !isFiniteNumber(record.epoch)) {
      throw new Error(`historyChart: record ${i} has no numeric "epoch" (got ${JSON.stringify(record)}). Each record needs { epoch, loss, ... }.`);
    }
  });
}

/** One row per epoch and series with a finite value: { epoch, metric, split, value }. */
function seriesRows(history: readonly EpochRecord[]): Datum[] {
  const rows: Datum[] = [];
  for (const record of history) {
    for (const s of SERIES) {
      const value = record[s.key];
      if (isFiniteNumber(value)) rows.push({ epoch: record.epoch, metric: s.metric, split: s.split, value: jsonNumber(value) });
    }
  }
  return rows;
}

function markNotes({ best, gap }: Marks): string[] {
  const notes: string[] = [];
  if (best) notes.push(`best epoch ${best.epoch} (${best.monitor} ${formatNumber(best.value)})`);
  if (gap) notes.push(`train/val gap opens at epoch ${gap.epoch}`);
  return notes;
}

function historySpec(
  history: readonly EpochRecord[],
  rows: Datum[],
  marks: Marks,
  notes: readonly string[],
  annotationColor: string,
  options: HistoryChartOptions,
): VegaLiteSpec {
  const layers = metricLayers(rows, history.length <= 40, annotationColor);
  layers.push(...markLayers(history, marks, annotationColor));
  const subtitle = notes.length ? notes.join(" · ") : undefined;
  return {
    ...frame(options, { title: "Training history", subtitle, width: 480, height: 280 }),
    data: { values: rows },
    encoding: {
      x: { field: "epoch", type: "quantitative", ...epochScale(history.map((r) => r.epoch)) },
    },
    layer: layers,
    resolve: { scale: { y: "independent" } },
  };
}

/** Loss on the left axis, accuracy on the right (or the left when there is no loss), or an empty frame when neither has a value. */
function metricLayers(rows: readonly Datum[], pointsOn: boolean, annotationColor: string): VegaLiteSpec[] {
  const hasLoss = rows.some((r) => r.metric === "loss");
  const hasAccuracy = rows.some((r) => r.metric === "accuracy");
  const layers: VegaLiteSpec[] = [];
  if (hasLoss) layers.push(metricLayer("loss", LOSS_COLOR, "left", pointsOn, annotationColor));
  if (hasAccuracy) layers.push(metricLayer("accuracy", ACCURACY_COLOR, hasLoss ? "right" : "left", pointsOn, annotationColor));
  if (!hasLoss && !hasAccuracy) {
    // Nothing to plot yet (a live chart before its first epoch): an empty
    // frame with the axes a learner will see filling in.
    layers.push({
      mark: { type: "point", opacity: 0 },
      encoding: {
        x: { field: "epoch", type: "quantitative", scale: { domain: [1, 5] } },
        y: { field: "value", type: "quantitative", scale: { domain: [0, 1] }, axis: { title: "loss" } },
      },
    });
  }
  return layers;
}

function metricLayer(metric: "loss" | "accuracy", color: string, orient: "left" | "right", pointsOn: boolean, annotationColor: string): VegaLiteSpec {
  const y: VegaLiteSpec = {
    field: "value",
    type: "quantitative",
    scale: { zero: false },
    axis: { title: metric, orient, titleColor: color },
  };
  const tooltip: JsonValue[] = [
    { field: "epoch", type: "quantitative", format: ".3~r" },
    { field: "split", type: "nominal" },
    { field: "value", type: "quantitative", title: metric, format: ".4~g" },
  ];
  const lines = metricLines(metric, color, y, tooltip, annotationColor);
  // Points in a layer of their own keep the legend's symbols as dashes.
  const points: VegaLiteSpec = {
    name: `${metric}_points`,
    mark: { type: "point", filled: true, size: 25, color, clip: true },
    encoding: { x: { field: "epoch", type: "quantitative" }, y, tooltip },
  };
  return {
    transform: [{ filter: { field: "metric", equal: metric } }],
    layer: pointsOn ? [lines, points] : [lines],
  };
}

/** Solid for training, dashed for validation, with the legend for both. */
function metricLines(metric: string, color: string, y: VegaLiteSpec, tooltip: JsonValue[], annotationColor: string): VegaLiteSpec {
  return {
    name: `${metric}_lines`,
    mark: { type: "line", strokeWidth: 2, color, clip: true },
    encoding: {
      x: { field: "epoch", type: "quantitative" },
      y,
      strokeDash: {
        field: "split",
        type: "nominal",
        scale: { domain: ["train", "validation"], range: [[1, 0], [6, 4]] },
        legend: {
          title: null,
          orient: "top",
          direction: "horizontal",
          symbolType: "stroke",
          symbolStrokeWidth: 2,
          symbolStrokeColor: annotationColor,
        },
      },
      tooltip,
    },
  };
}

/** Rules at the best epoch and where the gap opens. */
function markLayers(history: readonly EpochRecord[], { best, gap }: Marks, annotationColor: string): VegaLiteSpec[] {
  // A label right of its rule, unless the rule is in the right half: then left of it, clear of the right axis's labels.
  const epochValues = history.map((r) => r.epoch);
  const middle = (Math.min(...epochValues) + Math.max(...epochValues)) / 2;
  const layers: VegaLiteSpec[] = [];
  if (best) layers.push(...epochMarker("best_epoch", best.epoch, `best ${best.epoch}`, annotationColor, [1, 0], 0, best.epoch > middle));
  if (gap) layers.push(...epochMarker("gap_opens", gap.epoch, `gap opens ${gap.epoch}`, annotationColor, [4, 3], 14, gap.epoch > middle));
  return layers;
}

function epochScale(epochs: readonly number[]): VegaLiteSpec {
  const { scale, axis } = wholeNumberScale(epochs);
  return { ...(scale ? { scale } : {}), axis: { title: "epoch", ...axis } };
}

/** A vertical rule at an epoch with a short label at the top of the plot. */
function epochMarker(
  name: string,
  epoch: number,
  label: string,
  color: string,
  dash: [number, number],
  labelOffset: number,
  labelLeft: boolean,
): VegaLiteSpec[] {
  return [
    {
      name,
      data: { values: [{ epoch, label }] },
      mark: { type: "rule", color, strokeWidth: 1.5, strokeDash: dash },
      encoding: {
        x: { field: "epoch", type: "quantitative" },
        tooltip: [{ field: "label", type: "nominal" }],
      },
    },
    {
      name: `${name}_label`,
      data: { values: [{ epoch, label }] },
      mark: { type: "text", color, align: labelLeft ? "right" : "left", baseline: "top", dx: labelLeft ? -4 : 4, dy: 2 + labelOffset, fontSize: 11 },
      encoding: {
        x: { field: "epoch", type: "quantitative" },
        y: { value: 0 },
        text: { field: "label", type: "nominal" },
      },
    },
  ];
}
