/**
 * parallelCoordinatesChart: one line per run of a hyperparameter sweep,
 * crossing one vertical axis per hyperparameter and ending at the result.
 */
import { Chart, type BuildContext, type ChartOptions } from "./chart";
import { describeValue, frame } from "./format";
import { formatNumber } from "../display/html";
import { inferMode } from "../history";
import type { Datum, VegaLiteSpec } from "./spec";

export type SweepRecord = Record<string, number | string | boolean | null | undefined>;

export interface ParallelCoordinatesOptions extends ChartOptions {
  /** Axes, left to right. Default: every key of the first run, in its order. */
  dimensions?: string[];
  /**
   * The metric that colours the lines (and is compared to find the best
   * run). Default: "valAccuracy" if present, else "valLoss", else the last
   * numeric dimension.
   */
  color?: string;
  /** "max" or "min" is best for the colour metric. Default: from its name (accuracy → max, loss → min). */
  mode?: "min" | "max";
}

interface Axis {
  name: string;
  /** Where a run's value sits on the axis, 0 (bottom) to 1 (top). */
  position: (value: SweepRecord[string]) => number | null;
  /** Labels to write along the axis: numeric ranges above and below it, categories beside it. */
  ticks: { position: number; label: string; place: "above" | "below" | "beside" }[];
}

/** What the spec is drawn from: the axes, one point per run and axis, the tick labels and the best run. */
interface SweepPicture {
  dimensions: string[];
  axes: Axis[];
  lines: Datum[];
  ticks: Datum[];
  colorField: string | undefined;
  mode: "min" | "max";
  /** "best valAccuracy 0.91: lr=0.01, ...", when a run has a finite result. */
  bestNote: string | undefined;
}

/**
 * Sweep results as parallel coordinates: each run is a line across one
 * vertical axis per hyperparameter, coloured by its result, so the settings
 * that lead to good runs line up. Numeric axes run from their min (bottom)
 * to max (top), on a log scale when the values span 100× or more (learning
 * rates); text and boolean values are spread evenly.
 */
export function parallelCoordinatesChart(runs: readonly SweepRecord[], options: ParallelCoordinatesOptions = {}): Chart {
  checkRuns(runs);
  const dimensions = options.dimensions ?? (runs.length ? Object.keys(runs[0]) : []);
  checkDimensions(runs, dimensions);
  const colorField = pickColorField(runs, dimensions, options.color);
  const axes = dimensions.map((d) => makeAxis(d, runs.map((r) => r[d]), isNumeric(runs, d)));
  const mode = options.mode ?? (colorField ? inferMode(colorField) : "max");
  const best = colorField ? bestRun(runs, colorField, mode) : undefined;
  const settings = best
    ? dimensions.filter((d) => d !== colorField).map((d) => `${d}=${display(best[d])}`).join(", ")
    : "";
  const result = best && colorField ? `${colorField} ${formatNumber(best[colorField] as number)}` : undefined;
  const summary = `Sweep: ${runs.length} runs × ${dimensions.length} axes` + (result ? `; best ${result} (${settings})` : "");
  const picture: SweepPicture = {
    dimensions,
    axes,
    lines: lineData(runs, axes, colorField),
    ticks: tickData(axes),
    colorField,
    mode,
    bestNote: result ? `best ${result}: ${settings}` : undefined,
  };
  return new Chart("parallel-coordinates", summary, (theme) => sweepSpec(picture, theme, options), options);
}

function checkRuns(runs: readonly SweepRecord[]): void {
  if (!Array.isArray(runs) || runs.some((r) => !r || typeof r !== "object")) {
    throw new Error(
      `parallelCoordinatesChart expects an array of runs, e.g. [{ lr: 0.01, batchSize: 32, valAccuracy: 0.91 }, ...] (got ${describeValue(runs)}).`,
    );
  }
}

function checkDimensions(runs: readonly SweepRecord[], dimensions: readonly string[]): void {
  for (const d of dimensions) {
    if (runs.length && runs.every((r) => r[d] === undefined)) {
      throw new Error(`parallelCoordinatesChart: no run has "${d}". Keys in the first run: ${Object.keys(runs[0]).join(", ")}.`);
    }
  }
}

function isNumeric(runs: readonly SweepRecord[], dimension: string): boolean {
  return runs.every((r) => r[dimension] === undefined || r[dimension] === null || typeof r[dimension] === "number");
}

/** The given colour metric, else valAccuracy, valLoss, the last numeric dimension or the last dimension; it must hold numbers. */
function pickColorField(runs: readonly SweepRecord[], dimensions: readonly string[], given: string | undefined): string | undefined {
  const colorField =
    given ??
    ["valAccuracy", "valLoss"].find((d) => dimensions.includes(d)) ??
    [...dimensions].reverse().find((d) => isNumeric(runs, d)) ??
    dimensions[dimensions.length - 1];
  if (colorField !== undefined && !runs.every((r) => typeof r[colorField] === "number" || r[colorField] == null)) {
    throw new Error(`parallelCoordinatesChart: color "${colorField}" must be a numeric result such as valAccuracy.`);
  }
  return colorField;
}

