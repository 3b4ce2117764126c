/**
 * clippingHistogramChart: the distribution of one or more tensors' values
 * (magnitudes, on a log count axis, so the rare large values show; empty
 * bins are left out, since a log axis has no 0), with a
 * vertical rule for each clipping threshold: where INT8 calibration methods
 * cut the range that 127 levels have to cover.
 */
import { Chart, type ChartOptions } from "./chart";
import { formatNumber } from "../display/html";
import { jsonNumber, type Datum } from "./spec";

export interface ClippingPanel {
  /** Heading of the panel, e.g. the tensor's name. */
  name: string;
  /** Equal-width bins of |value| from 0: counts[i] covers [i·binWidth, (i+1)·binWidth). */
  counts: ArrayLike<number>;
  binWidth: number;
  /** Named thresholds, e.g. { max: 8.1, percentile: 5.2, entropy: 4.7 }. */
  thresholds: Record<string, number>;
}

export interface ClippingHistogramOptions extends ChartOptions {
  /** Bins drawn per panel (neighbouring bins are summed). Default 60. */
  bins?: number;
}

export function clippingHistogramChart(panels: readonly ClippingPanel[], options: ClippingHistogramOptions = {}): Chart {
  const drawn = options.bins ?? 60;
  const rows: Datum[] = [];
  const rules: Datum[] = [];
  const parts: string[] = [];
  for (const panel of panels) {
    const total = panel.counts.length;
    const group = Math.max(1, Math.ceil(total / drawn));
    for (let start = 0; start < total; start += group) {
      let count = 0;
      for (let i = start; i < Math.min(total, start + group); i++) count += panel.counts[i];
      if (count > 0) rows.push({ panel: panel.name, start: start * panel.binWidth, end: Math.min(total, start + group) * panel.binWidth, count });
    }
    for (const [method, threshold] of Object.entries(panel.thresholds)) rules.push({ panel: panel.name, method, threshold: jsonNumber(threshold) });
    parts.push(`${panel.name}: ${Object.entries(panel.thresholds).map(([m, t]) => `${m} ${formatNumber(t)}`).join(", ")}`);
  }
  const summary = `Clipping thresholds: ${parts.join("; ")}`;
  return new Chart("clipping-histogram", summary, () => {
    const width = options.width ?? 420;
    const height = options.height ?? 90;
    return {
      title: options.title ?? "Activation magnitudes and where each calibration method clips",
      data: { values: [...rows.map((r) => ({ ...r, kind: "bin" })), ...rules.map((r) => ({ ...r, kind: "rule" }))] },
      facet: { row: { field: "panel", type: "nominal", sort: panels.map((p) => p.name), title: null, header: { labelAngle: 0, labelAlign: "left", labelAnchor: "start", labelOrient: "top" } } },
      spec: {
        width,
        height,
        layer: [
          {
            transform: [{ filter: "datum.kind === 'bin'" }],
            mark: { type: "rect", color: "#9ecae1" },
            encoding: {
              x: { field: "start", type: "quantitative", title: "|activation|", scale: { zero: true, nice: false } },
              x2: { field: "end" },
              y: { field: "count", type: "quantitative", title: "count (log)", scale: { type: "log" }, axis: { format: "~s", tickCount: 4 } },
            },
          },
          {
            transform: [{ filter: "datum.kind === 'rule'" }],
            mark: { type: "rule", strokeWidth: 2 },
            encoding: {
              x: { field: "threshold", type: "quantitative" },
              color: { field: "method", type: "nominal", title: "clips at", scale: { scheme: "dark2" } },
              tooltip: [{ field: "method", type: "nominal" }, { field: "threshold", type: "quantitative", format: ".4~g" }],
            },
          },
        ],
      },
      resolve: { scale: { x: "independent", y: "independent" } },
    };
  }, options);
}
