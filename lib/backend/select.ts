/**
 * Choosing and starting the compute backend.
 *
 * `useBackend()` starts the backend asked for (or, for "auto", the fastest
 * that works: tfjs-node-gpu with a CUDA device, tfjs-node, the embedded wasm
 * backend with convlab's training kernels, then cpu) and remembers why the
 * faster ones were passed over, for `backendInfo()`.
 */
import { dirname } from "node:path";
import * as tf from "@tensorflow/tfjs";
import * as wasm from "@tensorflow/tfjs-backend-wasm";
import { BackendInfo } from "./info";
import { cpuShare } from "./cpu-share";
import {
  BACKEND_PACKAGES,
  BackendChoice,
  BackendName,
  HOW_TO_GET,
  SkippedBackend,
  MAX_THREADS,
  coreThreads,
  defaultThreads,
  parseBackendChoice,
  parseThreads,
} from "./plan";
import { registerWasmTrainingKernels, trainingKernels } from "./wasm/register";
import { startThreadedWasm } from "./wasm/threads";
import { simdKernels } from "./wasm/simd/runtime";
import { setKernelThreads } from "./wasm/simd/parallel";
import type { WasmBackend } from "./wasm/kernel-calls";

/** Options for `useBackend`. */
export interface UseBackendOptions {
  /**
   * Threads for the wasm backend: convlab's kernels and XNNPACK's.
   * Default: CONVLAB_THREADS if set, else one per core this process may use
   * (its CPUs, cgroup CPU quota and JupyterHub's CPU_LIMIT: ./cpu-share).
   * More than 1 starts the threaded build, which can happen only once per
   * process, before wasm first starts.
   */
  threads?: number;
}

/** A backend that could not be started, and why (shown by backendInfo()). */
export class BackendUnavailableError extends Error {
  constructor(
    readonly backend: BackendName,
    readonly reason: string,
  ) {
    super(`The ${backend} backend is not available: ${reason}.`);
    this.name = "BackendUnavailableError";
  }
}

/** What was started, for backendInfo(). */
interface Started {
  backend: BackendName;
  requested: BackendChoice;
  reason: string;
  skipped: SkippedBackend[];
  threads: number;
  threadsReason: string;
}

let started: Started | undefined;
let wasmThreadsStarted: number | undefined;

// Training on wasm needs convlab's kernels even when tfjs starts the backend
// itself (tf.setBackend("wasm"), or as its default): register them as soon as
// convlab is loaded. It only fills tfjs's kernel registry.
registerWasmTrainingKernels();
/** First line of an error, without Node's require stack. */
export function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split("\n")[0].trim().replace(/\.$/, "");
}

/** Loads an optional package, or says why it cannot be loaded (tried afresh each time: a setup may have installed it since). */
export function loadOptional(pkg: string, load: (pkg: string) => unknown = require): { module?: unknown; reason?: string } {
  try {
    return { module: load(pkg) };
  } catch (error) {
    const code = (error as { code?: string }).code;
    const missing = code === "MODULE_NOT_FOUND" && firstLine(error).includes(`'${pkg}'`);
    return { reason: missing ? `${pkg} is not installed` : `${pkg} failed to load: ${firstLine(error)}` };
  }
}

async function startNative(name: "gpu" | "node"): Promise<string> {
  const pkg = BACKEND_PACKAGES[name];
  const { reason } = loadOptional(pkg);
  if (reason) throw new BackendUnavailableError(name, `${reason}: ${HOW_TO_GET[name]}`);
  // Loading tfjs-node(-gpu) registers and selects its "tensorflow" backend.
  if (!(await tf.setBackend("tensorflow"))) {
    throw new BackendUnavailableError(name, `${pkg} loaded, but its "tensorflow" backend did not start`);
  }
  const native = tf.backend() as unknown as { isUsingGpuDevice?: boolean };
  if (name === "gpu" && native.isUsingGpuDevice !== true) {
    throw new BackendUnavailableError(
      "gpu",
      `${pkg} loaded, but TensorFlow found no usable CUDA device (it needs an NVIDIA driver, CUDA 11.2 and cuDNN 8.1)`,
    );
  }
  return name === "gpu" ? `${pkg} with a CUDA device` : `${pkg} (TensorFlow's C library)`;
}

