/**
 * Sum over leading axes for the wasm backend (the bias gradients).
 *
 * Summing an NHWC gradient over N, H and W, as every bias gradient does, makes
 * the wasm backend transpose the whole tensor first (it reduces only
 * innermost axes). One pass on the wasm heap adds the rows up in place.
 * Other reductions go to the wasm backend's own kernel.
 */
import * as tf from "@tensorflow/tfjs";
import { WasmBackend, heapF32, original } from "./kernel_calls";

export function sum(args: { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap; backend: unknown }): tf.TensorInfo {
  const backend = args.backend as WasmBackend;
  const { x } = args.inputs as { x: tf.TensorInfo };
  const { axis, keepDims } = args.attrs as unknown as tf.SumAttrs;
  const axes = tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
  const leading = axes.length > 0 && axes.length < x.shape.length && axes.every((a, i) => a === i);
  if (x.dtype !== "float32" || !leading) return original(tf.Sum).kernelFunc(args as never) as tf.TensorInfo;

  const kept = x.shape.slice(axes.length);
  const rowLength = kept.reduce((a, b) => a * b, 1);
  const rows = x.shape.slice(0, axes.length).reduce((a, b) => a * b, 1);
  const outShape = keepDims ? [...axes.map(() => 1), ...kept] : kept;
  const out = backend.makeOutput(outShape, "float32");
  const values = heapF32(backend, x);
  const totals = new Float64Array(rowLength);
  for (let r = 0, at = 0; r < rows; r++) {
    for (let j = 0; j < rowLength; j++, at++) totals[j] += values[at];
  }
  heapF32(backend, out).set(totals);
  return out;
}

export const sumConfig: tf.KernelConfig = {
  kernelName: tf.Sum,
  backendName: "wasm",
  kernelFunc: sum as unknown as tf.KernelFunc,
};
