/**
 * BatchMatMul for the wasm backend: the transposed products of a dense
 * layer's backward pass on XNNPACK's fast path.
 *
 * tfjs-backend-wasm sends a product to XNNPACK only when neither operand is
 * transposed and the batch is 1; otherwise it runs a plain triple loop, ten
 * times slower. Here a transposed product is rewritten as an untransposed one
 * by moving the smaller data: either transpose the operand, or compute the
 * transposed product (Bᵀ·Aᵀ)ᵀ and transpose the (small) result.
 */
import * as tf from "@tensorflow/tfjs";
import { WasmBackend, call, heapF32, original, release, reshape, transpose, KernelArgs, wasmKernel } from "./kernel-calls";
import { gemmOnThreads, KernelCall } from "./simd/parallel";
import { addressOf, evenRows, releaseRows, simdKernels } from "./simd/runtime";
import { transposeMatrix } from "./transpose-matrix";

/**
 * A plain product A·B with the generated SIMD kernel. XNNPACK re-packs B
 * whenever A or B is a new tensor, i.e. on every training step and every
 * inference batch; for a dense layer's weights that costs more than the
 * product.
 */
function simdProduct(backend: WasmBackend, a: tf.TensorInfo, b: tf.TensorInfo, m: number, k: number, n: number): tf.TensorInfo {
  const out = backend.makeOutput([1, m, n], "float32");
  const rowsA = evenRows(backend, m, 4 * k);
  const rowsC = evenRows(backend, m, 4 * n);
  const [aAt, bAt, rowsAAt, rowsCAt, outAt] = [a, b, rowsA, rowsC, out].map((t) => addressOf(backend, t));
  // The reduction in blocks, each added into C, so that a block of B stays
  // in cache while every row of A passes it (a whole dense layer's weights
  // would not: A's rows would be read again for each strip of columns).
  const block = Math.max(16, Math.floor(K_BLOCK_BYTES / (4 * n)));
  const calls: KernelCall[] = [];
  for (let first = 0; first < k; first += block) {
    calls.push(["gemm", m, n, rowsAAt, aAt + 4 * first, rowsCAt, outAt, first === 0 ? 0 : 1, bAt + 4 * n * first, 1, 0, 0, 1, 0, 0, Math.min(block, k - first), 4, 4 * n]);
  }
  gemmOnThreads(backend, calls, m * n * k, rowsPerPart(Math.min(block, k)));
  releaseRows(backend, rowsA, rowsC);
  return out;
}

/** Bytes of B per block of a plain product's reduction. */
const K_BLOCK_BYTES = 256 * 1024;

/** Rows of A at a time (a part for the threads) for a reduction `k` long: about K_BLOCK_BYTES of A, so that it stays in cache for every strip of columns. */
function rowsPerPart(k: number): number {
  return Math.max(64, Math.floor(K_BLOCK_BYTES / (4 * k)));
}

/** Columns of A from which Aᵀ·B moves A first. */
const WIDE_COLUMNS = 1024;

/**
 * Aᵀ·B with the generated kernel (a dense layer's weight gradient, xᵀ·dy).
 * Row i of Aᵀ is column i of A, so its rows are adjacent floats and its
 * reduction runs down A's columns, `m` floats apart; from WIDE_COLUMNS on
 * (vgg's 4,096-wide dense input: 16 KB apart, so a tile's loads all compete
 * for one set of the L1 cache) A is transposed and the product is a plain one.
 */
function simdProductTransposedA(backend: WasmBackend, a: tf.TensorInfo, b: tf.TensorInfo, k: number, m: number, n: number): tf.TensorInfo {
  if (m >= WIDE_COLUMNS) {
    const a2 = reshape(backend, a, [k, m]);
    const at = transposeMatrix(backend, a2, k, m) ?? transpose(backend, a2, [1, 0]);
    const product = simdProduct(backend, at, b, m, k, n);
    release(backend, a2, at);
    return product;
  }
  const out = backend.makeOutput([1, m, n], "float32");
  const rowsA = evenRows(backend, m, 4);
  const rowsC = evenRows(backend, m, 4 * n);
  const gemm: KernelCall = ["gemmAdjacent", m, n, addressOf(backend, rowsA), addressOf(backend, a), addressOf(backend, rowsC), addressOf(backend, out), 0, addressOf(backend, b), 1, 0, 0, 1, 0, 0, k, 4 * m, 4 * n];
  gemmOnThreads(backend, [gemm], m * n * k, rowsPerPart(k));
  releaseRows(backend, rowsA, rowsC);
  return out;
}

/** Rows of a matrix from which transposedTall moves it instead of the wasm backend's Transpose. */
const TALL_ROWS = 1024;

/**
 * Swaps the last two axes of a float32 [1, rows, columns] matrix: by
 * ./transpose-matrix where it can; otherwise, with rows >= TALL_ROWS, in
 * JavaScript, because the wasm Transpose writes each output row a float at
 * a time, `rows` floats apart (at 4,096 rows, vgg's dense layer, every
 * write lands in the same few cache sets), and here each output row is
 * written in order.
 */
function transposedTall(backend: WasmBackend, m: tf.TensorInfo): tf.TensorInfo {
  const [, rows, columns] = m.shape;
  const fast = transposeMatrix(backend, m, rows, columns);
  if (fast) return { ...fast, shape: [1, columns, rows] };
  if (rows < TALL_ROWS || m.dtype !== "float32") return transpose(backend, m, [0, 2, 1]);
  const out = backend.makeOutput([1, columns, rows], "float32");
  const [from, to] = [heapF32(backend, m), heapF32(backend, out)];
  // A band of rows at a time, so that the columns read in turn stay in cache.
  const band = 256;
  for (let first = 0; first < rows; first += band) {
    const end = Math.min(rows, first + band);
    for (let c = 0; c < columns; c++) {
      for (let r = first, at = c * rows + first, source = first * columns + c; r < end; r++, source += columns) to[at++] = from[source];
    }
  }
  return out;
}

