/**
 * 3x3 stride-1 convolutions by Winograd's F(4x4, 3x3) (./simd/winograd-6x6
 * for the transforms, ./simd/gemm for the 36 products): 4 times fewer
 * multiply-adds than the direct way, for the forward pass, the input
 * gradient (the same convolution of dy with the filter turned by 180 degrees
 * and its channels swapped) and the filter gradient; F(2x2, 3x3)
 * (./simd/winograd, 16 products, 2.25 times fewer) on request. 5x5 stride-1
 * convolutions (LeNet's second) the same way with F(2x2, 5x5) (36 products):
 * 2.8 times fewer.
 *
 * Tiles go in chunks small enough that a chunk's transformed tiles stay in
 * the cache between the transform, the products and the inverse transform.
 */
import * as tf from "@tensorflow/tfjs";
import { WasmBackend, release, transpose } from "./kernel-calls";
import { Job, kernelThreads, runChunks } from "./simd/parallel";
import { addressOf, evenRows, releaseRows, SimdKernels } from "./simd/runtime";
import { F2X2_5X5 as SPEC_F2X2_5X5, F4X4_3X3 as SPEC_F4X4_3X3, Tiles6x6 } from "./simd/winograd-6x6";

/**
 * "auto": Winograd for every 3x3 (and, for the passes in `fiveByFive`,
 * every 5x5) stride-1 undilated convolution with at least `minChannels`
 * input and output channels; "off": never. `chunkFloats` bounds a chunk's
 * transformed tiles (tiles x the larger channel count, for 16 planes).
 * Tests and benchmarks change these.
 */
export const winogradSettings: {
  use: "auto" | "off";
  minChannels: number;
  chunkFloats: number;
  /** The passes that take F(2x2, 5x5) for 5x5 filters (the rest go the direct way). */
  fiveByFive: Pass[];
  /** The output tile for 3x3 filters: 4 for F(4x4, 3x3), 2 for F(2x2, 3x3) (more products, fewer transform steps per product). */
  threeByThreeTile: 2 | 4;
} = {
  use: "auto",
  minChannels: 8,
  chunkFloats: 8192,
  fiveByFive: ["forward", "input", "filter"],
  threeByThreeTile: 4,
};

/** A convolution's three products: the output, the input gradient, the filter gradient. */
export type Pass = "forward" | "input" | "filter";

type Prefix = "winograd" | Tiles6x6["name"];

/** The generated transforms of one F(m x m, r x r) and its number of planes, (m + r - 1)². */
interface Variant {
  size: 3 | 5;
  /** The output tile's side m. */
  tile: 2 | 4;
  planes: number;
  input: `${Prefix}Input`;
  output: `${Prefix}Output`;
  filter: `${Prefix}Filter`;
  gradient: `${Prefix}Gradient`;
  filterGradient: `${Prefix}FilterGradient`;
}

function variant(prefix: Prefix, size: 3 | 5, tile: 2 | 4): Variant {
  const names = { input: `${prefix}Input`, output: `${prefix}Output`, filter: `${prefix}Filter`, gradient: `${prefix}Gradient`, filterGradient: `${prefix}FilterGradient` } as const;
  return { size, tile, planes: (tile + size - 1) ** 2, ...names };
}

const fromSpec = (spec: Tiles6x6) => variant(spec.name, spec.filterSize, spec.outputTile);
const F2X2_3X3 = variant("winograd", 3, 2);
const F4X4_3X3 = fromSpec(SPEC_F4X4_3X3);
const F2X2_5X5 = fromSpec(SPEC_F2X2_5X5);

function variantOf(info: tf.backend_util.Conv2DInfo): Variant {
  if (info.filterHeight === 5) return F2X2_5X5;
  return winogradSettings.threeByThreeTile === 4 ? F4X4_3X3 : F2X2_3X3;
}

/** Whether a convolution's `pass` (as computeConv2DInfo describes it) goes the Winograd way. */
export function winogradApplies(info: tf.backend_util.Conv2DInfo, pass: Pass = "forward"): boolean {
  const size = info.filterHeight;
  return (
    winogradSettings.use === "auto" &&
    (size === 3 || (size === 5 && winogradSettings.fiveByFive.includes(pass) && (pass !== "input" || info.inChannels % 4 === 0))) &&
    info.filterWidth === size &&
    info.strideHeight === 1 &&
    info.strideWidth === 1 &&
    info.dilationHeight === 1 &&
    info.dilationWidth === 1 &&
    Math.min(info.inChannels, info.outChannels) >= Math.max(4, winogradSettings.minChannels)
  );
}

