/**
 * Conv2D and FusedConv2D for the wasm backend on the generated SIMD kernels:
 * Winograd's for 3x3 and 5x5 stride 1 (./winograd), the direct product otherwise.
 *
 * XNNPACK caches its convolution by input and filter, so with a new input
 * every batch it builds and packs the operator again on every call. The
 * product here reads the input windows where they lie (a table with each
 * output position's window corner) and the filter as it is: rows are output
 * positions, columns output channels, the sum runs over (kh, kw and ci
 * together). Padding becomes a padded copy of the input. Dilated
 * convolutions and NCHW go to the wasm backend's own kernel.
 */
import * as tf from "@tensorflow/tfjs";
import { channelsLastConvInfo, KernelArgs, WasmBackend, original, padForWindows, release, wasmKernel } from "./kernel-calls";
import { addRowOnThreads, gemmOnThreads, KernelCall } from "./simd/parallel";
import { addressOf, evenRows, releaseRows, sharedRowTable, simdKernels, SimdKernels } from "./simd/runtime";
import { winogradApplies, winogradConv2D } from "./winograd";

/** "auto": the generated SIMD kernels when available. Tests change it. */
export const conv2DMethod: { use: "auto" | "xnnpack" } = { use: "auto" };

/** The convolution's geometry, or null when the generated kernels do not take it (NCHW, dilation, not float32). */
function simdConvInfo(x: tf.TensorInfo, filter: tf.TensorInfo, attrs: tf.Conv2DAttrs): tf.backend_util.Conv2DInfo | null {
  const { dataFormat, dilations } = attrs;
  const channelsLast = dataFormat == null || dataFormat === "NHWC";
  const undilated = dilations == null || (typeof dilations === "number" ? dilations === 1 : dilations.every((d) => d === 1));
  if (conv2DMethod.use !== "auto" || !channelsLast || !undilated || x.dtype !== "float32") return null;
  return channelsLastConvInfo(x.shape, filter.shape, attrs);
}

/**
 * A table (./simd/runtime rowTable) of the byte offset of each output
 * position's window corner in an input of `height` x `width` (already padded
 * so that every window lies inside it), for the first `positions` positions
 * in output order (image, row, column).
 */
export function windowCorners(backend: WasmBackend, positions: number, info: tf.backend_util.Conv2DInfo, height: number, width: number): tf.TensorInfo {
  const { inChannels, outHeight, outWidth, strideHeight, strideWidth } = info;
  const key = `corners ${[inChannels, outHeight, outWidth, strideHeight, strideWidth, height, width]}`;
  return sharedRowTable(backend, key, positions, (p) => {
    const ow = p % outWidth;
    const oh = Math.floor(p / outWidth) % outHeight;
    const n = Math.floor(p / (outWidth * outHeight));
    return 4 * ((n * height + oh * strideHeight) * width + ow * strideWidth) * inChannels;
  });
}

/**
 * The convolution on the generated product: rows are output positions
 * (a table of each one's window corner in x, padded when it must be),
 * columns output channels, the sum over (kh, kw and ci together).
 */
function direct(backend: WasmBackend, x: tf.TensorInfo, filter: tf.TensorInfo, info: tf.backend_util.Conv2DInfo): tf.TensorInfo {
  const { batchSize, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth } = info;
  const out = backend.makeOutput(info.outShape, "float32");
  const positions = batchSize * outHeight * outWidth;
  if (positions === 0 || outChannels === 0) return out;

  const images = padForWindows(backend, x, info);
  const [, height, width] = images.shape;
  const corners = windowCorners(backend, positions, info, height, width);
  const outRows = evenRows(backend, positions, 4 * outChannels);
  // One input channel, stride 1: the windows of four neighbours in an output
  // row start one float apart, so a register tile reads its four rows through
  // one pointer (whole rows of fours: the threads split rows in fours too).
  const adjacent = inChannels === 1 && info.strideWidth === 1 && outWidth % 4 === 0;
  const gemm: KernelCall = [
    adjacent ? "gemmAdjacent" : "gemm",
    positions,
    outChannels,
    addressOf(backend, corners),
    addressOf(backend, images),
    addressOf(backend, outRows),
    addressOf(backend, out),
    0,
    addressOf(backend, filter),
    1, 0, 0,
    filterHeight,
    4 * width * inChannels,
    4 * filterWidth * inChannels * outChannels,
    filterWidth * inChannels,
    4,
    4 * outChannels,
  ];
  gemmOnThreads(backend, [gemm], positions * outChannels * filterHeight * filterWidth * inChannels);
  releaseRows(backend, corners, outRows);
  if (images !== x) release(backend, images);
  return out;
}

/** The convolution, Winograd's way for 3x3 and 5x5 stride 1, else the direct way. */
function convolve(backend: WasmBackend, simd: SimdKernels, x: tf.TensorInfo, filter: tf.TensorInfo, info: tf.backend_util.Conv2DInfo): tf.TensorInfo {
  return winogradApplies(info) ? winogradConv2D(backend, simd, x, filter, info) : direct(backend, x, filter, info);
}

export function conv2D(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as WasmBackend;
  const { x, filter } = args.inputs as { x: tf.TensorInfo; filter: tf.TensorInfo };
  const info = simdConvInfo(x, filter, args.attrs as unknown as tf.Conv2DAttrs);
  const simd = info ? simdKernels(backend) : null;
  if (!info || !simd) return original(tf.Conv2D).kernelFunc(args as never) as tf.TensorInfo;
  return convolve(backend, simd, x, filter, info);
}

/**
 * FusedConv2D (convolution, bias, activation: what tfjs runs for a conv
 * layer outside training, and in training when there is no activation).
 * The wasm backend's is XNNPACK's, which packs the filter again for every
 * new input, and whose output clamp turns NaN into -Infinity. Here bias and
 * ReLU go into the Winograd output transform, or one pass after the direct
 * product. Other activations and PReLU go to the wasm backend's kernel.
 */
export function fusedConv2D(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as WasmBackend;
  const { x, filter, bias, preluActivationWeights } = args.inputs as Record<string, tf.TensorInfo | undefined>;
  const attrs = args.attrs as unknown as tf.FusedConv2DAttrs;
  const activation = attrs.activation ?? "linear";
  const info = simdConvInfo(x!, filter!, attrs as unknown as tf.Conv2DAttrs);
  const biasOk = bias == null || (bias.shape.length === 1 && bias.dtype === "float32" && info != null && bias.shape[0] === info.outChannels);
  const simd = info && biasOk && !preluActivationWeights && (activation === "linear" || activation === "relu") ? simdKernels(backend) : null;
  if (!info || !simd || info.outChannels < 4) return original(tf.FusedConv2D).kernelFunc(args as never) as tf.TensorInfo;
  const relu = activation === "relu";
  if (winogradApplies(info)) return winogradConv2D(backend, simd, x!, filter!, info, bias ?? null, relu);
  const y = direct(backend, x!, filter!, info);
  if (bias || relu) {
    const rows = info.batchSize * info.outHeight * info.outWidth;
    const yAt = addressOf(backend, y);
    addRowOnThreads(backend, yAt, rows, info.outChannels, bias ? addressOf(backend, bias) : 0, yAt, relu ? 1 : 0);
  }
  return y;
}

export const conv2DConfig = wasmKernel(tf.Conv2D, conv2D);

export const fusedConv2DConfig = wasmKernel(tf.FusedConv2D, fusedConv2D);
