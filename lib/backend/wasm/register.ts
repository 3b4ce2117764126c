/**
 * Registers convlab's training kernels for the wasm backend.
 */
import * as tf from "@tensorflow/tfjs";
import { rememberOriginal } from "./kernel-calls";
import { addConfig } from "./add";
import { avgPoolGradConfig } from "./avg-pool-grad";
import { batchMatMulConfig } from "./batch-mat-mul";
import { conv2DConfig, fusedConv2DConfig } from "./conv2d";
import { conv2DBackpropFilterConfig } from "./conv2d-backprop-filter";
import { conv2DBackpropInputConfig } from "./conv2d-backprop-input";
import { castConfig, identityConfig } from "./identity";
import { maxPoolGradConfig } from "./max-pool-grad";
import { avgPoolConfig, maxPoolConfig } from "./pool";
import { reluConfig } from "./relu";
import { registerFusedConv2dGradient } from "./fused-conv-gradient";
import { registerReluGradient, reluGradConfig, reluGradSumConfig } from "./relu-grad";
import { sumConfig } from "./sum";

/** Our kernels, in the order they were added. */
export const trainingKernels: readonly tf.KernelConfig[] = [
  conv2DBackpropFilterConfig,
  conv2DBackpropInputConfig,
  batchMatMulConfig,
  maxPoolGradConfig,
  avgPoolGradConfig,
  identityConfig,
  castConfig,
  sumConfig,
  addConfig,
  conv2DConfig,
  fusedConv2DConfig,
  maxPoolConfig,
  avgPoolConfig,
  reluGradConfig,
  reluConfig,
  reluGradSumConfig,
];

const OURS = Symbol.for("convlab.trainingKernel");

function isOurs(config: tf.KernelConfig | undefined): boolean {
  return !!config && (config as unknown as Record<symbol, unknown>)[OURS] === true;
}

/**
 * Puts convlab's kernels in tfjs's kernel registry for the wasm backend
 * (replacing the wasm backend's own where it has one). Safe to call many
 * times, before or after the backend starts.
 */
export function registerWasmTrainingKernels(): void {
  registerReluGradient();
  registerFusedConv2dGradient();
  for (const config of trainingKernels) {
    const existing = tf.getKernel(config.kernelName, "wasm");
    if (isOurs(existing)) continue;
    const replaced = rememberOriginal(config.kernelName);
    const ours: tf.KernelConfig = {
      ...config,
      // The engine runs setup only for kernels registered when the backend
      // starts; the one we replace still needs its setup (it binds its wasm
      // function), and ours calls it.
      setupFunc: replaced?.setupFunc,
      disposeFunc: replaced?.disposeFunc,
    };
    (ours as unknown as Record<symbol, unknown>)[OURS] = true;
    if (existing) tf.unregisterKernel(config.kernelName, "wasm");
    tf.registerKernel(ours);
  }
}

/** Puts the wasm backend's own kernels back (for comparisons and benchmarks). */
export function unregisterWasmTrainingKernels(): void {
  for (const config of trainingKernels) {
    const existing = tf.getKernel(config.kernelName, "wasm");
    if (!isOurs(existing)) continue;
    tf.unregisterKernel(config.kernelName, "wasm");
    const replaced = rememberOriginal(config.kernelName);
    if (replaced) tf.registerKernel(replaced);
  }
}
