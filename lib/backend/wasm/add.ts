/**
 * Add for the wasm backend, with a fast bias add.
 *
 * A layer's bias add is an NHWC tensor plus one value per channel; the wasm
 * backend's broadcasting Add walks it element by element. Here the generated
 * SIMD kernel adds the bias row to every position, four channels at a time.
 * Every other Add goes to the wasm backend's own kernel.
 */
import * as tf from "@tensorflow/tfjs";
import { WasmBackend, original, KernelArgs, wasmKernel } from "./kernel-calls";
import { addRowOnThreads } from "./simd/parallel";
import { addressOf, simdKernels } from "./simd/runtime";

/** "auto": the generated SIMD kernel for bias adds when available. Tests change it. */
export const addMethod: { use: "auto" | "wasm" } = { use: "auto" };

export function add(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as WasmBackend;
  const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  // Which input is the bias row (1-D, as long as the other's last axis).
  const isRowOf = (row: tf.TensorInfo, x: tf.TensorInfo) =>
    row.shape.length === 1 && x.shape.length >= 2 && row.shape[0] === x.shape[x.shape.length - 1];
  const bias = isRowOf(b, a) ? b : isRowOf(a, b) ? a : null;
  const x = bias === b ? a : b;
  const columns = bias?.shape[0] ?? 0;
  if (bias && addMethod.use === "auto" && a.dtype === "float32" && b.dtype === "float32" && columns >= 4) {
    const simd = simdKernels(backend);
    if (simd) {
      const out = backend.makeOutput(x.shape, "float32");
      const rows = x.shape.slice(0, -1).reduce((p, d) => p * d, 1);
      addRowOnThreads(backend, addressOf(backend, x), rows, columns, addressOf(backend, bias), addressOf(backend, out), 0);
      return out;
    }
  }
  return original(tf.Add).kernelFunc(args as never) as tf.TensorInfo;
}

export const addConfig = wasmKernel(tf.Add, add);
