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
import { padForWindows } from "./pad-for-windows";
import { channelsLastConvInfo, KernelArgs, WasmBackend, original, release, wasmKernel } from "./kernel-calls";
import { Job, runChunks } from "./simd/parallel";
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

/** Bytes of output a chunk of the direct product writes: small enough to stay in cache for the bias and ReLU pass after it. */
const DIRECT_CHUNK_BYTES = 128 * 1024;

/**
 * The convolution on the generated product: rows are output positions
 * (a table of each one's window corner in x, padded when it must be),
 * columns output channels, the sum over (kh, kw and ci together). Then
 * bias and ReLU when asked, chunk by chunk while the chunk is in cache.
 */
function direct(backend: WasmBackend, x: tf.TensorInfo, filter: tf.TensorInfo, info: tf.backend_util.Conv2DInfo, bias: tf.TensorInfo | null = null, relu = false): tf.TensorInfo {
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
  // one pointer (whole rows of fours: chunks are whole fours of rows too).
  const adjacent = inChannels === 1 && info.strideWidth === 1 && outWidth % 4 === 0;
  const [cornersAt, imagesAt, outRowsAt, outAt, filterAt] = [corners, images, outRows, out, filter].map((t) => addressOf(backend, t));
  const biasAt = bias ? addressOf(backend, bias) : 0;
  const rowBytes = 4 * outChannels;
  const work = positions * outChannels * filterHeight * filterWidth * inChannels;
  const rowsPerChunk = Math.max(4, Math.floor(DIRECT_CHUNK_BYTES / rowBytes / 4) * 4);
  runChunks(backend, Math.ceil(positions / rowsPerChunk), (chunk): Job => {
    const first = chunk * rowsPerChunk;
    const rows = Math.min(rowsPerChunk, positions - first);
    const job: Job = [[
      adjacent ? "gemmAdjacent" : "gemm",
      rows,
      outChannels,
      cornersAt + 4 * first,
      imagesAt,
      outRowsAt + 4 * first,
      outAt,
      0,
      filterAt,
      1, 0, 0,
      filterHeight,
      4 * width * inChannels,
      4 * filterWidth * inChannels * outChannels,
      filterWidth * inChannels,
      4,
      rowBytes,
    ]];
    if (bias || relu) job.push(["addRow", outAt + first * rowBytes, rows, outChannels, biasAt, outAt + first * rowBytes, relu ? 1 : 0]);
    return job;
  }, work);
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
 * ReLU go into the Winograd output transform, or into the direct product's
 * chunks. Other activations and PReLU go to the wasm backend's kernel.
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
  return direct(backend, x!, filter!, info, bias ?? null, relu);
}

export const conv2DConfig = wasmKernel(tf.Conv2D, conv2D);

export const fusedConv2DConfig = wasmKernel(tf.FusedConv2D, fusedConv2D);
