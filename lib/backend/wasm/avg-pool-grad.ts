/**
 * AvgPoolGrad for the wasm backend, replacing its per-element search.
 *
 * One pass over the pooling windows on the wasm heap, spreading each window's
 * gradient evenly over the positions it covers. Like the cpu backend (and
 * TensorFlow), the share is 1 / (filter height × filter width).
 */
import * as tf from "@tensorflow/tfjs";
import { WasmBackend, heapF32, KernelArgs, wasmKernel } from "./kernel-calls";
import { forEachPoolWindow, poolWindowsInfo } from "./pool-windows";

export function avgPoolGrad(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as WasmBackend;
  const { dy, input } = args.inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const info = poolWindowsInfo(input.shape, args.attrs as unknown as tf.AvgPoolGradAttrs);
  const { inHeight, inWidth, inChannels: channels, filterHeight, filterWidth } = info;
  const share = 1 / (filterHeight * filterWidth);
  const dx = backend.makeOutput(input.shape, "float32");
  const g = heapF32(backend, dy);
  const out = heapF32(backend, dx);
  out.fill(0);
  const rowStride = inWidth * channels;
  const imageStride = inHeight * rowStride;
  const spread = new Float32Array(channels);
  forEachPoolWindow(info, (b, hStart, hEnd, wStart, wEnd, position) => {
    const gAt = position * channels;
    for (let c = 0; c < channels; c++) spread[c] = g[gAt + c] * share;
    for (let h = hStart; h < hEnd; h++) {
      for (let w = wStart; w < wEnd; w++) {
        const at = b * imageStride + h * rowStride + w * channels;
        for (let c = 0; c < channels; c++) out[at + c] += spread[c];
      }
    }
  });
  return dx;
}

export const avgPoolGradConfig = wasmKernel(tf.AvgPoolGrad, avgPoolGrad);