/** Where a stride-1 convolution's m x m output tiles lie. */
interface Tiling {
  images: number;
  outHeight: number;
  outWidth: number;
  tilesAcross: number;
  tilesPerImage: number;
  total: number;
  /** Tiles per chunk at most (a multiple of 4, so the products use their 4-row tiles). */
  chunk: number;
  /** The chunks' first tiles and tile counts, in order (see chunkRanges). */
  ranges: [first: number, count: number][];
}

/** Tiles in chunks that fit the cache, and at least one chunk for each of `threads`. */
function tiling(images: number, outHeight: number, outWidth: number, widestChannels: number, threads: number, { planes, tile }: Variant): Tiling {
  const tilesAcross = Math.ceil(outWidth / tile);
  const tilesPerImage = tilesAcross * Math.ceil(outHeight / tile);
  const total = images * tilesPerImage;
  const fit = Math.max(4, Math.floor((winogradSettings.chunkFloats * 16) / planes / widestChannels / 4) * 4);
  const chunk = Math.min(fit, Math.ceil(total / threads / 4) * 4);
  return { images, outHeight, outWidth, tilesAcross, tilesPerImage, total, chunk, ranges: chunkRanges(total, chunk, threads) };
}

/**
 * [0, total) in chunks of `chunk` tiles, the last 2 x threads of them cut in
 * halves (multiples of 4): the threads take chunks as they come free, so
 * the one that finishes first waits for the other's last chunk, on average
 * half of one; smaller last chunks halve that wait.
 */
function chunkRanges(total: number, chunk: number, threads: number): [number, number][] {
  const ranges: [number, number][] = [];
  const half = threads > 1 ? Math.max(4, Math.ceil(chunk / 8) * 4) : chunk;
  for (let first = 0; first < total; ) {
    const size = total - first > 2 * threads * chunk ? chunk : half;
    ranges.push([first, Math.min(size, total - first)]);
    first += size;
  }
  return ranges;
}

/**
 * Bytes between the planes of a chunk's transformed tiles: at least `bytes`,
 * an odd number of cache lines, so that the planes a transform reads or
 * writes together fall in different sets of the L1 cache (planes a power of
 * two apart would all compete for one set).
 */
function planeBytes(bytes: number): number {
  const lines = Math.ceil(bytes / 64);
  return 64 * (lines % 2 === 0 ? lines + 1 : lines);
}

/** One chunk's transformed tiles `channels` wide for each of `threads`: planes `plane` bytes apart, thread i's at i * planes * plane. */
interface Scratch {
  plane: number;
  buffer: tf.TensorInfo;
}

function scratchPlanes(backend: WasmBackend, t: Tiling, channels: number, threads: number, planes: number): Scratch {
  const plane = planeBytes(4 * t.chunk * channels);
  return { plane, buffer: backend.makeOutput([(threads * planes * plane) / 4], "float32") };
}

/**
 * The convolution of x [N, H, W, Ci] with a filter already transformed to
 * planes [Ci][Co] (`u`), output [N, outHeight, outWidth, Co], plus bias
 * (a [Co] tensor, or null) and ReLU when asked.
 */
