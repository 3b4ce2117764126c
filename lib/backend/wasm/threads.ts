/**
 * Starting the wasm backend's threaded build (XNNPACK on a thread pool) in Node.
 *
 * tfjs-backend-wasm turns threads off in Node (WASM_HAS_MULTITHREAD_SUPPORT
 * is false there) because its pthread workers are created from Blob URLs,
 * which Node's worker_threads cannot load. The build itself works in Node;
 * for the duration of the backend's start-up this module:
 * - sets WASM_HAS_MULTITHREAD_SUPPORT, so tfjs loads the threaded SIMD build;
 * - makes `new Worker(blobUrl)` start ./pthread-worker.js instead, and gives
 *   it the threaded build's script by file path instead of as a Blob;
 * - reports enough CPUs: the build uses at most half the logical CPUs
 *   (assuming hyper-threading), so on a 2-core machine it would use 1.
 * Everything is put back once the backend has started.
 */
import { join } from "node:path";
import { Worker as NodeWorker } from "node:worker_threads";
import * as tf from "@tensorflow/tfjs";
import * as wasm from "@tensorflow/tfjs-backend-wasm";

// The os module object itself (an `import *` would give a copy): the wasm
// build asks it for the CPU count.
const os = require("node:os") as { cpus: () => unknown[] };

const threadedScript = require.resolve("@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js");

/** A pthread worker that Node can start. */
class PthreadWorker extends NodeWorker {
  constructor() {
    super(join(__dirname, "pthread-worker.js"));
    // Pool threads wait forever for work; they must not keep Node running.
    this.unref();
  }

  override postMessage(message: unknown, transferList?: readonly never[]): void {
    const m = message as { cmd?: string; urlOrBlob?: unknown } | null;
    if (m && m.cmd === "load") message = { ...m, urlOrBlob: threadedScript };
    super.postMessage(message, transferList);
  }

  override ref(): void {
    // emscripten refs a worker while its thread runs: pool threads run for
    // the life of the backend, and must not keep Node running either.
  }
}

/**
 * Starts tfjs's "wasm" backend with `threads` XNNPACK threads. Must run
 * before the wasm backend has started in this process.
 */
export async function startThreadedWasm(threads: number): Promise<void> {
  const flags = tf.env();
  flags.set("WASM_HAS_MULTITHREAD_SUPPORT", true);
  wasm.setThreadsCount(threads);
  const realCpus = os.cpus;
  const global = globalThis as Record<string, unknown>;
  const workerProperty = Object.getOwnPropertyDescriptor(globalThis, "Worker");
  os.cpus = () => {
    const cpus = realCpus();
    return Array.from({ length: Math.max(2 * threads, cpus.length) }, (_, i) => cpus[i % cpus.length]);
  };
  // emscripten assigns the global Worker to worker_threads' Worker as it
  // starts; a setter that ignores that keeps ours in place.
  Object.defineProperty(globalThis, "Worker", {
    configurable: true,
    get: () => PthreadWorker,
    set: () => undefined,
  });
  try {
    const ok = await tf.setBackend("wasm");
    if (!ok) throw new Error("the threaded wasm backend failed to start");
  } finally {
    os.cpus = realCpus;
    if (workerProperty) Object.defineProperty(globalThis, "Worker", workerProperty);
    else delete global.Worker;
  }
}
