/**
 * benchmarkInference: how fast is the model in tfjs (current backend) and in
 * onnxruntime at FP32, FP16 and INT8? Images per second and per-call latency
 * (p50, p99) at each batch size, all engines measured in interleaved rounds
 * in one run so that a busy machine slows them alike.
 */
import * as tf from "@tensorflow/tfjs";
import * as ort from "onnxruntime-node";
import { DISPLAY, MimeBundle, wasInterrupted } from "../display";
import { toOnnx } from "./export-onnx";
import { escapeHtml, htmlTable, textTable } from "../display/html";
import { modelInputToGraphInput } from "./input-transform";
import { OnnxRunner, OnnxSource, RunnerOptions } from "./onnx-runner";
import { float32ToFloat16 } from "./onnx/float16";
import { quantizeFp16 } from "./quantize-fp16";
import { Int8Options, quantizeInt8 } from "./quantize-int8";
import { Precision } from "./quantized-model";
import { LabelledSamples } from "./samples";

export interface BenchmarkInferenceOptions {
  /** Batch sizes to measure. Default [1, 32]. */
  batchSizes?: number[];
  /** onnxruntime precisions to measure. Default fp32, fp16, and int8 when `calibration` is given. */
  precisions?: Precision[];
  /** Images to calibrate INT8 on (required for int8 unless `models.int8` is given). */
  calibration?: LabelledSamples;
  int8?: Int8Options;
  /** Ready-made dynamic-batch ONNX models to use instead of exporting `model`. */
  models?: Partial<Record<Precision, OnnxSource>>;
  /** Seconds of timed calls per engine and batch size, spread over the rounds. Default 3. */
  seconds?: number;
  /** Interleaved rounds (the median round counts). Default 3. */
  rounds?: number;
  /** onnxruntime intra-op threads. Default: onnxruntime's choice (all cores). */
  threads?: number;
  /** onnxruntime graph optimization level. Default "auto": the faster of "all" and "extended" for this model. */
  optimization?: RunnerOptions["optimization"];
}

export interface BenchmarkRow {
  engine: string;
  precision: Precision;
  /** Variant name shown in tables (e.g. "INT8 entropy"). */
  label: string;
  batch: number;
  /** Median over the rounds. */
  imagesPerSecond: number;
  /** Best round: least disturbed by other processes. */
  bestImagesPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  calls: number;
}

export class InferenceBenchmark {
  constructor(
    readonly rows: BenchmarkRow[],
    readonly tfjsBackend: string,
    readonly threads: number | undefined,
  ) {}

  find(engine: "tfjs" | "onnxruntime", precision: Precision, batch: number): BenchmarkRow | undefined {
    return this.rows.find((r) => r.engine.startsWith(engine) && r.precision === precision && r.batch === batch);
  }

  /** onnxruntime images/s divided by tfjs images/s at the same precision (fp32) and batch. */
  speedup(precision: Precision, batch: number): number {
    const ort = this.find("onnxruntime", precision, batch);
    const tfjs = this.find("tfjs", "fp32", batch);
    return ort && tfjs ? ort.imagesPerSecond / tfjs.imagesPerSecond : NaN;
  }

  /** Records for a bar chart (one per engine, precision and batch). */
  chartData(): { engine: string; batch: number; imagesPerSecond: number }[] {
    return this.rows.map((r) => ({ engine: `${r.engine} ${r.precision.toUpperCase()}`, batch: r.batch, imagesPerSecond: r.imagesPerSecond }));
  }

  private table(): (string | number)[][] {
    return this.rows.map((r) => [
      r.engine,
      r.precision.toUpperCase(),
      r.batch,
      Math.round(r.imagesPerSecond),
      Math.round(r.bestImagesPerSecond),
      r.latencyP50Ms.toFixed(2),
      r.latencyP99Ms.toFixed(2),
      r.engine.startsWith("onnxruntime") ? `${this.speedup(r.precision, r.batch).toFixed(2)}×` : "1.00×",
    ]);
  }

  [DISPLAY](): MimeBundle {
    const header = ["engine", "precision", "batch", "images/s (median round)", "images/s (best round)", "p50 ms", "p99 ms", "vs tfjs"];
    const note = `tfjs backend: ${this.tfjsBackend}; onnxruntime CPU threads: ${this.threads ?? "default"}. Latency is per call (one batch).`;
    return {
      "text/plain": `${textTable(header, this.table())}\n${note}`,
      // A chart of chartData() goes here once lib/charts lands.
      "text/html": `${htmlTable(header, this.table())}<p>${escapeHtml(note)}</p>`,
    };
  }
}

export interface Engine {
  engine: string;
  precision: Precision;
  label?: string;
  /** Runs one call of `batch` images; resolves when the outputs are on the CPU. */
  call(batch: number): Promise<void>;
  release(): Promise<void>;
}

