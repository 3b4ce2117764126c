/**
 * AvgPoolGrad for the wasm backend, replacing its per-element search.
 *
 * One pass over the pooling windows on the wasm heap, spreading each window's
 * gradient evenly over the positions it covers. Like the cpu backend (and
 * TensorFlow), the share is 1 / (filter height × filter width).
 */
import * as tf from "@tensorflow/tfjs";
import { WasmBackend, heapF32 } from "./kernel-calls";

export function avgPoolGrad(args: { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap; backend: unknown }): tf.TensorInfo {
  const backend = args.backend as WasmBackend;
  const { dy, input } = args.inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const { filterSize, strides, pad } = args.attrs as unknown as tf.AvgPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
  );
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth } = info;
  const { strideHeight, strideWidth, filterHeight, filterWidth, padInfo } = info;
  const share = 1 / (filterHeight * filterWidth);
  const dx = backend.makeOutput(input.shape, "float32");
  const g = heapF32(backend, dy);
  const out = heapF32(backend, dx);
  out.fill(0);
  const rowStride = inWidth * channels;
  const imageStride = inHeight * rowStride;
  const spread = new Float32Array(channels);
  let gAt = 0;
  for (let b = 0; b < batchSize; b++) {
    const image = b * imageStride;
    for (let oh = 0; oh < outHeight; oh++) {
      const h0 = oh * strideHeight - padInfo.top;
      const hStart = Math.max(h0, 0);
      const hEnd = Math.min(h0 + filterHeight, inHeight);
      for (let ow = 0; ow < outWidth; ow++, gAt += channels) {
        const w0 = ow * strideWidth - padInfo.left;
        const wStart = Math.max(w0, 0);
        const wEnd = Math.min(w0 + filterWidth, inWidth);
        for (let c = 0; c < channels; c++) spread[c] = g[gAt + c] * share;
        for (let h = hStart; h < hEnd; h++) {
          for (let w = wStart; w < wEnd; w++) {
            const at = image + h * rowStride + w * channels;
            for (let c = 0; c < channels; c++) out[at + c] += spread[c];
          }
        }
      }
    }
  }
  return dx;
}

export const avgPoolGradConfig: tf.KernelConfig = {
  kernelName: tf.AvgPoolGrad,
  backendName: "wasm",
  kernelFunc: avgPoolGrad as unknown as tf.KernelFunc,
};