/** emscripten adds process handlers that re-throw; they would take a notebook kernel down. */
function withoutEmscriptenProcessHandlers<T>(start: () => Promise<T>): Promise<T> {
  const events = ["uncaughtException", "unhandledRejection"];
  const listeners = (event: string) => process.listeners(event as "uncaughtException") as ((...args: unknown[]) => void)[];
  const before = new Map(events.map((e) => [e, new Set(listeners(e))]));
  return start().finally(() => {
    for (const event of events) {
      for (const listener of listeners(event)) {
        if (!before.get(event)!.has(listener)) process.removeListener(event, listener);
      }
    }
  });
}

async function startWasm(threads: number): Promise<string> {
  registerWasmTrainingKernels();
  if (wasmThreadsStarted !== undefined && wasmThreadsStarted !== threads) {
    throw new BackendUnavailableError(
      "wasm",
      `it already runs with ${wasmThreadsStarted} thread(s) in this process; restart the kernel to use ${threads}`,
    );
  }
  if (wasmThreadsStarted === undefined) {
    // Locate the .wasm files from the package itself, whatever the working directory.
    const wasmDir = dirname(require.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm"));
    wasm.setWasmPaths(wasmDir + "/");
    await withoutEmscriptenProcessHandlers(async () => {
      if (threads > 1) await startThreadedWasm(threads);
      else if (!(await tf.setBackend("wasm"))) throw new Error("tf.setBackend('wasm') returned false");
    }).catch((error) => {
      throw new BackendUnavailableError("wasm", `it failed to start: ${firstLine(error)}`);
    });
    wasmThreadsStarted = wasm.getThreadsCount();
    setKernelThreads(wasmThreadsStarted);
  } else if (!(await tf.setBackend("wasm"))) {
    throw new BackendUnavailableError("wasm", "it failed to start again");
  }
  const generated = simdKernels(tf.backend() as unknown as WasmBackend) ? ", generated SIMD products and pooling/bias kernels included" : "";
  return `the WebAssembly backend (XNNPACK) with convlab's ${trainingKernels.length} training kernels${generated}`;
}

async function startCpu(): Promise<string> {
  // The cpu backend greets Node users, on its first tensor, with advice to
  // install tfjs-node; backendInfo() already says why that is not in use.
  const flags = tf.env();
  const prod = flags.getBool("PROD");
  flags.set("PROD", true);
  try {
    if (!(await tf.setBackend("cpu"))) throw new BackendUnavailableError("cpu", "it failed to start");
    tf.tensor([0]).dispose();
  } finally {
    flags.set("PROD", prod);
  }
  return "the plain JavaScript backend (slow)";
}

async function start(name: BackendName, threads: number): Promise<string> {
  switch (name) {
    case "gpu":
    case "node":
      return startNative(name);
    case "wasm":
      return startWasm(threads);
    case "cpu":
      return startCpu();
  }
}

/**
 * Picks and starts the compute backend.
 *
 * @param choice "auto" (the default when CONVLAB_BACKEND is unset) tries
 *   tfjs-node-gpu (only with a CUDA device), tfjs-node, wasm, then cpu, and
 *   records why each faster one was passed over. "gpu", "node", "wasm" or
 *   "cpu" asks for exactly that one and throws BackendUnavailableError,
 *   saying how to get it, when it cannot start.
 * @returns what is now in use (a rich display in a notebook).
 */
export async function useBackend(
  choice: BackendChoice = parseBackendChoice(process.env.CONVLAB_BACKEND),
  options: UseBackendOptions = {},
): Promise<BackendInfo> {
  const requested = parseBackendChoice(choice, "useBackend()");
  const fromEnv = parseThreads(process.env.CONVLAB_THREADS, coreThreads());
  // The default follows a wasm backend already started (its thread count is fixed for the process).
  const threads = options.threads ?? fromEnv ?? wasmThreadsStarted ?? defaultThreads();
  const threadsReason =
    options.threads !== undefined
      ? "asked for with useBackend()"
      : fromEnv !== undefined
        ? `CONVLAB_THREADS=${process.env.CONVLAB_THREADS}` + (/auto/i.test(process.env.CONVLAB_THREADS ?? "") ? `: one per core this process may use, ${cpuShare().source}` : "")
        : `the default (faster for the lessons' small networks); CONVLAB_THREADS=auto (one per core this process may use, ${cpuShare().source}) or useBackend("wasm", { threads }) to change`;
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS) {
    throw new Error(`useBackend(): threads must be a whole number from 1 to ${MAX_THREADS}, got ${threads}.`);
  }
  const skipped: SkippedBackend[] = [];
  const order: BackendName[] = requested === "auto" ? ["gpu", "node", "wasm", "cpu"] : [requested];
  for (const name of order) {
    try {
      const why = await start(name, threads);
      started = {
        backend: name,
        requested,
        reason: requested === "auto" ? `auto: ${why}` : `asked for ${name}: ${why}`,
        skipped,
        threads: name === "wasm" ? (wasmThreadsStarted ?? 1) : 0,
        threadsReason: wasmThreadsStarted === threads ? threadsReason : "the count wasm started with in this process",
      };
      return backendInfo();
    } catch (error) {
      if (requested !== "auto") throw error;
      const reason = error instanceof BackendUnavailableError ? error.reason : firstLine(error);
      skipped.push({ backend: name, reason });
    }
  }
  throw new Error(
    "No compute backend could start: " + skipped.map((s) => `${s.backend}: ${s.reason}`).join("; ") + ".",
  );
}

