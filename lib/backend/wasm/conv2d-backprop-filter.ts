/**
 * Conv2DBackpropFilter for the wasm backend, which has none.
 *
 * The filter gradient is itself a convolution: with the batch moved into the
 * channel position, dW[kh, kw, ci, co] = sum over (n, oh, ow) of
 * x[ci-th image][oh*s + kh, ow*s + kw][n] * dy[oh, ow][n, co], i.e. a
 * convolution of x (as [Ci, H, W, N]) with dy (as an [OH, OW, N, Co] filter)
 * dilated by the forward stride. XNNPACK runs that as one fast GEMM.
 */
import * as tf from "@tensorflow/tfjs";
import { padForWindows } from "./pad-for-windows";
import { WasmBackend, channelsLastConvInfo, conv2d, explicitPadding, heapF32, release, requireChannelsLast, transpose, call, KernelArgs, wasmKernel } from "./kernel-calls";
import { gemmOnThreads, KernelCall, kernelThreads, parallelWork, runChunks } from "./simd/parallel";
import { addressOf, evenRows, releaseRows, sharedRowTable, simdKernels, SimdKernels } from "./simd/runtime";
import { winogradApplies, winogradConv2DBackpropFilter } from "./winograd";

/**
 * The filter gradient with the generated SIMD product (./simd/gemm): rows
 * are the filter taps (kh, kw, ci), columns the output channels, and the
 * sum runs over (image, output row, output column), a few images at a time
 * so that their x and dy stay in cache. No transposes, nothing packed.
 */
function bySimdProduct(
  backend: WasmBackend,
  simd: SimdKernels,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
): tf.TensorInfo {
  const { batchSize, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth, strideHeight, strideWidth } = info;
  const images = padForWindows(backend, x, info);
  const [, height, width] = images.shape;
  const taps = filterHeight * filterWidth * inChannels;
  const tapRows = sharedRowTable(backend, `taps ${[inChannels, filterWidth, width]}`, taps, (m) => {
    const ci = m % inChannels;
    const kw = Math.floor(m / inChannels) % filterWidth;
    const kh = Math.floor(m / (inChannels * filterWidth));
    return 4 * ((kh * width + kw) * inChannels + ci);
  });
  const outRows = evenRows(backend, taps, 4 * outChannels);
  const dW = backend.makeOutput([filterHeight, filterWidth, inChannels, outChannels], "float32");
  const imageBytes = 4 * height * width * inChannels;
  const gradientBytes = 4 * outHeight * outWidth * outChannels;
  const perCall = Math.max(1, Math.min(batchSize, Math.floor(conv2DBackpropFilterMethod.chunkBytes / (imageBytes + gradientBytes))));
  const xAt = addressOf(backend, images);
  const dyAt = addressOf(backend, dy);
  const tapRowsAt = addressOf(backend, tapRows);
  const outRowsAt = addressOf(backend, outRows);
  const dWAt = addressOf(backend, dW);
  // One product per chunk of images, added into dW (or into `target`).
  const product = (first: number, target: number, accumulate: 0 | 1): KernelCall => [
    "gemm",
    taps,
    outChannels,
    tapRowsAt,
    xAt + first * imageBytes,
    outRowsAt,
    target,
    accumulate,
    dyAt + first * gradientBytes,
    Math.min(perCall, batchSize - first),
    imageBytes,
    gradientBytes,
    outHeight,
    4 * strideHeight * width * inChannels,
    4 * outWidth * outChannels,
    outWidth,
    4 * strideWidth * inChannels,
    4 * outChannels,
  ];
  const pieces = Math.ceil(batchSize / perCall);
  const threads = kernelThreads(backend);
  const work = taps * outChannels * batchSize * outHeight * outWidth;
  if (threads > 1 && pieces >= 2 * threads && work >= parallelWork.min) {
    // The threads split the images, each adding into a dW of its own (zero
    // if it runs none), then the dWs are summed: split by taps instead, a
    // first layer's few rows would have every thread stream all of dy.
    const dWFloats = taps * outChannels;
    const partial = backend.makeOutput([threads * dWFloats], "float32");
    heapF32(backend, partial).fill(0);
    const partialAt = addressOf(backend, partial);
    runChunks(backend, pieces, (piece, thread) => [product(piece * perCall, partialAt + 4 * thread * dWFloats, 1)]);
    simd.columnSums(partialAt, threads, dWFloats, threads, dWAt);
    release(backend, partial);
  } else {
    const calls = Array.from({ length: pieces }, (_, piece) => product(piece * perCall, dWAt, piece === 0 ? 0 : 1));
    gemmOnThreads(backend, calls, work);
  }
  releaseRows(backend, tapRows, outRows);
  if (images !== x) release(backend, images);
  return dW;
}

/**
 * Which way to compute ("auto": the SIMD way when the generated kernels are
 * available, else the XNNPACK convolution), and how many bytes of x and dy
 * the SIMD way takes at a time. Tests and benchmarks change these.
 */
export const conv2DBackpropFilterMethod: { use: "auto" | "simd" | "xnnpack"; chunkBytes: number } = {
  use: "auto",
  chunkBytes: 48 * 1024,
};

export function conv2DBackpropFilter(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as WasmBackend;
  const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const attrs = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  requireChannelsLast("Conv2DBackpropFilter", attrs.dataFormat);
  const { filterShape } = attrs;
  const info = channelsLastConvInfo(x.shape, filterShape, attrs);
  const { inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth } = info;
  const { strideHeight, strideWidth, padInfo, batchSize } = info;
  const use = conv2DBackpropFilterMethod.use;
  const simd = use === "xnnpack" ? null : simdKernels(backend);
  if (use === "simd" && !simd) throw new Error("Conv2DBackpropFilter: the SIMD kernels are not available on this wasm backend.");
  if (simd && x.dtype === "float32") {
    if (winogradApplies(info, "filter")) return winogradConv2DBackpropFilter(backend, simd, x, dy, info);
    return bySimdProduct(backend, simd, x, dy, info);
  }

  // Rows/columns of x the forward pass read beyond its bottom/right edge
  // (positive: padding; negative: x rows that no output used, cropped below).
  const bottom = (outHeight - 1) * strideHeight + filterHeight - padInfo.top - inHeight;
  const right = (outWidth - 1) * strideWidth + filterWidth - padInfo.left - inWidth;

  let images = transpose(backend, x, [3, 1, 2, 0]); // [Ci, H, W, N]
  if (bottom < 0 || right < 0) {
    const cropped = call(tf.Slice, backend, { x: images }, {
      begin: [0, 0, 0, 0],
      size: [inChannels, inHeight + Math.min(bottom, 0), inWidth + Math.min(right, 0), batchSize],
    });
    release(backend, images);
    images = cropped;
  }
  const gradientFilter = transpose(backend, dy, [1, 2, 0, 3]); // [OH, OW, N, Co]
  const perInputChannel = conv2d(
    backend,
    images,
    gradientFilter,
    explicitPadding(padInfo.top, Math.max(bottom, 0), padInfo.left, Math.max(right, 0)),
    [1, 1],
    [strideHeight, strideWidth],
  ); // [Ci, KH, KW, Co]
  release(backend, images, gradientFilter);
  const dW = transpose(backend, perInputChannel, [1, 2, 0, 3]);
  release(backend, perInputChannel);
  dW.shape = [filterHeight, filterWidth, inChannels, outChannels];
  return dW;
}

export const conv2DBackpropFilterConfig = wasmKernel(tf.Conv2DBackpropFilter, conv2DBackpropFilter);
