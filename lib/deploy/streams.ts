/**
 * Several inference streams at once. TensorRT runs independent requests on
 * separate CUDA streams so one request's work fills the gaps another leaves
 * on the GPU. The CPU equivalent measured here: the same model in 1, 2, …
 * worker threads, each with its own session, all running at the same time,
 * against one stream that uses all its threads inside each call.
 */
import { Worker } from "node:worker_threads";
import { join } from "node:path";
import { DISPLAY, MimeBundle } from "../display";
import { escapeHtml, htmlTable, textTable } from "../display/html";
import { OnnxSource, onnxBytes } from "./onnx-runner";
import { decodeModel } from "./onnx/proto";
import { median } from "./benchmark-inference";

export interface StreamConfiguration {
  /** Sessions running at the same time, each in its own thread. */
  streams: number;
  /** onnxruntime threads inside each session. */
  threadsPerStream: number;
}

export interface StreamsOptions {
  /** Default: 1 stream × 2 threads, 2 streams × 1 thread, 1 stream × 1 thread. */
  configurations?: StreamConfiguration[];
  /** Images per call. Default 1 (a camera frame). */
  batch?: number;
  /** Seconds per configuration and round. Default 1. */
  seconds?: number;
  /** Rounds, configurations alternating; the median round counts. Default 3. */
  rounds?: number;
}

export interface StreamsRow extends StreamConfiguration {
  imagesPerSecond: number;
  /** Median time of one call, ms. */
  latencyMs: number;
}

export class StreamsComparison {
  constructor(
    readonly rows: StreamsRow[],
    readonly batch: number,
  ) {}

  find(streams: number, threadsPerStream: number): StreamsRow | undefined {
    return this.rows.find((r) => r.streams === streams && r.threadsPerStream === threadsPerStream);
  }

  private table(): (string | number)[][] {
    return this.rows.map((r) => [r.streams, r.threadsPerStream, Math.round(r.imagesPerSecond), r.latencyMs.toFixed(3)]);
  }

  [DISPLAY](): MimeBundle {
    const header = ["streams", "threads per stream", "images/s (all streams)", "ms per call (median)"];
    const note = `Batch ${this.batch}; every stream is a session in its own worker thread, all running at once.`;
    return { "text/plain": `${textTable(header, this.table())}\n${note}`, "text/html": `${htmlTable(header, this.table())}<p>${escapeHtml(note)}</p>` };
  }
}


async function startStream(bytes: Uint8Array, inputName: string, dims: number[], threads: number): Promise<Worker> {
  const worker = new Worker(join(__dirname, "stream-worker.js"), { workerData: { bytes, inputName, dims, threads } });
  await new Promise<void>((resolve, reject) => {
    worker.once("message", () => resolve());
    worker.once("error", reject);
  });
  return worker;
}

function runUntil(worker: Worker, until: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    worker.once("message", (message: { latencies: number[] }) => resolve(message.latencies));
    worker.once("error", reject);
    worker.postMessage({ until });
  });
}

export async function measureStreams(source: OnnxSource, options: StreamsOptions = {}): Promise<StreamsComparison> {
  const bytes = onnxBytes(source);
  const input = decodeModel(bytes).graph.input[0];
  const batch = options.batch ?? 1;
  const dims = (input.type.tensor_type.shape?.dim ?? []).map((d, i) => (i === 0 ? batch : Number(d.dim_value)));
  const fixed = Number(input.type.tensor_type.shape?.dim[0]?.dim_value ?? 0);
  if (fixed > 0 && fixed !== batch) throw new Error(`This model has a fixed batch of ${fixed}; measure with batch: ${fixed}, or export with dynamicBatch: true.`);
  const configurations = options.configurations ?? [
    { streams: 1, threadsPerStream: 2 },
    { streams: 2, threadsPerStream: 1 },
    { streams: 1, threadsPerStream: 1 },
  ];
  const seconds = options.seconds ?? 1;
  const rounds = options.rounds ?? 3;
  const pools: Worker[][] = [];
  try {
    for (const c of configurations) pools.push(await Promise.all(Array.from({ length: c.streams }, () => startStream(bytes, input.name, dims, c.threadsPerStream))));
    const throughputs = configurations.map(() => [] as number[]);
    const latencies = configurations.map(() => [] as number[]);
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < configurations.length; i++) {
        const until = Date.now() + seconds * 1000;
        const started = performance.now();
        const perStream = await Promise.all(pools[i].map((w) => runUntil(w, until)));
        const elapsed = (performance.now() - started) / 1000;
        const calls = perStream.reduce((s, l) => s + l.length, 0);
        throughputs[i].push((calls * batch) / elapsed);
        latencies[i].push(...perStream.flat());
      }
    }
    return new StreamsComparison(
      configurations.map((c, i) => ({ ...c, imagesPerSecond: median(throughputs[i]), latencyMs: median(latencies[i]) })),
      batch,
    );
  } finally {
    // The workers are idle between rounds: ending them frees their sessions with them.
    await Promise.all(pools.flat().map((w) => w.terminate()));
  }
}
