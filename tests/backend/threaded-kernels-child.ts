/**
 * Run by threads.test in a separate Node process (the thread count is fixed
 * once wasm starts): starts wasm with 2 threads and cpu, runs convlab's
 * threaded kernels and two training steps of a small vgg on both, and prints one
 * JSON line: each comparison's relative error, and how many jobs ran on
 * worker threads.
 *
 *   node threaded-kernels-child.js
 */
import * as tf from "@tensorflow/tfjs";
import { useBackend } from "../../lib/backend";
import { jobCounts, parallelWork, streamingPasses, threadTimes, workerBusyMs } from "../../lib/backend/wasm/simd/parallel";
import { RELU_GRAD, RELU_GRAD_SUM } from "../../lib/backend/wasm/relu-grad";
import { winogradSettings } from "../../lib/backend/wasm/winograd";
import { trainStep } from "../../bench/support/lenet";
import { conv, dense, maxPool, sequential } from "../../lib/models";
import { randomValues, relativeError, runKernelOn, sizeOf } from "./compare-with-cpu";

type Inputs = Record<string, { shape: number[]; values: Float32Array }>;

let seed = 31000;
function input(shape: number[]): { shape: number[]; values: Float32Array } {
  return { shape, values: randomValues(sizeOf(shape), seed++) };
}

async function compare(kernel: string, inputs: Inputs, attrs: Record<string, unknown>): Promise<number> {
  const expected = await runKernelOn("cpu", kernel, inputs, attrs);
  const actual = await runKernelOn("wasm", kernel, inputs, attrs);
  if (actual.shape.join() !== expected.shape.join()) return Infinity;
  return relativeError(actual.values, expected.values);
}

/** tfjs's own ReLU gradient, dy * step(y), on the cpu backend. */
async function stockReluGradient(dy: Inputs[string], y: Inputs[string]): Promise<Float32Array> {
  await tf.setBackend("cpu");
  return tf.tidy(() => tf.mul(tf.tensor(dy.values, dy.shape), tf.cast(tf.step(tf.tensor(y.values, y.shape)), "float32")).dataSync() as Float32Array);
}

/** Every convolution kernel on one geometry (3x3 stride 1 goes the Winograd way, the rest the direct way). */
async function convolutions(errors: Record<string, number>, label: string, xShape: number[], filterShape: number[], stride: number, pad: "same" | "valid"): Promise<void> {
  const info = tf.backend_util.computeConv2DInfo(xShape as never, filterShape as never, stride, 1, pad);
  const x = input(xShape);
  const filter = input(filterShape);
  const dy = input(info.outShape);
  const bias = input([filterShape[3]]);
  errors[`Conv2D ${label}`] = await compare(tf.Conv2D, { x, filter }, { strides: stride, pad, dataFormat: "NHWC", dilations: 1 });
  errors[`FusedConv2D relu ${label}`] = await compare(tf.FusedConv2D, { x, filter, bias }, { strides: stride, pad, dataFormat: "NHWC", dilations: 1, activation: "relu" });
  errors[`Conv2DBackpropInput ${label}`] = await compare(tf.Conv2DBackpropInput, { dy, filter }, { strides: stride, pad, dataFormat: "NHWC", inputShape: xShape });
  errors[`Conv2DBackpropFilter ${label}`] = await compare(tf.Conv2DBackpropFilter, { x, dy }, { strides: stride, pad, dataFormat: "NHWC", filterShape });
}

/** A small vgg32: two blocks of two 3x3 convolutions (8 and 16 filters) and max-pooling, on 16x16x3. */
function smallVgg(): tf.LayersModel {
  const block = (filters: number) => [conv({ filters, kernel: 3, padding: "same", activation: "relu" }), conv({ filters, kernel: 3, padding: "same", activation: "relu" }), maxPool(2)];
  return sequential([...block(8), ...block(16), dense({ units: 32, activation: "relu" }), dense({ units: 10 })], { inputShape: [16, 16, 3], seed: 3, name: "small-vgg" });
}

/** Weights after two SGD steps of a small vgg on 4 images, on each backend; their relative errors. */
async function vggSteps(errors: Record<string, number>): Promise<void> {
  const x = randomValues(4 * 16 * 16 * 3, 5);
  const labels = [1, 4, 7, 9];
  const weights: Record<string, Float32Array[]> = {};
  for (const backend of ["cpu", "wasm"] as const) {
    await tf.setBackend(backend);
    const model = smallVgg();
    const optimizer = tf.train.sgd(0.05);
    const xs = tf.tensor4d(x, [4, 16, 16, 3]);
    const ys = tf.oneHot(tf.tensor1d(labels, "int32"), 10);
    for (let step = 0; step < 2; step++) trainStep(model, optimizer, xs, ys).dispose();
    weights[backend] = model.getWeights().map((w) => w.dataSync().slice() as Float32Array);
    tf.dispose([xs, ys]);
    model.dispose();
    optimizer.dispose();
  }
  weights.cpu.forEach((expected, i) => (errors[`small vgg weight ${i} after 2 steps`] = relativeError(weights.wasm[i], expected)));
}

