/**
 * latencyThroughputChart: what a bigger batch buys and what it costs, side by
 * side: the time one call takes (latency) and the images per second it
 * processes (throughput), against the batch size on a log₂ axis.
 */
import { Chart, type ChartOptions } from "./chart";
import { frame, requireArray } from "./format";
import { formatNumber } from "../display/html";
import { jsonNumber, type Datum, type VegaLiteSpec } from "./spec";

export interface LatencyThroughputPoint {
  batch: number;
  /** Time of one call of `batch` images, in milliseconds (e.g. the median call). */
  latencyMs: number;
  imagesPerSecond: number;
  /** Which engine or precision, when several are drawn. Default "". */
  series?: string;
}

export interface LatencyThroughputOptions extends ChartOptions {
  /** A latency budget to draw as a horizontal rule, in milliseconds (e.g. 33 for 30 frames a second). Default none. */
  latencyBudgetMs?: number;
}

export function latencyThroughputChart(points: readonly LatencyThroughputPoint[], options: LatencyThroughputOptions = {}): Chart {
  requireArray(points, "latencyThroughputChart's points", "[{ batch: 1, latencyMs: 0.3, imagesPerSecond: 3000 }]");
  const rows: Datum[] = points.map((p) => ({ batch: p.batch, latency: jsonNumber(p.latencyMs), throughput: jsonNumber(p.imagesPerSecond), series: p.series ?? "" }));
  const several = new Set(rows.map((r) => r.series)).size > 1;
  const first = points[0];
  const last = points[points.length - 1];
  const summary = first && last
    ? `Latency and throughput: batch ${first.batch} → ${last.batch}, latency ${formatNumber(first.latencyMs)} → ${formatNumber(last.latencyMs)} ms, throughput ${formatNumber(first.imagesPerSecond)} → ${formatNumber(last.imagesPerSecond)} images/s`
    : "Latency and throughput: no points";
  return new Chart("latency-throughput", summary, (context) => {
    const { title, width, height } = frame(options, { title: "Latency and throughput against batch size", width: 260, height: 220 });
    const x = { field: "batch", type: "quantitative", title: "batch size", scale: { type: "log", base: 2 }, axis: { values: [...new Set(points.map((p) => p.batch))] } };
    const color = several ? { field: "series", type: "nominal", title: null } : { value: "#4c78a8" };
    const panel = (field: string, yTitle: string): VegaLiteSpec => ({
      width,
      height,
      mark: { type: "line", point: true },
      encoding: { x, y: { field, type: "quantitative", title: yTitle, scale: { zero: true } }, color, tooltip: [{ field: "batch", type: "quantitative" }, { field, type: "quantitative", format: ".4~g" }] },
    });
    const latency = panel("latency", "latency: ms per call");
    const { width: _w, height: _h, ...latencyLayer } = latency;
    const budget = options.latencyBudgetMs;
    return {
      title,
      data: { values: rows },
      hconcat: [
        budget === undefined
          ? latency
          : { width, height, layer: [latencyLayer, { data: { values: [{ budget }] }, mark: { type: "rule", strokeDash: [4, 3], color: context.annotationColor }, encoding: { y: { field: "budget", type: "quantitative" } } }] },
        panel("throughput", "throughput: images per second"),
      ],
    };
  }, options);
}
