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
import { WasmBackend, conv2d, explicitPadding, release, requireChannelsLast, transpose, call } from "./kernel_calls";

export function conv2DBackpropFilter(args: {
  inputs: tf.NamedTensorInfoMap;
  attrs?: tf.NamedAttrMap;
  backend: unknown;
}): tf.TensorInfo {
  const backend = args.backend as WasmBackend;
  const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  requireChannelsLast("Conv2DBackpropFilter", dataFormat);
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    "channelsLast",
  );
  const { inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth } = info;
  const { strideHeight, strideWidth, padInfo, batchSize } = info;

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

export const conv2DBackpropFilterConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: "wasm",
  kernelFunc: conv2DBackpropFilter as unknown as tf.KernelFunc,
};
