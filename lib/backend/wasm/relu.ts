/**
 * Relu for the wasm backend on the generated addRow pass (./simd/rows, no
 * bias): XNNPACK's, on the threaded build, wakes its own thread pool for
 * every call, which costs more than the pass over memory it shares out.
 * NaN stays NaN, as on the cpu backend. Tensors whose last axis is shorter
 * than four floats, and other dtypes, go to the wasm backend's kernel.
 */
import * as tf from "@tensorflow/tfjs";
import { WasmBackend, original, KernelArgs, wasmKernel } from "./kernel-calls";
import { addRowOnThreads } from "./simd/parallel";
import { addressOf, simdKernels } from "./simd/runtime";

/** "auto": the generated SIMD pass when available. Tests change it. */
export const reluMethod: { use: "auto" | "wasm" } = { use: "auto" };

export function relu(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as WasmBackend;
  const { x } = args.inputs as { x: tf.TensorInfo };
  const columns = x.shape[x.shape.length - 1] ?? 0;
  const simd = reluMethod.use === "auto" && x.dtype === "float32" && columns >= 4 ? simdKernels(backend) : null;
  if (!simd) return original(tf.Relu).kernelFunc(args as never) as tf.TensorInfo;
  const out = backend.makeOutput(x.shape, "float32");
  const rows = x.shape.slice(0, -1).reduce((p, d) => p * d, 1);
  addRowOnThreads(backend, addressOf(backend, x), rows, columns, 0, addressOf(backend, out), 1);
  return out;
}

export const reluConfig = wasmKernel(tf.Relu, relu);
