/**
 * Swapping the axes of a float32 matrix with the generated kernel
 * (./simd/transpose), in tiles split across the kernel threads.
 *
 * A dense layer's backward pass transposes [64, 4096]-sized matrices (vgg's
 * 4,096-wide dense input). The wasm backend's Transpose writes one float
 * at a time on one thread, and a JavaScript loop reads the shared wasm heap
 * slowly; here 4x4 blocks go through SIMD registers.
 */
import * as tf from "@tensorflow/tfjs";
import { WasmBackend } from "./kernel-calls";
import { streamOnThreads } from "./simd/parallel";
import { addressOf, simdKernels } from "./simd/runtime";

/** A tile's side in floats: a 64x64 tile's input and output (16 KB each) stay in the L1 cache. */
const TILE = 64;

/**
 * The [columns, rows] transpose of a float32 [rows, columns] matrix (any
 * shape with that many floats, e.g. [1, rows, columns]), or null when the
 * generated kernel cannot do it (no SIMD, or a side not a multiple of 4).
 */
export function transposeMatrix(backend: WasmBackend, m: tf.TensorInfo, rows: number, columns: number): tf.TensorInfo | null {
  if (m.dtype !== "float32" || rows % 4 !== 0 || columns % 4 !== 0 || rows * columns === 0 || !simdKernels(backend)) return null;
  const out = backend.makeOutput([columns, rows], "float32");
  const [x, y] = [addressOf(backend, m), addressOf(backend, out)];
  const [tileRows, tileColumns] = [Math.ceil(rows / TILE), Math.ceil(columns / TILE)];
  // The inner loop along the matrix whose rows lie farther apart (see ./simd/transpose).
  const columnsInside = columns > rows ? 1 : 0;
  streamOnThreads(backend, tileRows * tileColumns, 1, rows * columns, (first, count) =>
    Array.from({ length: count }, (_, i) => {
      const [r, c] = [TILE * Math.floor((first + i) / tileColumns), TILE * ((first + i) % tileColumns)];
      return ["transpose", x + 4 * (r * columns + c), Math.min(TILE, rows - r), Math.min(TILE, columns - c), 4 * columns, y + 4 * (c * rows + r), 4 * rows, columnsInside];
    }),
  );
  return out;
}
