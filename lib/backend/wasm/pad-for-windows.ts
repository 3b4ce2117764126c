/**
 * The padded copy of a convolution's input that the generated products
 * read their windows from (./conv2d's direct way, ./conv2d-backprop-filter).
 *
 * The wasm backend's Pad kernel goes element by element on one thread, and
 * typed-array copies into the threaded build's shared memory are slow too.
 * Here the borders are zeroed in JavaScript (a few floats per row) and the
 * rows copied by the generated addRow (with no bias: a copy), split across
 * the kernel threads.
 */
import * as tf from "@tensorflow/tfjs";
import { call, heapF32, WasmBackend } from "./kernel-calls";
import { splitOnThreads } from "./simd/parallel";
import { addressOf, simdKernels } from "./simd/runtime";

/**
 * The input padded with zeros so that every window of a convolution lies
 * inside it (the padding of `info`, plus whatever rows and columns the last
 * window reaches beyond the input). Returns `x` itself when none is needed;
 * the caller releases a copy.
 */
export function padForWindows(backend: WasmBackend, x: tf.TensorInfo, info: tf.backend_util.Conv2DInfo): tf.TensorInfo {
  const { inHeight, inWidth, outHeight, outWidth, filterHeight, filterWidth, strideHeight, strideWidth, padInfo } = info;
  const bottom = Math.max((outHeight - 1) * strideHeight + filterHeight - padInfo.top - inHeight, 0);
  const right = Math.max((outWidth - 1) * strideWidth + filterWidth - padInfo.left - inWidth, 0);
  const [top, left] = [Math.max(padInfo.top, 0), Math.max(padInfo.left, 0)];
  if (top === 0 && left === 0 && bottom === 0 && right === 0) return x;
  const [images, height, width, channels] = x.shape;
  if (x.dtype !== "float32" || width * channels < 4 || !simdKernels(backend)) {
    return call(tf.PadV2, backend, { x }, { paddings: [[0, 0], [top, bottom], [left, right], [0, 0]], constantValue: 0 });
  }
  const [paddedHeight, paddedWidth] = [height + top + bottom, width + left + right];
  const padded = backend.makeOutput([images, paddedHeight, paddedWidth, channels], "float32");
  zeroBorders(heapF32(backend, padded), images, [paddedHeight, paddedWidth, channels], [top, bottom, left, right]);
  const [from, to] = [addressOf(backend, x), addressOf(backend, padded)];
  const rowBytes = 4 * width * channels;
  // One addRow per input row: its own place in the padded image.
  splitOnThreads(backend, images * height, 1, 4 * images * height * width * channels, (first, count) =>
    Array.from({ length: count }, (_, i) => {
      const [n, h] = [Math.floor((first + i) / height), (first + i) % height];
      const target = to + ((n * paddedHeight + h + top) * paddedWidth + left) * 4 * channels;
      return ["addRow", from + (first + i) * rowBytes, 1, width * channels, 0, target, 0];
    }),
  );
  return padded;
}

/**
 * Zeros every float of the padded images outside the input's rows and
 * columns. Plain loops: a border is a few floats, and a fill() call per
 * border costs 6 times as much (vgg32's first layer here: 140 against 20 µs).
 */
function zeroBorders(to: Float32Array, images: number, [height, width, channels]: number[], [top, bottom, left, right]: number[]): void {
  const rowFloats = width * channels;
  const zero = (from: number, end: number) => {
    for (let i = from; i < end; i++) to[i] = 0;
  };
  for (let n = 0; n < images; n++) {
    const image = n * height * rowFloats;
    zero(image, image + top * rowFloats);
    zero(image + (height - bottom) * rowFloats, image + height * rowFloats);
    for (let h = top; h < height - bottom; h++) {
      const row = image + h * rowFloats;
      zero(row, row + left * channels);
      zero(row + (width - right) * channels, row + rowFloats);
    }
  }
}
