/**
 * MaxPoolGrad for the wasm backend, replacing its per-element search.
 *
 * One pass over the pooling windows, straight on the wasm heap. The forward
 * pass's output (each window's maximum) comes with the kernel's inputs, so
 * finding where the gradient goes is a comparison with it, not a search: the
 * first position in the window holding the maximum (as the cpu backend and
 * TensorFlow choose) gets it. The comparisons are branch-free (random data
 * would make branches mispredict half the time) and channels are the
 * innermost loop, so memory is read in order.
 */
import * as tf from "@tensorflow/tfjs";
import { WasmBackend, heapF32, KernelArgs, wasmKernel } from "./kernel-calls";
import { forEachPoolWindow, poolWindowsInfo, windowsTileInside } from "./pool-windows";
import { splitOnThreads } from "./simd/parallel";
import { addressOf, simdKernels } from "./simd/runtime";

/** "auto": the generated SIMD kernel for 2x2 windows when available. Tests change it. */
export const maxPoolGradMethod: { use: "auto" | "javascript" } = { use: "auto" };

export function maxPoolGrad(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as WasmBackend;
  const { dy, input, output } = args.inputs as { dy: tf.TensorInfo; input: tf.TensorInfo; output: tf.TensorInfo };
  const info = poolWindowsInfo(input.shape, args.attrs as unknown as tf.MaxPoolGradAttrs);
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth } = info;
  const { strideHeight, strideWidth, filterHeight, filterWidth, padInfo } = info;
  const dx = backend.makeOutput(input.shape, "float32");
  // Views made after makeOutput: allocation may grow (and so move) the heap.
  const x = heapF32(backend, input);
  const y = heapF32(backend, output);
  const g = heapF32(backend, dy);
  const out = heapF32(backend, dx);

  // Windows that tile the input without overlap or padding write each
  // position of dx at most once; otherwise contributions add up.
  const tiles =
    strideHeight === filterHeight && strideWidth === filterWidth && padInfo.top === 0 && padInfo.left === 0;
  const coversAll = tiles && outHeight * filterHeight === inHeight && outWidth * filterWidth === inWidth;
  const inside = windowsTileInside(info);
  if (!coversAll) out.fill(0);

  const rowStride = inWidth * channels;
  const imageStride = inHeight * rowStride;
  const simd = maxPoolGradMethod.use === "auto" ? simdKernels(backend) : null;
  if (simd && inside && filterHeight === 2 && filterWidth === 2 && channels >= 4) {
    const [xAt, yAt, dyAt, dxAt] = [input, output, dy, dx].map((t) => addressOf(backend, t));
    const [imageBytes, outImageBytes] = [4 * imageStride, 4 * outHeight * outWidth * channels];
    splitOnThreads(backend, batchSize, 1, 4 * batchSize * imageStride, (first, count) => [
      ["maxPoolGrad2x2", xAt + first * imageBytes, yAt + first * outImageBytes, dyAt + first * outImageBytes, dxAt + first * imageBytes, count, imageBytes, outHeight, outWidth, channels, 4 * rowStride],
    ]);
    return dx;
  }
  if (inside && filterHeight === 2 && filterWidth === 2) {
    // The usual 2x2 pooling, unrolled (3-4x faster than the general loop).
    let at = 0;
    for (let b = 0; b < batchSize; b++) {
      for (let oh = 0; oh < outHeight; oh++) {
        const row = b * imageStride + 2 * oh * rowStride;
        for (let ow = 0; ow < outWidth; ow++, at += channels) {
          const corner = row + 2 * ow * channels;
          for (let c = 0; c < channels; c++) {
            const p = corner + c;
            const max = y[at + c];
            const gradient = g[at + c];
            const first = +(x[p] === max);
            const second = +(x[p + channels] === max) & (first ^ 1);
            const third = +(x[p + rowStride] === max) & ((first | second) ^ 1);
            const fourth = +(x[p + rowStride + channels] === max) & ((first | second | third) ^ 1);
            out[p] = first * gradient;
            out[p + channels] = second * gradient;
            out[p + rowStride] = third * gradient;
            out[p + rowStride + channels] = fourth * gradient;
          }
        }
      }
    }
    return dx;
  }

  forEachPoolWindow(info, (b, hStart, hEnd, wStart, wEnd, position) => {
    const at = position * channels; // index into y and dy
    const corner = b * imageStride + hStart * rowStride + wStart * channels;
    for (let c = 0; c < channels; c++) {
      const max = y[at + c];
      const gradient = g[at + c];
      let free = 1; // 1 until the window's first maximum is found
      for (let h = hStart, row = corner + c; h < hEnd; h++, row += rowStride) {
        for (let w = wStart, p = row; w < wEnd; w++, p += channels) {
          const hit = +(x[p] === max) & free;
          free ^= hit;
          if (tiles) out[p] = hit * gradient;
          else out[p] += hit * gradient;
        }
      }
    }
  });
  return dx;
}

export const maxPoolGradConfig = wasmKernel(tf.MaxPoolGrad, maxPoolGrad);
