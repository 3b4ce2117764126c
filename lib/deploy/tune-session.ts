/**
 * Tuning for the target, measured. TensorRT's builder times several kernels
 * ("tactics") for every layer on the very GPU it builds for and keeps the
 * fastest, which is why an engine is built on the Jetson itself and cannot be
 * copied to another model of Jetson. onnxruntime picks its kernels without
 * timing them, but the same idea applies one level up: time the session
 * settings that matter on this machine (optimisation level, threads) and keep
 * the fastest.
 */
import { cpus } from "node:os";
import { DISPLAY, MimeBundle } from "../display";
import { Engine, measureInterleaved, onnxEngine } from "./benchmark-inference";
import { escapeHtml, htmlTable, textTable } from "../display/html";
import { OnnxSource, RunnerOptions } from "./onnx-runner";

export interface TuningCandidate {
  optimization: Exclude<RunnerOptions["optimization"], "auto" | undefined>;
  threads: number;
}

export interface TuneSessionOptions {
  /** Default: levels "extended" and "all" × 1 thread and every core. */
  candidates?: TuningCandidate[];
  /** Default 1. */
  batch?: number;
  /** Seconds per candidate over all rounds. Default 1. */
  seconds?: number;
  rounds?: number;
}

export interface TuningRow extends TuningCandidate {
  imagesPerSecond: number;
  latencyMs: number;
}

export class SessionTuning {
  constructor(
    readonly rows: TuningRow[],
    readonly batch: number,
  ) {}

  get best(): TuningRow {
    return this.rows.reduce((a, b) => (b.imagesPerSecond > a.imagesPerSecond ? b : a));
  }

  get worst(): TuningRow {
    return this.rows.reduce((a, b) => (b.imagesPerSecond < a.imagesPerSecond ? b : a));
  }

  /** The settings to pass to OnnxRunner, benchmarkInference or measureBatchSizes. */
  get bestOptions(): RunnerOptions {
    return { optimization: this.best.optimization, threads: this.best.threads };
  }

  private table(): (string | number)[][] {
    return this.rows.map((r) => [r.optimization, r.threads, Math.round(r.imagesPerSecond), r.latencyMs.toFixed(3), r === this.best ? "← fastest" : ""]);
  }

  [DISPLAY](): MimeBundle {
    const header = ["optimization", "threads", "images/s", "ms per call (median)", ""];
    const note = `Batch ${this.batch}, candidates timed in interleaved rounds on this machine. The fastest is ${(this.best.imagesPerSecond / this.worst.imagesPerSecond).toFixed(2)}× the slowest.`;
    return { "text/plain": `${textTable(header, this.table())}\n${note}`, "text/html": `${htmlTable(header, this.table())}<p>${escapeHtml(note)}</p>` };
  }
}

export async function tuneSession(source: OnnxSource, options: TuneSessionOptions = {}): Promise<SessionTuning> {
  const cores = cpus().length;
  const candidates =
    options.candidates ?? (["extended", "all"] as const).flatMap((optimization) => [...new Set([1, cores])].map((threads) => ({ optimization, threads })));
  const batch = options.batch ?? 1;
  const rounds = options.rounds ?? 3;
  const engines: Engine[] = [];
  try {
    for (const c of candidates) engines.push(await onnxEngine(source, "fp32", [batch], c, `${c.optimization}|${c.threads}`));
    const rows = await measureInterleaved(engines, [batch], (options.seconds ?? 1) / rounds, rounds);
    return new SessionTuning(
      candidates.map((c) => {
        const row = rows.find((r) => r.label === `${c.optimization}|${c.threads}`)!;
        return { ...c, imagesPerSecond: row.imagesPerSecond, latencyMs: row.latencyP50Ms };
      }),
      batch,
    );
  } finally {
    for (const e of engines) await e.release();
  }
}