/** One point per run and axis; the line mark joins a run's points in axis order. */
function lineData(runs: readonly SweepRecord[], axes: readonly Axis[], colorField: string | undefined): Datum[] {
  const lines: Datum[] = [];
  runs.forEach((run, i) => {
    axes.forEach((axis, k) => {
      lines.push({
        run: i,
        dimension: axis.name,
        order: k,
        position: axis.position(run[axis.name]),
        value: display(run[axis.name]),
        result: colorField !== undefined && typeof run[colorField] === "number" ? (run[colorField] as number) : null,
      });
    });
  });
  return lines;
}

function tickData(axes: readonly Axis[]): Datum[] {
  return axes.flatMap((axis) =>
    axis.ticks.map((t) => ({ dimension: axis.name, position: t.position, label: t.label, place: t.place })),
  );
}

/** The first run with the best finite value of the colour metric. */
function bestRun(runs: readonly SweepRecord[], colorField: string, mode: "min" | "max"): SweepRecord | undefined {
  let best: SweepRecord | undefined;
  for (const run of runs) {
    const v = run[colorField];
    if (typeof v !== "number" || !Number.isFinite(v)) continue;
    const b = best?.[colorField] as number | undefined;
    if (b === undefined || (mode === "max" ? v > b : v < b)) best = run;
  }
  return best;
}

function sweepSpec(picture: SweepPicture, { annotationColor, textColor }: BuildContext, options: ParallelCoordinatesOptions): VegaLiteSpec {
  const x = {
    field: "dimension",
    type: "nominal",
    sort: picture.dimensions,
    title: null,
    // Padding leaves room for the min labels written below each axis.
    axis: { orient: "bottom", labelAngle: 0, domain: false, ticks: false, labelFontSize: 11, labelPadding: 18 },
  };
  const y = { field: "position", type: "quantitative", scale: { domain: [0, 1] }, axis: null };
  const labelLayer = (place: string, mark: VegaLiteSpec): VegaLiteSpec => ({
    name: `axis_labels_${place}`,
    data: { values: picture.ticks },
    transform: [{ filter: { field: "place", equal: place } }],
    mark: { type: "text", fontSize: 10, color: textColor, ...mark },
    encoding: { x, y, text: { field: "label", type: "nominal" } },
  });
  return {
    ...frame(options, {
      title: "Hyperparameter sweep",
      subtitle: picture.bestNote,
      width: Math.max(300, 130 * picture.dimensions.length),
      height: 260,
    }),
    // Room above the axes for the max labels.
    padding: { top: 14, left: 5, right: 5, bottom: 5 },
    layer: [
      {
        name: "axes",
        data: { values: picture.axes.map((a) => ({ dimension: a.name })) },
        mark: { type: "rule", color: annotationColor, strokeWidth: 1 },
        encoding: { x, y: { datum: 0, type: "quantitative", scale: { domain: [0, 1] }, axis: null }, y2: { datum: 1 } },
      },
      runsLayer(picture, x, y),
      labelLayer("above", { align: "center", baseline: "bottom", dy: -4 }),
      labelLayer("below", { align: "center", baseline: "top", dy: 4 }),
      labelLayer("beside", { align: "right", baseline: "middle", dx: -4 }),
    ],
  };
}

function runsLayer({ lines, colorField, mode }: SweepPicture, x: VegaLiteSpec, y: VegaLiteSpec): VegaLiteSpec {
  return {
    name: "runs",
    data: { values: lines },
    mark: { type: "line", strokeWidth: 2, opacity: 0.85 },
    encoding: {
      x,
      y,
      detail: { field: "run", type: "nominal" },
      order: { field: "order", type: "quantitative" },
      color: colorField
        ? {
            field: "result",
            type: "quantitative",
            title: colorField,
            // Best runs brightest, whichever way is better; the extent trims
            // viridis ends that vanish on black (purple) or white (yellow).
            scale: { scheme: { name: "viridis", extent: [0.15, 0.9] }, reverse: mode === "min" },
          }
        : { value: "#4c78a8" },
      tooltip: [
        { field: "run", type: "nominal" },
        { field: "dimension", type: "nominal" },
        { field: "value", type: "nominal" },
      ],
    },
  };
}

function makeAxis(name: string, values: SweepRecord[string][], isNumeric: boolean): Axis {
  if (isNumeric) {
    const nums = values.filter((v): v is number => typeof v === "number" && Number.isFinite(v));
    const min = Math.min(...nums);
    const max = Math.max(...nums);
    const log = min > 0 && max / min >= 100;
    const f = (v: number) => (log ? Math.log10(v) : v);
    const span = f(max) - f(min);
    const position = (v: SweepRecord[string]) =>
      typeof v === "number" && Number.isFinite(v) ? (span > 0 ? (f(v) - f(min)) / span : 0.5) : null;
    const ticks = nums.length === 0 ? [] : span > 0
      ? [
          { position: 0, label: formatNumber(min), place: "below" as const },
          { position: 1, label: formatNumber(max), place: "above" as const },
        ]
      : [{ position: 0.5, label: formatNumber(min), place: "beside" as const }];
    return { name, position, ticks };
  }
  const categories = [...new Set(values.filter((v) => v !== undefined && v !== null).map((v) => String(v)))];
  const spot = (i: number) => (categories.length > 1 ? i / (categories.length - 1) : 0.5);
  return {
    name,
    position: (v) => (v === undefined || v === null ? null : spot(categories.indexOf(String(v)))),
    ticks: categories.map((c, i) => ({ position: spot(i), label: c, place: "beside" as const })),
  };
}

function display(value: SweepRecord[string]): string {
  return typeof value === "number" ? formatNumber(value) : String(value);
}
