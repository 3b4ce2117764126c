/**
 * ReLU's gradient in one pass, from ReLU's output.
 *
 * tfjs computes it as dy * cast(step(x)) from ReLU's input x: a step tensor,
 * a cast and a multiply, and the input kept alive from the forward pass to
 * the backward one. y = relu(x) is above zero exactly where x is (and NaN
 * where x is), so the gradient can come from the output, which the next
 * layer keeps anyway: the pre-activation tensors (one per conv layer, tens
 * of MB at 64x64) are freed as soon as the layer's forward pass ends. That
 * holds for every backend; where a backend has convlab's ReluGrad kernel
 * (wasm, ./simd/relu-grad) the step and the multiply are one pass too.
 */
import * as tf from "@tensorflow/tfjs";
import { WasmBackend, heapF32, KernelArgs, wasmKernel } from "./kernel-calls";
import { streamOnThreads } from "./simd/parallel";
import { addressOf, simdKernels } from "./simd/runtime";

/** The kernel's name in tfjs's registry (convlab's own: tfjs has no ReLU-gradient kernel). */
export const RELU_GRAD = "ConvlabReluGrad";

/** "auto": the generated SIMD kernel when available. Tests change it. */
export const reluGradMethod: { use: "auto" | "javascript" } = { use: "auto" };

/** step(y) as the cpu backend's Step kernel computes it. */
function stepOf(y: number): number {
  return Number.isNaN(y) ? NaN : y > 0 ? 1 : 0;
}

/** dx = dy * step(y), float32 tensors of one shape on the wasm heap. */
export function reluGrad(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as WasmBackend;
  const { dy, y } = args.inputs as { dy: tf.TensorInfo; y: tf.TensorInfo };
  const dx = backend.makeOutput(y.shape, "float32");
  const size = y.shape.reduce((a, b) => a * b, 1);
  const simd = reluGradMethod.use === "auto" ? simdKernels(backend) : null;
  const vectors = simd ? size >> 2 : 0;
  if (vectors > 0) {
    const [dyAt, yAt, dxAt] = [dy, y, dx].map((t) => addressOf(backend, t));
    streamOnThreads(backend, vectors, 1, 4 * vectors, (first, count) => [["reluGrad", dyAt + 16 * first, yAt + 16 * first, dxAt + 16 * first, count]]);
  }
  const [g, v, out] = [dy, y, dx].map((t) => heapF32(backend, t));
  for (let i = 4 * vectors; i < size; i++) out[i] = g[i] * stepOf(v[i]);
  return dx;
}

export const reluGradConfig = wasmKernel(RELU_GRAD, reluGrad);

/** dy * step(y): convlab's kernel where the current backend has it, else tfjs's ops. */
export function reluGradient(dy: tf.Tensor, y: tf.Tensor): tf.Tensor {
  const fused = dy.dtype === "float32" && y.dtype === "float32" && tf.getKernel(RELU_GRAD, tf.getBackend()) !== undefined;
  if (fused) return tf.engine().runKernel(RELU_GRAD, { dy, y }) as tf.Tensor;
  return tf.mul(dy, tf.cast(tf.step(y), "float32"));
}

/** ReLU's gradient from its output (replaces tfjs's, which keeps the input). */
export const reluGradientConfig: tf.GradConfig = {
  kernelName: tf.Relu,
  outputsToSave: [true],
  gradFunc: (dy, saved) => {
    const [y] = saved;
    return { x: () => reluGradient(dy as tf.Tensor, y) };
  },
};

/** The gradient of the gradient (linear in dy; y only selects), for second derivatives. */
export const reluGradGradientConfig: tf.GradConfig = {
  kernelName: RELU_GRAD,
  inputsToSave: ["y"],
  gradFunc: (ddx, saved) => {
    const [y] = saved;
    return { dy: () => reluGradient(ddx as tf.Tensor, y), y: () => tf.zerosLike(y) };
  },
};

/** Puts both gradients in tfjs's gradient registry (for every backend). */
export function registerReluGradient(): void {
  tf.registerGradient(reluGradientConfig);
  tf.registerGradient(reluGradGradientConfig);
}