export async function benchmarkInference(model: tf.LayersModel, options: BenchmarkInferenceOptions = {}): Promise<InferenceBenchmark> {
  const batchSizes = options.batchSizes ?? [1, 32];
  const precisions = options.precisions ?? (options.calibration || options.models?.int8 ? ["fp32", "fp16", "int8"] : ["fp32", "fp16"]);
  const rounds = options.rounds ?? 3;
  const secondsPerRound = (options.seconds ?? 3) / rounds;
  const engines: Engine[] = [tfjsEngine(model, batchSizes)];
  const fp32 = options.models?.fp32 ?? toOnnx(model, { dynamicBatch: true });
  for (const precision of precisions) {
    let source = options.models?.[precision];
    if (!source) {
      if (precision === "fp32") source = fp32;
      else if (precision === "fp16") source = quantizeFp16(fp32).bytes;
      else {
        if (!options.calibration) throw new Error("benchmarkInference needs `calibration` images (or `models.int8`) to measure INT8.");
        source = (await quantizeInt8(fp32, options.calibration, options.int8)).bytes;
      }
    }
    engines.push(await onnxEngine(source, precision, batchSizes, { threads: options.threads, optimization: options.optimization ?? "auto" }));
  }

  let rows: BenchmarkRow[];
  try {
    rows = await measureInterleaved(engines, batchSizes, secondsPerRound, rounds);
  } finally {
    for (const engine of engines) await engine.release();
  }
  return new InferenceBenchmark(rows, tf.getBackend(), options.threads);
}

/** The middle value, or the mean of the two middle ones. */
export function median(values: number[]): number {
  const sorted = values.slice().sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)];
}

/**
 * Times every engine at every batch size in interleaved rounds (so load
 * from other processes hits them alike); throughput is the median round.
 */
export async function measureInterleaved(engines: Engine[], batchSizes: number[], secondsPerRound: number, rounds: number): Promise<BenchmarkRow[]> {
  const samples = new Map<string, { latencies: number[]; throughputs: number[] }>();
  const key = (e: Engine, b: number) => `${e.engine}|${e.precision}|${e.label ?? ""}|${b}`;
  for (const engine of engines) for (const b of batchSizes) for (let i = 0; i < 3; i++) await engine.call(b); // warm up
  for (let round = 0; round < rounds && !wasInterrupted(); round++) {
    for (const engine of engines) {
      for (const b of batchSizes) {
        const entry = samples.get(key(engine, b)) ?? { latencies: [], throughputs: [] };
        const start = performance.now();
        let calls = 0;
        while (performance.now() - start < secondsPerRound * 1000) {
          const t = performance.now();
          await engine.call(b);
          entry.latencies.push(performance.now() - t);
          calls++;
        }
        entry.throughputs.push((calls * b) / ((performance.now() - start) / 1000));
        samples.set(key(engine, b), entry);
      }
    }
  }
  const rows: BenchmarkRow[] = [];
  for (const engine of engines) {
    for (const b of batchSizes) {
      const entry = samples.get(key(engine, b));
      if (!entry) continue;
      const sorted = entry.latencies.slice().sort((x, y) => x - y);
      rows.push({
        engine: engine.engine,
        precision: engine.precision,
        label: engine.label ?? engine.precision.toUpperCase(),
        batch: b,
        imagesPerSecond: median(entry.throughputs),
        bestImagesPerSecond: Math.max(...entry.throughputs),
        latencyP50Ms: percentile(sorted, 50),
        latencyP99Ms: percentile(sorted, 99),
        calls: sorted.length,
      });
    }
  }
  return rows;
}

/** An engine that runs the tfjs model (current backend) on fixed random inputs, downloading the outputs. */
export function tfjsEngine(model: tf.LayersModel, batchSizes: number[]): Engine {
  const [, height, width, channels] = model.inputs[0].shape as number[];
  const inputs = new Map(batchSizes.map((b) => [b, tf.randomUniform([b, height, width, channels], 0, 1, "float32", 42)]));
  return {
    engine: `tfjs (${tf.getBackend()})`,
    precision: "fp32",
    label: "tfjs",
    call: async (batch) => {
      const out = model.predict(inputs.get(batch) as tf.Tensor) as tf.Tensor;
      await out.data();
      out.dispose();
    },
    release: async () => {
      for (const t of inputs.values()) t.dispose();
    },
  };
}

/** An engine that runs an onnxruntime session on fixed random model inputs. */
export async function onnxEngine(source: OnnxSource, precision: Precision, batchSizes: number[], runnerOptions: RunnerOptions = {}, label?: string): Promise<Engine> {
  const runner = await OnnxRunner.load(source, runnerOptions);
  if (runner.fixedBatch !== undefined && batchSizes.some((b) => b !== runner.fixedBatch)) {
    await runner.release();
    throw new Error(`The ${precision} model has a fixed batch of ${runner.fixedBatch}; timing other batch sizes needs a dynamic-batch export (exportOnnx with dynamicBatch: true).`);
  }
  const { height, width, modelChannels, inputChannels } = runner.contract;
  const maxBatch = Math.max(...batchSizes);
  const pixels = new Float32Array(maxBatch * height * width * modelChannels);
  let state = 42;
  for (let i = 0; i < pixels.length; i++) pixels[i] = (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
  const feeds = new Map(
    batchSizes.map((b) => {
      const input = modelInputToGraphInput(runner.contract, pixels.subarray(0, b * height * width * modelChannels), b);
      const tensor = runner.float16Input ? new ort.Tensor("float16", float32ToFloat16(input), [b, inputChannels, height, width]) : new ort.Tensor("float32", input, [b, inputChannels, height, width]);
      return [b, { [runner.inputName]: tensor }];
    }),
  );
  return {
    engine: "onnxruntime (CPU)",
    precision,
    label,
    call: async (batch) => {
      await runner.session.run(feeds.get(batch) as Record<string, ort.Tensor>);
    },
    release: () => runner.release(),
  };
}