function convolveTransformed(
  backend: WasmBackend,
  variant: Variant,
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
  const threads = kernelThreads(backend);
  const { planes } = variant;
  const t = tiling(images, outHeight, outWidth, Math.max(inChannels, outChannels), threads, variant);
  const y = backend.makeOutput([images, outHeight, outWidth, outChannels], "float32");
  if (t.total === 0) return y;
  // Each thread transforms into scratch planes of its own.
  const v = scratchPlanes(backend, t, inChannels, threads, planes);
  const m = scratchPlanes(backend, t, outChannels, threads, planes);
  const [vPlane, mPlane] = [v.plane, m.plane];
  const rowsA = evenRows(backend, t.chunk, 4 * inChannels);
  const rowsC = evenRows(backend, t.chunk, 4 * outChannels);
  const [xAt, uAt, vAt, mAt, yAt, rowsAAt, rowsCAt] = [x, u, v.buffer, m.buffer, y, rowsA, rowsC].map((info) => addressOf(backend, info));
  const biasAt = bias ? addressOf(backend, bias) : 0;
  const uPlane = 4 * inChannels * outChannels;
  runChunks(backend, t.ranges.length, (chunk, thread): Job => {
    const vHere = vAt + thread * planes * vPlane;
    const mHere = mAt + thread * planes * mPlane;
    const [first, count] = t.ranges[chunk];
    return [
      [variant.input, xAt, height, width, inChannels, padTop, padLeft, t.tilesAcross, t.tilesPerImage, first, count, vHere, vPlane],
      ["gemmPlanes", count, outChannels, rowsAAt, vHere, rowsCAt, mHere, 0, uAt, 1, 0, 0, 1, 0, 0, inChannels, 4, 4 * outChannels, planes, vPlane, mPlane, uPlane],
      [variant.output, mHere, mPlane, first, count, outChannels, biasAt, relu ? 1 : 0, yAt, outHeight, outWidth, t.tilesAcross, t.tilesPerImage],
    ];
  });
  release(backend, v.buffer, m.buffer);
  releaseRows(backend, rowsA, rowsC);
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
  const variant = variantOf(info);
  const u = backend.makeOutput([variant.planes * inChannels * outChannels], "float32");
  simd[variant.filter](addressOf(backend, filter), inChannels, outChannels, 0, addressOf(backend, u));
  const y = convolveTransformed(backend, variant, x, u, outChannels, info.outHeight, info.outWidth, info.padInfo.top, info.padInfo.left, bias, relu);
  release(backend, u);
  return y;
}

/**
 * The input gradient: dy convolved with the filter turned by 180 degrees,
 * in and out channels swapped, padded so that the output is x's size
 * (3x3), or the forward pass run backwards (5x5, see scatterInputGradient).
 */
export function winogradConv2DBackpropInput(
  backend: WasmBackend,
  simd: SimdKernels,
  dy: tf.TensorInfo,
  filter: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
): tf.TensorInfo {
  const { inChannels, outChannels } = info;
  const variant = variantOf(info);
  if (variant.size === 5) return scatterInputGradient(backend, simd, dy, filter, info);
  const swapped = transpose(backend, filter, [0, 1, 3, 2]); // [r, r, Co, Ci]
  const u = backend.makeOutput([variant.planes * inChannels * outChannels], "float32");
  simd[variant.filter](addressOf(backend, swapped), outChannels, inChannels, 1, addressOf(backend, u));
  release(backend, swapped);
  const reach = variant.size - 1;
  const dx = convolveTransformed(backend, variant, dy, u, inChannels, info.inHeight, info.inWidth, reach - info.padInfo.top, reach - info.padInfo.left, null, false);
  release(backend, u);
  return dx;
}

/**
 * The input gradient of a 5x5 convolution as the adjoint of its forward
 * tiles: per output tile, Z = A dY Aᵀ (as the filter gradient makes it),
 * dV[ξ] = Z[ξ] U[ξ]ᵀ (36 products, over the forward pass's tiles), and
 * dd = B dV Bᵀ added into dx at the tile's 6x6 input window. The padded
 * convolution of dy would need 2.25 times the tiles for LeNet's layer.
 * Windows of neighbouring tiles overlap: each thread takes whole images.
 */
