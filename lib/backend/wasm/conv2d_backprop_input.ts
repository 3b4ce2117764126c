/**
 * Conv2DBackpropInput for the wasm backend, replacing its direct loop.
 *
 * The input gradient is the convolution of dy (with zeros inserted between
 * rows and columns when the forward stride is above 1, and padded by the
 * filter size less the forward padding) with the filter flipped in space and
 * with its in/out channels swapped. XNNPACK runs that as one fast GEMM.
 */
import * as tf from "@tensorflow/tfjs";
import {
  WasmBackend,
  call,
  conv2d,
  explicitPadding,
  release,
  requireChannelsLast,
  reshape,
  transpose,
} from "./kernel_calls";

/** dy with (stride - 1) zeros after every row and column: [N, OH*sh, OW*sw, C]. */
function insertZeros(backend: WasmBackend, dy: tf.TensorInfo, strideHeight: number, strideWidth: number): tf.TensorInfo {
  const [n, h, w, c] = dy.shape;
  const spread = reshape(backend, dy, [n, h, 1, w, 1, c]);
  const padded = call(tf.PadV2, backend, { x: spread }, {
    paddings: [
      [0, 0],
      [0, 0],
      [0, strideHeight - 1],
      [0, 0],
      [0, strideWidth - 1],
      [0, 0],
    ],
    constantValue: 0,
  });
  release(backend, spread);
  padded.shape = [n, h * strideHeight, w * strideWidth, c];
  return padded;
}

export function conv2DBackpropInput(args: {
  inputs: tf.NamedTensorInfoMap;
  attrs?: tf.NamedAttrMap;
  backend: unknown;
}): tf.TensorInfo {
  const backend = args.backend as WasmBackend;
  const { dy, filter } = args.inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = args.attrs as unknown as tf.Conv2DBackpropInputAttrs;
  requireChannelsLast("Conv2DBackpropInput", dataFormat);
  const info = tf.backend_util.computeConv2DInfo(
    inputShape as [number, number, number, number],
    filter.shape as [number, number, number, number],
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    "channelsLast",
  );
  const { inHeight, inWidth, outHeight, outWidth, filterHeight, filterWidth, strideHeight, strideWidth, padInfo } = info;

  const strided = strideHeight > 1 || strideWidth > 1;
  let gradient = strided ? insertZeros(backend, dy, strideHeight, strideWidth) : dy;
  // Padding that makes a stride-1 convolution of `gradient` come out at the
  // input's size. The zero insertion already added (stride - 1) zero rows at
  // the bottom and columns at the right.
  let top = filterHeight - 1 - padInfo.top;
  let left = filterWidth - 1 - padInfo.left;
  let bottom = inHeight + padInfo.top - (outHeight - 1) * strideHeight - 1 - (strideHeight - 1);
  let right = inWidth + padInfo.left - (outWidth - 1) * strideWidth - 1 - (strideWidth - 1);
  if (top < 0 || left < 0 || bottom < 0 || right < 0) {
    // Forward padding wider than the filter: crop the rows/columns that no
    // input position receives.
    const [n, h, w, c] = gradient.shape;
    const cropTop = Math.max(-top, 0);
    const cropLeft = Math.max(-left, 0);
    const cropped = call(tf.Slice, backend, { x: gradient }, {
      begin: [0, cropTop, cropLeft, 0],
      size: [n, h - cropTop - Math.max(-bottom, 0), w - cropLeft - Math.max(-right, 0), c],
    });
    if (gradient !== dy) release(backend, gradient);
    gradient = cropped;
    top = Math.max(top, 0);
    left = Math.max(left, 0);
    bottom = Math.max(bottom, 0);
    right = Math.max(right, 0);
  }

  const flipped = call(tf.Reverse, backend, { x: filter }, { dims: [0, 1] });
  const swapped = transpose(backend, flipped, [0, 1, 3, 2]); // [KH, KW, Co, Ci]
  release(backend, flipped);
  const dx = conv2d(backend, gradient, swapped, explicitPadding(top, bottom, left, right));
  release(backend, swapped);
  if (gradient !== dy) release(backend, gradient);
  return dx;
}

export const conv2DBackpropInputConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropInput,
  backendName: "wasm",
  kernelFunc: conv2DBackpropInput as unknown as tf.KernelFunc,
};
