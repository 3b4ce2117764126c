/**
 * 3x3 stride-1 convolutions by Winograd's F(2x2, 3x3) on the generated SIMD
 * kernels (./simd/winograd for the transforms, ./simd/gemm for the 16
 * products): 2.25 times fewer multiply-adds than the direct way, for the
 * forward pass, the input gradient (the same convolution of dy with the
 * filter turned by 180 degrees and its channels swapped) and the filter
 * gradient.
 *
 * Tiles go in chunks small enough that a chunk's transformed tiles stay in
 * the cache between the transform, the products and the inverse transform.
 */
import * as tf from "@tensorflow/tfjs";
import { WasmBackend, release, transpose } from "./kernel-calls";
import { addressOf, rowTable, SimdKernels } from "./simd/runtime";

/**
 * "auto": Winograd for every 3x3 stride-1 undilated convolution with at
 * least `minChannels` input and output channels; "off": never. `chunkFloats`
 * bounds a chunk's transformed tiles (tiles x the larger channel count).
 * Tests and benchmarks change these.
 */
export const winogradSettings: { use: "auto" | "off"; minChannels: number; chunkFloats: number } = {
  use: "auto",
  minChannels: 8,
  chunkFloats: 8192,
};

/** Whether a convolution (as computeConv2DInfo describes it) goes the Winograd way. */
export function winogradApplies(info: tf.backend_util.Conv2DInfo): boolean {
  return (
    winogradSettings.use === "auto" &&
    info.filterHeight === 3 &&
    info.filterWidth === 3 &&
    info.strideHeight === 1 &&
    info.strideWidth === 1 &&
    info.dilationHeight === 1 &&
    info.dilationWidth === 1 &&
    Math.min(info.inChannels, info.outChannels) >= Math.max(4, winogradSettings.minChannels)
  );
}

/** Where a stride-1 3x3 convolution's tiles lie. */
interface Tiling {
  images: number;
  outHeight: number;
  outWidth: number;
  tilesAcross: number;
  tilesPerImage: number;
  total: number;
  /** Tiles per chunk (a multiple of 4, so the products use their 4-row tiles). */
  chunk: number;
}

function tiling(images: number, outHeight: number, outWidth: number, widestChannels: number): Tiling {
  const tilesAcross = Math.ceil(outWidth / 2);
  const tilesPerImage = tilesAcross * Math.ceil(outHeight / 2);
  const total = images * tilesPerImage;
  const fit = Math.max(4, Math.floor(winogradSettings.chunkFloats / widestChannels / 4) * 4);
  return { images, outHeight, outWidth, tilesAcross, tilesPerImage, total, chunk: Math.min(fit, Math.ceil(total / 4) * 4) };
}

/**
 * Bytes between the planes of a chunk's transformed tiles: at least `bytes`,
 * an odd number of cache lines, so that the 16 planes a transform reads or
 * writes together fall in different sets of the L1 cache (planes a power of
 * two apart would all compete for one set).
 */
function planeBytes(bytes: number): number {
  const lines = Math.ceil(bytes / 64);
  return 64 * (lines % 2 === 0 ? lines + 1 : lines);
}

/**
 * The convolution of x [N, H, W, Ci] with a filter already transformed to
 * 16 planes [Ci][Co] (`u`), output [N, outHeight, outWidth, Co], plus bias
 * (a [Co] tensor, or null) and ReLU when asked.
 */
function convolveTransformed(
  backend: WasmBackend,
  simd: SimdKernels,
  x: tf.TensorInfo,
  u: tf.TensorInfo,
  outChannels: number,
  outHeight: number,
  outWidth: number,
  padTop: number,
  padLeft: number,
  bias: tf.TensorInfo | null,
  relu: boolean,
): tf.TensorInfo {
  const [images, height, width, inChannels] = x.shape;
  const t = tiling(images, outHeight, outWidth, Math.max(inChannels, outChannels));
  const y = backend.makeOutput([images, outHeight, outWidth, outChannels], "float32");
  if (t.total === 0) return y;
  const vPlane = planeBytes(4 * t.chunk * inChannels);
  const mPlane = planeBytes(4 * t.chunk * outChannels);
  const v = backend.makeOutput([4 * vPlane], "float32");
  const m = backend.makeOutput([4 * mPlane], "float32");
  const rowsA = rowTable(backend, t.chunk, (i) => 4 * i * inChannels);
  const rowsC = rowTable(backend, t.chunk, (i) => 4 * i * outChannels);
  const [xAt, uAt, vAt, mAt, yAt] = [x, u, v, m, y].map((info) => addressOf(backend, info));
  const rowsAAt = addressOf(backend, rowsA);
  const rowsCAt = addressOf(backend, rowsC);
  const biasAt = bias ? addressOf(backend, bias) : 0;
  const uPlane = 4 * inChannels * outChannels;
  for (let first = 0; first < t.total; first += t.chunk) {
    const count = Math.min(t.chunk, t.total - first);
    simd.winogradInput(xAt, height, width, inChannels, padTop, padLeft, t.tilesAcross, t.tilesPerImage, first, count, vAt, vPlane);
    for (let xi = 0; xi < 16; xi++) {
      simd.gemm(count, outChannels, rowsAAt, vAt + xi * vPlane, rowsCAt, mAt + xi * mPlane, 0, uAt + xi * uPlane, 1, 0, 0, 1, 0, 0, inChannels, 4, 4 * outChannels);
    }
    simd.winogradOutput(mAt, mPlane, first, count, outChannels, biasAt, relu ? 1 : 0, yAt, outHeight, outWidth, t.tilesAcross, t.tilesPerImage);
  }
  release(backend, v, m, rowsA, rowsC);
  return y;
}