async function main(): Promise<void> {
  await useBackend("cpu");
  const info = await useBackend("wasm", { threads: 2 });
  // Shapes a tenth of a training layer's and smaller: they split across the threads only below the default threshold.
  parallelWork.min = 1 << 18;
  const errors: Record<string, number> = {};
  for (const chunkFloats of [8192, 64]) {
    winogradSettings.chunkFloats = chunkFloats;
    const chunks = chunkFloats === 64 ? ", small chunks" : "";
    await convolutions(errors, `3x3 same 3x16x16x8 -> 12${chunks}`, [3, 16, 16, 8], [3, 3, 8, 12], 1, "same");
    await convolutions(errors, `3x3 valid 2x7x9x10 -> 13${chunks}`, [2, 7, 9, 10], [3, 3, 10, 13], 1, "valid");
  }
  winogradSettings.chunkFloats = 8192;
  await convolutions(errors, "5x5 valid 8x12x12x20 -> 50", [8, 12, 12, 20], [5, 5, 20, 50], 1, "valid");
  await convolutions(errors, "5x5 valid 8x28x28x1 -> 20 (one input channel: columns split by images)", [8, 28, 28, 1], [5, 5, 1, 20], 1, "valid");
  await convolutions(errors, "3x3 same stride 2 4x9x8x5 -> 7", [4, 9, 8, 5], [3, 3, 5, 7], 2, "same");
  await convolutions(errors, "3x3 same stride 2 8x17x17x8 -> 7 (split by images)", [8, 17, 17, 8], [3, 3, 8, 7], 2, "same");
  await convolutions(errors, "3x3 same 4x16x16x3 -> 32 (first layer: its filter gradient split by images)", [4, 16, 16, 3], [3, 3, 3, 32], 1, "same");
  await convolutions(errors, "5x5 valid 8x20x20x8 -> 32 (bias and ReLU split by rows)", [8, 20, 20, 8], [5, 5, 8, 32], 1, "valid");
  // Streaming kernels large enough to split (65,536 floats and more), split as they are by default.
  if (!streamingPasses.split) throw new Error("streaming passes are split by default");
  const big = [8, 32, 32, 8];
  errors["Relu 8x32x32x8"] = await compare(tf.Relu, { x: input(big) }, {});
  const reluDy = input(big);
  const reluY = input(big);
  reluY.values = reluY.values.map((v) => Math.max(v, 0));
  const stock = await stockReluGradient(reluDy, reluY);
  errors[`${RELU_GRAD} 8x32x32x8`] = relativeError(await runKernelOn("wasm", RELU_GRAD, { dy: reluDy, y: reluY }, {}).then((r) => r.values), stock);
  const [fusedDx, sums] = await Promise.all([0, 1].map(async (output) => (await runKernelOn("wasm", RELU_GRAD_SUM, { dy: reluDy, y: reluY }, {}, output)).values));
  errors[`${RELU_GRAD_SUM} 8x32x32x8: dx`] = relativeError(fusedDx, stock);
  errors[`${RELU_GRAD_SUM} 8x32x32x8: sums`] = relativeError(sums, (await runKernelOn("cpu", tf.Sum, { x: { shape: big, values: stock } }, { axis: [0, 1, 2], keepDims: false })).values);
  errors["Add bias 8x32x32x8"] = await compare(tf.Add, { a: input(big), b: input([8]) }, {});
  errors["Sum over leading axes 8x32x32x8"] = await compare(tf.Sum, { x: input(big) }, { axis: [0, 1, 2], keepDims: false });
  const pooled = input([8, 16, 16, 8]);
  const x = input(big);
  const y = await runKernelOn("cpu", tf.MaxPool, { x }, { filterSize: 2, strides: 2, pad: "valid" });
  errors["MaxPool 2x2 8x32x32x8"] = await compare(tf.MaxPool, { x }, { filterSize: 2, strides: 2, pad: "valid" });
  errors["MaxPoolGrad 2x2 8x32x32x8"] = await compare(tf.MaxPoolGrad, { dy: pooled, input: x, output: y }, { filterSize: 2, strides: 2, pad: "valid" });
  // [16, 1100, 300]: the reduction in blocks; [1100, 64, 40]: Aᵀ·B with A moved first; [8, 40, 1100]: A·Bᵀ's tall result moved (both by the generated transpose).
  for (const [m, k, n] of [[64, 300, 40], [5, 7, 9], [33, 64, 10], [16, 1100, 300], [1100, 64, 40], [8, 40, 1100]]) {
    for (const transposeA of [false, true]) {
      for (const transposeB of [false, true]) {
        const a = input(transposeA ? [k, m] : [m, k]);
        const b = input(transposeB ? [n, k] : [k, n]);
        errors[`BatchMatMul ${m}x${k}x${n}${transposeA ? " Aᵀ" : ""}${transposeB ? " Bᵀ" : ""}`] = await compare(tf.BatchMatMul, { a, b }, { transposeA, transposeB });
      }
    }
  }
  await vggSteps(errors);
  console.log(JSON.stringify({ threads: info.threads, errors, jobCounts, threadTimes, workerBusyMs: workerBusyMs() }));
}

main().catch((error) => {
  console.log(JSON.stringify({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) }));
  process.exitCode = 1;
});
