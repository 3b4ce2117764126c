/**
 * MaxPoolGrad for the wasm backend, replacing its per-element search.
 *
 * One pass over the pooling windows, straight on the wasm heap: each window's
 * gradient goes to the first position holding the window's maximum (as the
 * cpu backend and TensorFlow do). Channels are the innermost loop so that
 * memory is read in order.
 */
import * as tf from "@tensorflow/tfjs";
import { WasmBackend, heapF32 } from "./kernel_calls";

export function maxPoolGrad(args: { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap; backend: unknown }): tf.TensorInfo {
  const backend = args.backend as WasmBackend;
  const { dy, input } = args.inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = args.attrs as unknown as tf.MaxPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth } = info;
  const { strideHeight, strideWidth, filterHeight, filterWidth, padInfo } = info;
  const dx = backend.makeOutput(input.shape, "float32");
  // Views made after makeOutput: allocation may grow (and so detach) the heap.
  const x = heapF32(backend, input);
  const g = heapF32(backend, dy);
  const out = heapF32(backend, dx);
  out.fill(0);
  const best = new Float32Array(channels);
  const bestAt = new Int32Array(channels);
  const rowStride = inWidth * channels;
  const imageStride = inHeight * rowStride;
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
        if (hStart >= hEnd || wStart >= wEnd) continue;
        best.fill(-Infinity);
        bestAt.fill(-1);
        for (let h = hStart; h < hEnd; h++) {
          for (let w = wStart; w < wEnd; w++) {
            const at = image + h * rowStride + w * channels;
            for (let c = 0; c < channels; c++) {
              const v = x[at + c];
              // Strictly greater: the first maximum in the window wins.
              if (v > best[c]) {
                best[c] = v;
                bestAt[c] = at + c;
              }
            }
          }
        }
        for (let c = 0; c < channels; c++) {
          const at = bestAt[c];
          if (at >= 0) out[at] += g[gAt + c];
        }
      }
    }
  }
  return dx;
}

export const maxPoolGradConfig: tf.KernelConfig = {
  kernelName: tf.MaxPoolGrad,
  backendName: "wasm",
  kernelFunc: maxPoolGrad as unknown as tf.KernelFunc,
};
