/**
 * Latency against throughput as the batch grows. One call with a bigger
 * batch keeps the processor busier, so more images go through per second
 * (throughput), but every image in the batch waits for the whole call
 * (latency). A camera that must answer each frame within a deadline wants
 * the small batch; a server sorting a million photos wants the big one.
 */
import { DISPLAY, MimeBundle } from "../display";
import { Chart, latencyThroughputChart } from "../charts";
import { BenchmarkRow, onnxEngine, measureInterleaved } from "./benchmark-inference";
import { escapeHtml, htmlTable, textTable } from "../display/html";
import { OnnxSource, RunnerOptions } from "./onnx-runner";
import { Precision } from "./quantized-model";

export interface BatchSweepOptions {
  /** Default [1, 2, 4, 8, 16, 32, 64, 128]. */
  batchSizes?: number[];
  /** Seconds of timing per batch size, over all rounds. Default 1. */
  seconds?: number;
  /** Interleaved rounds; the median round's throughput counts. Default 3. */
  rounds?: number;
  threads?: number;
  optimization?: RunnerOptions["optimization"];
  /** Label in tables and charts. Default "FP32". */
  label?: string;
  precision?: Precision;
}

export interface BatchPoint {
  batch: number;
  /** Median time of one call, ms. */
  latencyMs: number;
  latencyP99Ms: number;
  imagesPerSecond: number;
}

export class BatchSweep {
  constructor(
    readonly points: BatchPoint[],
    readonly label: string,
  ) {}

  /** Of the batch sizes whose median call fits in `budgetMs`, the one with the most images per second (undefined when none fits). */
  fastestWithin(budgetMs: number): BatchPoint | undefined {
    return this.points.filter((p) => p.latencyMs <= budgetMs).reduce<BatchPoint | undefined>((best, p) => (!best || p.imagesPerSecond > best.imagesPerSecond ? p : best), undefined);
  }

  /** Throughput of the largest batch over that of batch 1 (or the smallest measured). */
  get throughputGain(): number {
    const sorted = [...this.points].sort((a, b) => a.batch - b.batch);
    return sorted[sorted.length - 1].imagesPerSecond / sorted[0].imagesPerSecond;
  }

  chart(options: { latencyBudgetMs?: number; title?: string } = {}): Chart {
    return latencyThroughputChart(this.points.map((p) => ({ batch: p.batch, latencyMs: p.latencyMs, imagesPerSecond: p.imagesPerSecond, series: this.label })), options);
  }

  private rows(): (string | number)[][] {
    return this.points.map((p) => [p.batch, p.latencyMs.toFixed(3), p.latencyP99Ms.toFixed(3), (p.latencyMs / p.batch).toFixed(4), Math.round(p.imagesPerSecond)]);
  }

  [DISPLAY](): MimeBundle {
    const header = ["batch", "ms per call (median)", "ms per call (p99)", "ms per image", "images/s"];
    const note = `${this.label} in onnxruntime on this CPU, batch sizes timed in interleaved rounds. chart() draws it.`;
    return { "text/plain": `${textTable(header, this.rows())}\n${note}`, "text/html": `${htmlTable(header, this.rows())}<p>${escapeHtml(note)}</p>` };
  }
}

/** Times one model at each batch size (a dynamic-batch export, e.g. exportOnnx with dynamicBatch: true). */
export async function measureBatchSizes(source: OnnxSource, options: BatchSweepOptions = {}): Promise<BatchSweep> {
  const batchSizes = options.batchSizes ?? [1, 2, 4, 8, 16, 32, 64, 128];
  const rounds = options.rounds ?? 3;
  const label = options.label ?? "FP32";
  const engine = await onnxEngine(source, options.precision ?? "fp32", batchSizes, { threads: options.threads, optimization: options.optimization ?? "auto" }, label);
  let rows: BenchmarkRow[];
  try {
    rows = await measureInterleaved([engine], batchSizes, (options.seconds ?? 1) / rounds, rounds);
  } finally {
    await engine.release();
  }
  return new BatchSweep(
    rows.map((r) => ({ batch: r.batch, latencyMs: r.latencyP50Ms, latencyP99Ms: r.latencyP99Ms, imagesPerSecond: r.imagesPerSecond })),
    label,
  );
}
