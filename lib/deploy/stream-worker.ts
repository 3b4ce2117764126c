/**
 * One inference stream for measureStreams: its own onnxruntime session in
 * its own thread, running calls back to back until the deadline the main
 * thread sends, then reporting how long each call took. The main thread
 * ends the worker when it is done with it.
 */
import { parentPort, workerData } from "node:worker_threads";
import * as ort from "onnxruntime-node";

interface StreamWorkerData {
  bytes: Uint8Array;
  inputName: string;
  dims: number[];
  threads: number;
}

async function main(): Promise<void> {
  const { bytes, inputName, dims, threads } = workerData as StreamWorkerData;
  const port = parentPort!;
  const session = await ort.InferenceSession.create(bytes, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: "all",
    extra: { session: { "intra_op.allow_spinning": "0" } },
  });
  const data = new Float32Array(dims.reduce((a, b) => a * b, 1));
  for (let i = 0; i < data.length; i++) data[i] = (i % 255) / 255;
  const feed = { [inputName]: new ort.Tensor("float32", data, dims) };
  for (let i = 0; i < 3; i++) await session.run(feed);
  port.on("message", async (message: { until: number }) => {
    const latencies: number[] = [];
    while (Date.now() < message.until) {
      const start = performance.now();
      await session.run(feed);
      latencies.push(performance.now() - start);
    }
    port.postMessage({ latencies });
  });
  port.postMessage("ready");
}

void main();
