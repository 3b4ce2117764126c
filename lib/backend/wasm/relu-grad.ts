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
import { Job, parallelWork, runChunks, streamingPasses, streamOnThreads } from "./simd/parallel";
import { addressOf, simdKernels } from "./simd/runtime";
import { addBlockSums, BLOCK_ROWS, sum } from "./sum";

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

/** The kernel's name for ReLU's gradient with its column sums (convlab's own). */
export const RELU_GRAD_SUM = "ConvlabReluGradSum";

/** Blocks of BLOCK_ROWS rows in one chunk, when streaming passes are split across threads. */
const BLOCKS_PER_CHUNK = 16;

/**
 * [dx, sums]: dx = dy * step(y), and dx summed over every axis but the last
 * (a ReLU convolution's bias gradient) exactly as ./sum sums it, each block
 * of rows summed right after it is written, while it is still in cache:
 * one pass over memory instead of two.
 */
export function reluGradSum(args: KernelArgs): tf.TensorInfo[] {
  const backend = args.backend as WasmBackend;
  const { dy, y } = args.inputs as { dy: tf.TensorInfo; y: tf.TensorInfo };
  const channels = y.shape[y.shape.length - 1];
  const size = y.shape.reduce((a, b) => a * b, 1);
  const rows = size / channels;
  const simd = reluGradMethod.use === "auto" && channels >= 4 && size % 4 === 0 ? simdKernels(backend) : null;
  if (!simd) {
    const dx = reluGrad(args);
    const axis = y.shape.slice(0, -1).map((_, i) => i);
    return [dx, sum({ ...args, inputs: { x: dx }, attrs: { axis, keepDims: false } } as KernelArgs)];
  }
  const dx = backend.makeOutput(y.shape, "float32");
  const sums = backend.makeOutput([channels], "float32");
  const blocks = Math.ceil(rows / BLOCK_ROWS);
  const partial = backend.makeOutput([blocks, channels], "float32");
  const [dyAt, yAt, dxAt, partialAt] = [dy, y, dx, partial].map((t) => addressOf(backend, t));
  const rowBytes = 4 * channels;
  const blocksPerChunk = streamingPasses.split && 4 * size >= parallelWork.min ? BLOCKS_PER_CHUNK : blocks;
  runChunks(backend, Math.ceil(blocks / blocksPerChunk), (chunk): Job => {
    const job: Job = [];
    for (let b = chunk * blocksPerChunk; b < Math.min(blocks, (chunk + 1) * blocksPerChunk); b++) {
      const count = Math.min(BLOCK_ROWS, rows - b * BLOCK_ROWS);
      const at = b * BLOCK_ROWS * rowBytes;
      job.push(["reluGrad", dyAt + at, yAt + at, dxAt + at, (count * channels) / 4]);
      job.push(["columnSums", dxAt + at, count, channels, BLOCK_ROWS, partialAt + b * rowBytes]);
    }
    return job;
  });
  addBlockSums(backend, partial, blocks, channels, sums);
  return [dx, sums];
}

export const reluGradSumConfig = wasmKernel(RELU_GRAD_SUM, reluGradSum);

/** dy * step(y): convlab's kernel where the current backend has it, else tfjs's ops. */
export function reluGradient(dy: tf.Tensor, y: tf.Tensor): tf.Tensor {
  const fused = dy.dtype === "float32" && y.dtype === "float32" && tf.getKernel(RELU_GRAD, tf.getBackend()) !== undefined;
  if (fused) return tf.engine().runKernel(RELU_GRAD, { dy, y }) as tf.Tensor;
  return tf.mul(dy, tf.cast(tf.step(y), "float32"));
}

/**
 * ReLU's gradient dx from its output, and its sums over every axis but the
 * last (a bias gradient, when asked for): one pass for both where the
 * backend has convlab's kernel and no higher derivative is being recorded
 * (that kernel has no gradient of its own).
 */
export function reluGradientWithSums(dy: tf.Tensor, y: tf.Tensor): { dx: tf.Tensor; sums: () => tf.Tensor } {
  const fused = dy.dtype === "float32" && y.dtype === "float32" && tf.engine().state.gradientDepth === 0 && tf.getKernel(RELU_GRAD_SUM, tf.getBackend()) !== undefined;
  if (fused) {
    const [dx, sums] = tf.engine().runKernel(RELU_GRAD_SUM, { dy, y }) as tf.Tensor[];
    return { dx, sums: () => sums };
  }
  const dx = reluGradient(dy, y);
  return { dx, sums: () => tf.sum(dx, dx.shape.slice(0, -1).map((_, i) => i)) };
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
