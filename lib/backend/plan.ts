/**
 * Which compute backend convlab expects to use, worked out cheaply.
 *
 * The kernel calls `planBackend()` for its start-up banner, so this file
 * must not import tfjs (or anything heavy): it only reads environment
 * variables and asks Node whether packages resolve. The real choice is made
 * by `useBackend()` in ./select, which loads the modules and can still fall
 * back (for instance when tfjs-node-gpu loads but finds no CUDA device).
 */
import { existsSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { cpuShare } from "./cpu-share";

/** A compute backend convlab can run on. */
export type BackendName = "gpu" | "node" | "wasm" | "cpu";
/** What a user may ask for: a backend, or "auto" for the fastest that works. */
export type BackendChoice = BackendName | "auto";

export const BACKEND_NAMES: readonly BackendName[] = ["gpu", "node", "wasm", "cpu"];
export const BACKEND_CHOICES: readonly BackendChoice[] = ["auto", ...BACKEND_NAMES];

/** The npm package behind each backend. */
export const BACKEND_PACKAGES: Record<BackendName, string> = {
  gpu: "@tensorflow/tfjs-node-gpu",
  node: "@tensorflow/tfjs-node",
  wasm: "@tensorflow/tfjs-backend-wasm",
  cpu: "@tensorflow/tfjs-backend-cpu",
};

/** How to get a backend that is missing. */
export const HOW_TO_GET: Record<BackendName, string> = {
  gpu:
    "run `npm run setup:gpu` on a machine with an NVIDIA GPU, CUDA 11.2 and cuDNN 8.1 " +
    "that can reach the libtensorflow download host (or give it a local copy: `npm run setup:gpu -- --help`)",
  node:
    "run `npm run setup:native` on a machine that can reach the libtensorflow download host " +
    "(or give it a local copy: `npm run setup:native -- --help`)",
  wasm: "reinstall convlab's dependencies (`npm ci`): @tensorflow/tfjs-backend-wasm ships with convlab",
  cpu: "reinstall convlab's dependencies (`npm ci`): @tensorflow/tfjs ships with convlab",
};

/** Why a backend was passed over. */
export interface SkippedBackend {
  backend: BackendName;
  reason: string;
}

/** The backend convlab expects to use, and why. */
export interface BackendPlan {
  /** What was asked for (CONVLAB_BACKEND, default "auto"). */
  requested: BackendChoice;
  /** The backend expected. */
  backend: BackendName;
  /** One sentence: why this backend. */
  reason: string;
  /** Faster backends passed over, with the reason. */
  skipped: SkippedBackend[];
  /** wasm threads: CONVLAB_THREADS ("auto": the cores this process may use, see ./cpu-share), else 1. */
  threads: number;
}

/** What planBackend looks at; tests pass fakes. */
export interface PlanInputs {
  /** Environment variables (default: process.env). */
  env?: Record<string, string | undefined>;
  /** Whether a package can be loaded (default: require.resolve succeeds). */
  isInstalled?: (pkg: string) => boolean;
  /** Whether tfjs-node(-gpu)'s native binding was built (default: a lib/napi-vN/tfjs_binding.node exists). */
  hasNativeBinding?: (pkg: string) => boolean;
  /** Whether an NVIDIA driver is visible (default: /proc/driver/nvidia/version or /dev/nvidia0 exists). */
  hasNvidiaDriver?: () => boolean;
}

function defaultIsInstalled(pkg: string): boolean {
  try {
    require.resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

/**
 * tfjs-node(-gpu) installs its JavaScript before its install script builds or
 * downloads the native binding; without the binding it cannot load.
 */
function defaultHasNativeBinding(pkg: string): boolean {
  try {
    const lib = join(dirname(require.resolve(`${pkg}/package.json`)), "lib");
    return readdirSync(lib).some((d) => d.startsWith("napi-v") && existsSync(join(lib, d, "tfjs_binding.node")));
  } catch {
    return false;
  }
}

function defaultHasNvidiaDriver(): boolean {
  return existsSync("/proc/driver/nvidia/version") || existsSync("/dev/nvidia0");
}

/**
 * Parses CONVLAB_BACKEND. Empty or unset means "auto"; anything else must be
 * one of auto, gpu, node, wasm, cpu (case-insensitive).
 */
export function parseBackendChoice(value: string | undefined, source = "CONVLAB_BACKEND"): BackendChoice {
  const text = (value ?? "").trim().toLowerCase();
  if (text === "") return "auto";
  if ((BACKEND_CHOICES as readonly string[]).includes(text)) return text as BackendChoice;
  throw new Error(
    `${source}="${value}" is not a backend convlab knows. Use one of: ${BACKEND_CHOICES.join(", ")} ` +
      `(auto picks the fastest that works here).`,
  );
}

/** Most threads the wasm backend takes. */
export const MAX_THREADS = 8;

/**
 * The default thread count: one. Measured on a 2-core machine, lesson 5's
 * small CNNs ran in JupyterLab in 171 s with 2 threads (175 s of CPU) and in
 * 121 s with one (106 s of CPU):
 * splitting small kernels costs more than it saves, and a lab server's
 * learners share the cores anyway. Larger networks (bench cnn's vgg32/vgg64)
 * gain from more: CONVLAB_THREADS=auto or N.
 */
export function defaultThreads(): number {
  return 1;
}

/** One thread per core this process may use (its CPUs, cgroup quota and CPU_LIMIT: ./cpu-share), at most MAX_THREADS: what "auto" means. */
export function coreThreads(): number {
  return Math.min(MAX_THREADS, cpuShare().threads);
}

/**
 * Parses CONVLAB_THREADS, the number of threads for the wasm backend.
 * Unset means the default (undefined here); "auto" means `cores`.
 */
export function parseThreads(value: string | undefined, cores: number, source = "CONVLAB_THREADS"): number | undefined {
  const text = (value ?? "").trim().toLowerCase();
  if (text === "") return undefined;
  if (text === "auto") return Math.min(MAX_THREADS, Math.max(1, cores));
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > MAX_THREADS) {
    throw new Error(`${source}="${value}" must be a whole number from 1 to ${MAX_THREADS}, or "auto" (one thread per core this process may use).`);
  }
  return n;
}

/**
 * The backend convlab expects to use, from CONVLAB_BACKEND (default "auto")
 * and which packages are installed, without loading tfjs. `auto` prefers
 * tfjs-node-gpu (when an NVIDIA driver is visible), then tfjs-node, then the
 * embedded wasm backend, then cpu.
 */
export function planBackend(inputs: PlanInputs = {}): BackendPlan {
  const env = inputs.env ?? process.env;
  const isInstalled = inputs.isInstalled ?? defaultIsInstalled;
  const hasNvidiaDriver = inputs.hasNvidiaDriver ?? defaultHasNvidiaDriver;
  const hasNativeBinding = inputs.hasNativeBinding ?? defaultHasNativeBinding;
  const requested = parseBackendChoice(env.CONVLAB_BACKEND);
  const threads = parseThreads(env.CONVLAB_THREADS, coreThreads()) ?? defaultThreads();

  const skipped: SkippedBackend[] = [];
  const availability = (name: BackendName): string | null => {
    const pkg = BACKEND_PACKAGES[name];
    if (!isInstalled(pkg)) return `${pkg} is not installed: ${HOW_TO_GET[name]}`;
    if ((name === "gpu" || name === "node") && !hasNativeBinding(pkg)) {
      return `${pkg} is installed but its native binding is missing (its install script did not finish): ${HOW_TO_GET[name]}`;
    }
    if (name === "gpu" && !hasNvidiaDriver()) return "no NVIDIA driver found (no /proc/driver/nvidia/version)";
    return null;
  };

  if (requested !== "auto") {
    const problem = availability(requested);
    return {
      requested,
      backend: requested,
      reason: problem
        ? `CONVLAB_BACKEND=${requested} was asked for, but ${problem}`
        : `CONVLAB_BACKEND=${requested} was asked for`,
      skipped,
      threads,
    };
  }
  for (const name of BACKEND_NAMES) {
    const problem = availability(name);
    if (problem == null) {
      const why =
        name === "wasm"
          ? "the embedded WebAssembly backend (XNNPACK, SIMD) with convlab's training kernels"
          : name === "cpu"
            ? "the plain JavaScript backend (slow: the wasm backend is missing)"
            : `${BACKEND_PACKAGES[name]} is installed`;
      return { requested, backend: name, reason: `auto: ${why}`, skipped, threads };
    }
    skipped.push({ backend: name, reason: problem });
  }
  return { requested, backend: "cpu", reason: "auto: nothing else is available", skipped, threads };
}

/** One line for a banner, e.g. "backend: wasm (auto: ...; not gpu: ...; not node: ...)". */
export function describePlan(plan: BackendPlan): string {
  const threads = plan.backend === "wasm" && plan.threads && plan.threads > 1 ? `, ${plan.threads} threads` : "";
  const passed = plan.skipped.map((s) => `not ${s.backend}: ${s.reason}`);
  return `backend: ${plan.backend}${threads} (${[plan.reason, ...passed].join("; ")})`;
}
