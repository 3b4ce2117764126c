/**
 * Conv2D for the wasm backend on the generated SIMD product.
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
import { WasmBackend, original, padForWindows, release } from "./kernel-calls";
import { addressOf, rowTable, simdKernels } from "./simd/runtime";
import { winogradApplies, winogradConv2D } from "./winograd";

/** "auto": the generated SIMD kernel when available. Tests change it. */
export const conv2DMethod: { use: "auto" | "xnnpack" } = { use: "auto" };

export function conv2D(args: { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap; backend: unknown }): tf.TensorInfo {
  const backend = args.backend as WasmBackend;
  const { x, filter } = args.inputs as { x: tf.TensorInfo; filter: tf.TensorInfo };
  const { strides, pad, dataFormat, dilations, dimRoundingMode } = args.attrs as unknown as tf.Conv2DAttrs;
  const channelsLast = dataFormat == null || dataFormat === "NHWC";
  const undilated = dilations == null || (typeof dilations === "number" ? dilations === 1 : dilations.every((d) => d === 1));
  const simd = conv2DMethod.use === "auto" && channelsLast && undilated && x.dtype === "float32" ? simdKernels(backend) : null;
  if (!simd) return original(tf.Conv2D).kernelFunc(args as never) as tf.TensorInfo;

  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filter.shape as [number, number, number, number],
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    "channelsLast",
  );
  if (winogradApplies(info)) return winogradConv2D(backend, simd, x, filter, info);
  const { batchSize, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth, strideHeight, strideWidth } = info;
  const out = backend.makeOutput(info.outShape, "float32");
  const positions = batchSize * outHeight * outWidth;
  if (positions === 0 || outChannels === 0) return out;

  const images = padForWindows(backend, x, info);
  const [, height, width] = images.shape;
  const corners = rowTable(backend, positions, (p) => {
    const ow = p % outWidth;
    const oh = Math.floor(p / outWidth) % outHeight;
    const n = Math.floor(p / (outWidth * outHeight));
    return 4 * ((n * height + oh * strideHeight) * width + ow * strideWidth) * inChannels;
  });
  const outRows = rowTable(backend, positions, (p) => 4 * p * outChannels);
  simd.gemm(
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
  );
  release(backend, corners, outRows);
  if (images !== x) release(backend, images);
  return out;
}

export const conv2DConfig: tf.KernelConfig = {
  kernelName: tf.Conv2D,
  backendName: "wasm",
  kernelFunc: conv2D as unknown as tf.KernelFunc,
};