/** Starts the backend from CONVLAB_BACKEND once, if nothing has yet. */
export async function ensureBackend(): Promise<BackendInfo> {
  if (started && tf.getBackend() === tfjsNameOf(started.backend)) return backendInfo();
  return useBackend();
}

/** tfjs's name for a convlab backend. */
export function tfjsNameOf(name: BackendName): string {
  return name === "gpu" || name === "node" ? "tensorflow" : name;
}

/**
 * What compute backend is in use, and why the faster ones are not: the
 * backend, threads, SIMD, versions, convlab's training kernels. Shows as a
 * table in a notebook. Before `useBackend()` has run, it describes tfjs's
 * current backend (if any).
 */
export function backendInfo(): BackendInfo {
  const tfjsBackend = tf.engine().backendName ?? null;
  const versions: Record<string, string> = { tfjs: tf.version.tfjs, "tfjs-backend-wasm": wasm.version_wasm };
  const nodeVersion = (tf.version as Record<string, string>)["tfjs-node"];
  if (nodeVersion) versions["tfjs-node"] = nodeVersion;
  let simd: boolean | null = null;
  if (tfjsBackend === "wasm") simd = tf.env().getBool("WASM_HAS_SIMD_SUPPORT");
  const ours = started && tfjsNameOf(started.backend) === tfjsBackend ? started : undefined;
  const backend: BackendName | null = ours?.backend ?? fromTfjsName(tfjsBackend);
  return new BackendInfo({
    backend,
    tfjsBackend,
    requested: ours?.requested ?? null,
    reason: ours?.reason ?? (tfjsBackend ? "started outside convlab (useBackend() was not called)" : "no backend started yet"),
    skipped: ours?.skipped ?? [],
    threads: backend === "wasm" ? (ours?.threads ?? safeThreadsCount()) : null,
    threadsReason: backend === "wasm" ? ours?.threadsReason : undefined,
    simd,
    trainingKernels: backend === "wasm" ? trainingKernels.map((k) => k.kernelName) : [],
    versions,
  });
}

function fromTfjsName(name: string | null): BackendName | null {
  if (name === "wasm" || name === "cpu") return name;
  if (name === "tensorflow") {
    const native = tf.backend() as unknown as { isUsingGpuDevice?: boolean };
    return native.isUsingGpuDevice ? "gpu" : "node";
  }
  return null;
}

function safeThreadsCount(): number | null {
  try {
    return wasm.getThreadsCount();
  } catch {
    return null;
  }
}