function scatterInputGradient(backend: WasmBackend, simd: SimdKernels, dy: tf.TensorInfo, filter: tf.TensorInfo, info: tf.backend_util.Conv2DInfo): tf.TensorInfo {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { planes } = F2X2_5X5;
  const threads = kernelThreads(backend);
  const t = tiling(batchSize, outHeight, outWidth, Math.max(inChannels, outChannels), threads, F2X2_5X5);
  const swapped = transpose(backend, filter, [0, 1, 3, 2]); // [5, 5, Co, Ci]
  const u = backend.makeOutput([planes * inChannels * outChannels], "float32");
  simd.winograd5Filter(addressOf(backend, swapped), outChannels, inChannels, 0, addressOf(backend, u));
  release(backend, swapped);
  const dx = backend.makeOutput(info.inShape, "float32");
  (backend.typedArrayFromHeap(dx) as Float32Array).fill(0);
  const z = scratchPlanes(backend, t, outChannels, threads, planes);
  const v = scratchPlanes(backend, t, inChannels, threads, planes);
  const [zPlane, vPlane] = [z.plane, v.plane];
  const rowsA = evenRows(backend, t.chunk, 4 * outChannels);
  const rowsC = evenRows(backend, t.chunk, 4 * inChannels);
  const [dyAt, uAt, dxAt, zAt, vAt, rowsAAt, rowsCAt] = [dy, u, dx, z.buffer, v.buffer, rowsA, rowsC].map((i) => addressOf(backend, i));
  const uPlane = 4 * inChannels * outChannels;
  // A chunk of whole images, a few for each thread (enough that a late or slow one takes fewer).
  const imagesPerChunk = Math.max(1, Math.ceil(batchSize / (4 * threads)));
  runChunks(backend, Math.ceil(batchSize / imagesPerChunk), (chunk, thread): Job => {
    const job: Job = [];
    const zHere = zAt + thread * planes * zPlane;
    const vHere = vAt + thread * planes * vPlane;
    const firstTile = chunk * imagesPerChunk * t.tilesPerImage;
    const endTile = Math.min(t.total, firstTile + imagesPerChunk * t.tilesPerImage);
    for (let first = firstTile; first < endTile; first += t.chunk) {
      const count = Math.min(t.chunk, endTile - first);
      job.push(["winograd5Gradient", dyAt, outHeight, outWidth, outChannels, t.tilesAcross, t.tilesPerImage, first, count, zHere, zPlane]);
      job.push(["gemmPlanes", count, inChannels, rowsAAt, zHere, rowsCAt, vHere, 0, uAt, 1, 0, 0, 1, 0, 0, outChannels, 4, 4 * inChannels, planes, zPlane, vPlane, uPlane]);
      job.push(["winograd5Scatter", vHere, vPlane, first, count, inChannels, dxAt, inHeight, inWidth, info.padInfo.top, info.padInfo.left, t.tilesAcross, t.tilesPerImage]);
    }
    return job;
  });
  release(backend, u, z.buffer, v.buffer);
  releaseRows(backend, rowsA, rowsC);
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
  const threads = kernelThreads(backend);
  const variant = variantOf(info);
  const { planes, size } = variant;
  const t = tiling(batchSize, outHeight, outWidth, Math.max(inChannels, outChannels), threads, variant);
  const dW = backend.makeOutput([size, size, inChannels, outChannels], "float32");
  const uFloats = planes * inChannels * outChannels;
  // Each thread adds its chunks' products into dU of its own (zero if it runs none), and transforms into scratch planes of its own.
  const du = backend.makeOutput([threads * uFloats], "float32");
  (backend.typedArrayFromHeap(du) as Float32Array).fill(0);
  const v = scratchPlanes(backend, t, inChannels, threads, planes);
  const z = scratchPlanes(backend, t, outChannels, threads, planes);
  const [vPlane, zPlane] = [v.plane, z.plane];
  const rowsA = evenRows(backend, inChannels, 4);
  const rowsC = evenRows(backend, inChannels, 4 * outChannels);
  const [xAt, dyAt, duAt, vAt, zAt, rowsAAt, rowsCAt] = [x, dy, du, v.buffer, z.buffer, rowsA, rowsC].map((i) => addressOf(backend, i));
  const uPlane = 4 * inChannels * outChannels;
  runChunks(backend, t.ranges.length, (chunk, thread): Job => {
    const vHere = vAt + thread * planes * vPlane;
    const zHere = zAt + thread * planes * zPlane;
    const duHere = duAt + thread * 4 * uFloats;
    const [first, count] = t.ranges[chunk];
    return [
      [variant.input, xAt, inHeight, inWidth, inChannels, info.padInfo.top, info.padInfo.left, t.tilesAcross, t.tilesPerImage, first, count, vHere, vPlane],
      [variant.gradient, dyAt, outHeight, outWidth, outChannels, t.tilesAcross, t.tilesPerImage, first, count, zHere, zPlane],
      ["gemmAdjacentPlanes", inChannels, outChannels, rowsAAt, vHere, rowsCAt, duHere, 1, zHere, 1, 0, 0, 1, 0, 0, count, 4 * inChannels, 4 * outChannels, planes, vPlane, uPlane, zPlane],
    ];
  });
  // The threads' sums, added up into the first.
  if (threads > 1) simd.columnSums(duAt, threads, uFloats, threads, duAt);
  simd[variant.filterGradient](duAt, inChannels, outChannels, addressOf(backend, dW));
  release(backend, du, v.buffer, z.buffer);
  releaseRows(backend, rowsA, rowsC);
  return dW;
}