/** The forward convolution (with bias and ReLU fused when given). */
export function winogradConv2D(
  backend: WasmBackend,
  simd: SimdKernels,
  x: tf.TensorInfo,
  filter: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
  bias: tf.TensorInfo | null = null,
  relu = false,
): tf.TensorInfo {
  const { inChannels, outChannels } = info;
  const u = backend.makeOutput([16 * inChannels * outChannels], "float32");
  simd.winogradFilter(addressOf(backend, filter), inChannels, outChannels, 0, addressOf(backend, u));
  const y = convolveTransformed(backend, simd, x, u, outChannels, info.outHeight, info.outWidth, info.padInfo.top, info.padInfo.left, bias, relu);
  release(backend, u);
  return y;
}

/**
 * The input gradient: dy convolved with the filter turned by 180 degrees,
 * in and out channels swapped, padded so that the output is x's size.
 */
export function winogradConv2DBackpropInput(
  backend: WasmBackend,
  simd: SimdKernels,
  dy: tf.TensorInfo,
  filter: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
): tf.TensorInfo {
  const { inChannels, outChannels } = info;
  const swapped = transpose(backend, filter, [0, 1, 3, 2]); // [3, 3, Co, Ci]
  const u = backend.makeOutput([16 * inChannels * outChannels], "float32");
  simd.winogradFilter(addressOf(backend, swapped), outChannels, inChannels, 1, addressOf(backend, u));
  release(backend, swapped);
  const dx = convolveTransformed(backend, simd, dy, u, inChannels, info.inHeight, info.inWidth, 2 - info.padInfo.top, 2 - info.padInfo.left, null, false);
  release(backend, u);
  return dx;
}

/** The filter gradient: dU[ξ] = Σ over tiles of V[ξ]ᵀ Z[ξ], then dW = Gᵀ dU G. */
export function winogradConv2DBackpropFilter(
  backend: WasmBackend,
  simd: SimdKernels,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
): tf.TensorInfo {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const t = tiling(batchSize, outHeight, outWidth, Math.max(inChannels, outChannels));
  const dW = backend.makeOutput([3, 3, inChannels, outChannels], "float32");
  const du = backend.makeOutput([16 * inChannels * outChannels], "float32");
  const vPlane = planeBytes(4 * t.chunk * inChannels);
  const zPlane = planeBytes(4 * t.chunk * outChannels);
  const v = backend.makeOutput([4 * vPlane], "float32");
  const z = backend.makeOutput([4 * zPlane], "float32");
  const rowsA = rowTable(backend, inChannels, (ci) => 4 * ci);
  const rowsC = rowTable(backend, inChannels, (ci) => 4 * ci * outChannels);
  const [xAt, dyAt, duAt, vAt, zAt] = [x, dy, du, v, z].map((i) => addressOf(backend, i));
  const rowsAAt = addressOf(backend, rowsA);
  const rowsCAt = addressOf(backend, rowsC);
  const uPlane = 4 * inChannels * outChannels;
  if (t.total === 0) (backend.typedArrayFromHeap(du) as Float32Array).fill(0);
  for (let first = 0; first < t.total; first += t.chunk) {
    const count = Math.min(t.chunk, t.total - first);
    simd.winogradInput(xAt, inHeight, inWidth, inChannels, info.padInfo.top, info.padInfo.left, t.tilesAcross, t.tilesPerImage, first, count, vAt, vPlane);
    simd.winogradGradient(dyAt, outHeight, outWidth, outChannels, t.tilesAcross, t.tilesPerImage, first, count, zAt, zPlane);
    for (let xi = 0; xi < 16; xi++) {
      simd.gemmAdjacent(inChannels, outChannels, rowsAAt, vAt + xi * vPlane, rowsCAt, duAt + xi * uPlane, first === 0 ? 0 : 1, zAt + xi * zPlane, 1, 0, 0, 1, 0, 0, count, 4 * inChannels, 4 * outChannels);
    }
  }
  simd.winogradFilterGradient(duAt, inChannels, outChannels, addressOf(backend, dW));
  release(backend, du, v, z, rowsA, rowsC);
  return dW;
}