/**
 * A·Bᵀ with the generated kernel, moving the smaller data: transpose B, or
 * compute (B·Aᵀ)ᵀ, transposing A and the result (a dense layer's input
 * gradient, dy·Wᵀ, with W the large one).
 */
function simdProductTransposedB(backend: WasmBackend, a: tf.TensorInfo, b: tf.TensorInfo, m: number, k: number, n: number): tf.TensorInfo {
  const a2 = reshape(backend, a, [m, k]);
  const b2 = reshape(backend, b, [n, k]);
  let out: tf.TensorInfo;
  if (n * k <= m * k + m * n) {
    const bt = transpose(backend, b2, [1, 0]);
    out = simdProduct(backend, a2, bt, m, k, n);
    release(backend, bt);
  } else {
    const at = transpose(backend, a2, [1, 0]);
    const bat = simdProduct(backend, b2, at, n, k, m);
    out = transposedTall(backend, bat);
    release(backend, at, bat);
  }
  release(backend, a2, b2);
  return out;
}

/** Which way plain products go ("auto": the SIMD kernel when available). Tests change it. */
export const batchMatMulMethod: { use: "auto" | "xnnpack" } = { use: "auto" };

function sizeOf(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Swaps the last two axes of a [1, r, c] matrix (data moved, shape [1, c, r]). */
function transposed(backend: WasmBackend, m: tf.TensorInfo): tf.TensorInfo {
  return transpose(backend, m, [0, 2, 1]);
}

/** Untransposed product on XNNPACK: [1, m, k] · [1, k, n]. */
function product(backend: WasmBackend, a: tf.TensorInfo, b: tf.TensorInfo): tf.TensorInfo {
  return call(tf.BatchMatMul, backend, { a, b }, { transposeA: false, transposeB: false });
}

export function batchMatMul(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as WasmBackend;
  const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  const { transposeA, transposeB } = args.attrs as unknown as tf.BatchMatMulAttrs;
  const batchA = sizeOf(a.shape.slice(0, -2));
  const batchB = sizeOf(b.shape.slice(0, -2));
  const unbatched = batchA === 1 && batchB === 1 && a.dtype === "float32" && b.dtype === "float32";
  const ra = a.shape[a.shape.length - 2];
  const ca = a.shape[a.shape.length - 1];
  const rb = b.shape[b.shape.length - 2];
  const cb = b.shape[b.shape.length - 1];
  if (unbatched && !transposeA && !transposeB && ra * ca * cb > 0) {
    const simd = batchMatMulMethod.use === "auto" ? simdKernels(backend) : null;
    if (simd) {
      const out = simdProduct(backend, a, b, ra, ca, cb);
      out.shape = [...(a.shape.length >= b.shape.length ? a.shape.slice(0, -2) : b.shape.slice(0, -2)), ra, cb];
      return out;
    }
  }
  const simd = unbatched && batchMatMulMethod.use === "auto" && ra * ca * cb * rb > 0 ? simdKernels(backend) : null;
  if (simd && transposeA !== transposeB) {
    const out = transposeA ? simdProductTransposedA(backend, a, b, ra, ca, cb) : simdProductTransposedB(backend, a, b, ra, ca, rb);
    out.shape = [...(a.shape.length >= b.shape.length ? a.shape.slice(0, -2) : b.shape.slice(0, -2)), transposeA ? ca : ra, transposeB ? rb : cb];
    return out;
  }
  if ((!transposeA && !transposeB) || !unbatched) {
    return original(tf.BatchMatMul).kernelFunc(args as never) as tf.TensorInfo;
  }
  const a3 = reshape(backend, a, [1, ra, ca]);
  const b3 = reshape(backend, b, [1, rb, cb]);
  const m = transposeA ? ca : ra;
  const n = transposeB ? rb : cb;
  const sizeA = ra * ca;
  const sizeB = rb * cb;
  const sizeOut = m * n;

  let out: tf.TensorInfo;
  if (transposeA && transposeB) {
    // Aᵀ·Bᵀ = (B·A)ᵀ
    const ba = product(backend, b3, a3);
    out = transposed(backend, ba);
    release(backend, ba);
  } else if (transposeA) {
    const at = transposed(backend, a3);
    out = product(backend, at, b3);
    release(backend, at);
  } else if (2 * sizeB <= 2 * sizeA + sizeOut) {
    // A·Bᵀ with a small B: transpose B (and XNNPACK packs it).
    const bt = transposed(backend, b3);
    out = product(backend, a3, bt);
    release(backend, bt);
  } else {
    // A·Bᵀ = (B·Aᵀ)ᵀ with a large B (a dense layer's weights): move A and the result instead.
    const at = transposed(backend, a3);
    const bat = product(backend, b3, at);
    out = transposed(backend, bat);
    release(backend, at, bat);
  }
  release(backend, a3, b3);
  const batchShape = a.shape.length >= b.shape.length ? a.shape.slice(0, -2) : b.shape.slice(0, -2);
  out.shape = [...batchShape, m, n];
  return out;
}

export const batchMatMulConfig = wasmKernel(tf.BatchMatMul, batchMatMul);
