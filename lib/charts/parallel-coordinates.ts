/**
 * parallelCoordinatesChart: one line per run of a hyperparameter sweep,
 * crossing one vertical axis per hyperparameter and ending at the result.
 */
import { Chart, type ChartOptions } from "./chart";
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

/**
 * Sweep results as parallel coordinates: each run is a line across one
 * vertical axis per hyperparameter, coloured by its result, so the settings
 * that lead to good runs line up. Numeric axes run from their min (bottom)
 * to max (top), on a log scale when the values span 100× or more (learning
 * rates); text and boolean values are spread evenly.
 */
export function parallelCoordinatesChart(runs: readonly SweepRecord[], options: ParallelCoordinatesOptions = {}): Chart {
  if (!Array.isArray(runs) || runs.some((r) => !r || typeof r !== "object")) {
    throw new Error(
      `parallelCoordinatesChart expects an array of runs, e.g. [{ lr: 0.01, batchSize: 32, valAccuracy: 0.91 }, ...] (got ${describeValue(runs)}).`,
    );
  }
  const dimensions = options.dimensions ?? (runs.length ? Object.keys(runs[0]) : []);
  for (const d of dimensions) {
    if (runs.length && runs.every((r) => r[d] === undefined)) {
      throw new Error(`parallelCoordinatesChart: no run has "${d}". Keys in the first run: ${Object.keys(runs[0]).join(", ")}.`);
    }
  }
  const numeric = (d: string) => runs.every((r) => r[d] === undefined || r[d] === null || typeof r[d] === "number");
  const colorField =
    options.color ??
    ["valAccuracy", "valLoss"].find((d) => dimensions.includes(d)) ??
    [...dimensions].reverse().find(numeric) ??
    dimensions[dimensions.length - 1];
  if (colorField !== undefined && !runs.every((r) => typeof r[colorField] === "number" || r[colorField] == null)) {
    throw new Error(`parallelCoordinatesChart: color "${colorField}" must be a numeric result such as valAccuracy.`);
  }
  const axes = dimensions.map((d) => makeAxis(d, runs.map((r) => r[d]), numeric(d)));

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
  const ticks: Datum[] = axes.flatMap((axis) =>
    axis.ticks.map((t) => ({ dimension: axis.name, position: t.position, label: t.label, place: t.place })),
  );

  const mode = options.mode ?? (colorField ? inferMode(colorField) : "max");
  let best: SweepRecord | undefined;
  if (colorField) {
    for (const run of runs) {
      const v = run[colorField];
      if (typeof v !== "number" || !Number.isFinite(v)) continue;
      const b = best?.[colorField] as number | undefined;
      if (b === undefined || (mode === "max" ? v > b : v < b)) best = run;
    }
  }
  const settings = best
    ? dimensions.filter((d) => d !== colorField).map((d) => `${d}=${display(best![d])}`).join(", ")
    : "";
  const summary =
    `Sweep: ${runs.length} runs × ${dimensions.length} axes` +
    (best && colorField ? `; best ${colorField} ${formatNumber(best[colorField] as number)} (${settings})` : "");

  return new Chart("parallel-coordinates", summary, ({ annotationColor, textColor }) => {
    const x = {
      field: "dimension",
      type: "nominal",
      sort: dimensions,
      title: null,
      // Padding leaves room for the min labels written below each axis.
      axis: { orient: "bottom", labelAngle: 0, domain: false, ticks: false, labelFontSize: 11, labelPadding: 18 },
    };
    const labelLayer = (place: string, mark: VegaLiteSpec): VegaLiteSpec => ({
      name: `axis_labels_${place}`,
      data: { values: ticks },
      transform: [{ filter: { field: "place", equal: place } }],
      mark: { type: "text", fontSize: 10, color: textColor, ...mark },
      encoding: { x, y, text: { field: "label", type: "nominal" } },
    });
    const y = { field: "position", type: "quantitative", scale: { domain: [0, 1] }, axis: null };
    return {
      ...frame(options, {
        title: "Hyperparameter sweep",
        subtitle: best && colorField ? `best ${colorField} ${formatNumber(best[colorField] as number)}: ${settings}` : undefined,
        width: Math.max(300, 130 * dimensions.length),
        height: 260,
      }),
      // Room above the axes for the max labels.
      padding: { top: 14, left: 5, right: 5, bottom: 5 },
      layer: [
        {
          name: "axes",
          data: { values: axes.map((a) => ({ dimension: a.name })) },
          mark: { type: "rule", color: annotationColor, strokeWidth: 1 },
          encoding: { x, y: { datum: 0, type: "quantitative", scale: { domain: [0, 1] }, axis: null }, y2: { datum: 1 } },
        },
        {
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
        },
        labelLayer("above", { align: "center", baseline: "bottom", dy: -4 }),
        labelLayer("below", { align: "center", baseline: "top", dy: 4 }),
        labelLayer("beside", { align: "right", baseline: "middle", dx: -4 }),
      ],
    };
  }, options);
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
