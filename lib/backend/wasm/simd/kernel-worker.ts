/**
 * A worker thread of ./parallel: binds convlab's generated kernels to the
 * wasm backend's shared memory, then, each time it is told to, runs chunks
 * of the calls the main thread wrote into its control block, taking them
 * from the counter all threads share (./job-protocol).
 */
import { workerData } from "node:worker_threads";
import { BUSY_MS_BYTE, CHUNKS, CHUNKS_RUN, DONE, FAILED, FIRST_CHUNK, invoke, KernelFunction, OFFSETS, READY, RUN, STATE, UNKNOWN, WRITTEN } from "./job-protocol";

interface WorkerSetup {
  module: object;
  memory: object;
  control: SharedArrayBuffer;
  message: SharedArrayBuffer;
  names: string[];
  /** The chunk counter all threads share (one Int32). */
  chunkCounter: SharedArrayBuffer;
}

// (Not named `module`: that would clash with CommonJS's own, and Node would then load this file as an ES module.)
const { module: compiled, memory, control, message, names, chunkCounter } = workerData as WorkerSetup;
const api = (globalThis as unknown as { WebAssembly: { Instance: new (m: object, i: object) => { exports: Record<string, unknown> } } }).WebAssembly;
const instance = new api.Instance(compiled, { env: { memory } }).exports;
const kernels = names.map((name) => instance[name] as KernelFunction);
const slots = new Int32Array(control);
const next = new Int32Array(chunkCounter);
const text = new Uint8Array(message);
const busyMs = new Float64Array(control, BUSY_MS_BYTE, 1);

/**
 * Milliseconds a worker waiting for a chunk checks at once before it sleeps
 * between checks. Writing a chunk's calls takes microseconds, and a worker
 * that catches up with the writer (nearly half of vgg32's rounds here)
 * waits for it; a sleep costs it 50 µs or more.
 */
const SPIN_MS = 0.2;

/**
 * Whether chunk c (of the round) is there to run, waiting while the main
 * thread is still writing it: checking at once for SPIN_MS, then sleeping
 * 50 µs between checks, so that a main thread sharing this CPU (when the
 * machine's other CPUs are busy) gets to write.
 */
function written(c: number): boolean {
  let sleepAfter = 0;
  for (let checks = 0; ; checks++) {
    const count = Atomics.load(slots, WRITTEN);
    if (c < count) return true;
    const chunks = Atomics.load(slots, CHUNKS);
    if (chunks !== UNKNOWN && c >= chunks) return false;
    if (checks % 64 === 63) {
      const now = performance.now();
      if (sleepAfter === 0) sleepAfter = now + SPIN_MS;
      else if (now > sleepAfter) Atomics.wait(slots, WRITTEN, count, 0.05);
    }
  }
}

/** Runs chunks from the shared counter until the round's are gone. */
function runRound(): void {
  const first = slots[FIRST_CHUNK];
  for (let c = Atomics.add(next, 0, 1) - first; written(c); c = Atomics.add(next, 0, 1) - first) {
    for (let at = slots[OFFSETS + c], end = slots[OFFSETS + c + 1]; at < end; at += 2 + slots[at + 1]) {
      invoke(kernels[slots[at]], slots, at + 2);
    }
    Atomics.add(slots, CHUNKS_RUN, 1);
  }
}

Atomics.store(slots, READY, 1);
for (;;) {
  for (let state = Atomics.load(slots, STATE); state !== RUN; state = Atomics.load(slots, STATE)) Atomics.wait(slots, STATE, state);
  try {
    const start = performance.now();
    runRound();
    busyMs[0] += performance.now() - start;
    Atomics.store(slots, STATE, DONE);
  } catch (error) {
    const bytes = new TextEncoder().encode(error instanceof Error ? error.message : String(error));
    text.fill(0);
    text.set(bytes.subarray(0, text.length - 1));
    Atomics.store(slots, STATE, FAILED);
  }
  Atomics.notify(slots, STATE);
}
