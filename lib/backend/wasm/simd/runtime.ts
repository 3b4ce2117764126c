/**
 * convlab's generated SIMD kernels, compiled once and bound to the wasm
 * backend's own memory, so they work on tensors where they lie.
 */
import * as tf from "@tensorflow/tfjs";
import type { WasmBackend } from "../kernel-calls";
import { gemmFunctions } from "./gemm";
import { maxPool2x2Function } from "./max-pool-2x2";
import { maxPoolGrad2x2Function } from "./max-pool-grad-2x2";
import { anyNaNFunction } from "./nan-check";
import { reluGradFunction } from "./relu-grad";
import { addRowFunction, columnSumsFunction } from "./rows";
import { winogradFunctions } from "./winograd";
import { winograd6x6Functions } from "./winograd-6x6";
import { col2imFunction } from "./col2im";
import { transposeFunction } from "./transpose";
import { FunctionWriter, writeModule } from "./wasm-writer";

// The WebAssembly JS API (the project compiles without the DOM typings that declare it).
interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
}
interface WasmApi {
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: Record<string, unknown> };
}
const WebAssemblyApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
export type { WasmMemory };

export interface SimdKernels {
  /**
   * See ./gemm: C[m, n] = sum over (k1, k2, k3) of A(m, k1, k2, k3) * B(k1, k2, k3, n),
   * added to C when `accumulate` is 1; row m of A at a + rowsA[m], of C at
   * c + rowsC[m]. Addresses and strides in bytes.
   */
  gemm(
    m: number,
    n: number,
    rowsA: number,
    a: number,
    rowsC: number,
    c: number,
    accumulate: 0 | 1,
    b: number,
    k1: number,
    sA1: number,
    sB1: number,
    k2: number,
    sA2: number,
    sB2: number,
    k3: number,
    sA3: number,
    sB3: number,
  ): void;

  /** gemm for an A whose rows are adjacent floats (rowsA[i + 1] = rowsA[i] + 4): see ./gemm. */
  gemmAdjacent: SimdKernels["gemm"];

  /** `planes` gemm calls, a, c and b advancing by aPlane, cPlane and bPlane bytes from one to the next (see ./gemm). */
  gemmPlanes(...args: [...gemm: Parameters<SimdKernels["gemm"]>, planes: number, aPlane: number, cPlane: number, bPlane: number]): void;
  /** gemmPlanes of gemmAdjacent products. */
  gemmAdjacentPlanes: SimdKernels["gemmPlanes"];

  /** See ./max-pool-2x2: each 2x2 window's largest value, NaN if it holds one (byte addresses; channels >= 4; y contiguous). */
  maxPool2x2(x: number, y: number, images: number, imageBytes: number, outHeight: number, outWidth: number, channels: number, rowBytes: number): void;

  /** See ./max_pool_grad_2x2 (byte addresses; channels >= 4). */
  maxPoolGrad2x2(
    x: number,
    y: number,
    dy: number,
    dx: number,
    images: number,
    imageBytes: number,
    outHeight: number,
    outWidth: number,
    channels: number,
    rowBytes: number,
  ): void;

  /** See ./rows: out[block, column] = sum of x's column over each block of rows (byte addresses; columns >= 4). */
  columnSums(x: number, rows: number, columns: number, blockRows: number, out: number): void;
  /** See ./rows: out = x + b, b one row broadcast (0: none), then ReLU if relu is 1 (byte addresses; columns >= 4). */
  addRow(x: number, rows: number, columns: number, b: number, out: number, relu: 0 | 1): void;

  /** See ./relu-grad: dx = dy * step(y) over `vectors` runs of four floats (byte addresses). */
  reluGrad(dy: number, y: number, dx: number, vectors: number): void;

  /** See ./nan-check: NaN when any of `vectors` runs of four floats from byte address x is NaN, else 0. */
  anyNaN(x: number, vectors: number): number;

  /** See ./winograd (byte addresses; channels >= 4). */
  winogradInput(
    x: number,
    height: number,
    width: number,
    channels: number,
    padTop: number,
    padLeft: number,
    tilesAcross: number,
    tilesPerImage: number,
    firstTile: number,
    tileCount: number,
    out: number,
    planeBytes: number,
  ): void;
  winogradOutput(
    m: number,
    planeBytes: number,
    firstTile: number,
    tileCount: number,
    channels: number,
    bias: number,
    relu: 0 | 1,
    y: number,
    outHeight: number,
    outWidth: number,
    tilesAcross: number,
    tilesPerImage: number,
  ): void;
  winogradFilter(w: number, inChannels: number, outChannels: number, flip: 0 | 1, out: number): void;
  winogradGradient(
    dy: number,
    outHeight: number,
    outWidth: number,
    channels: number,
    tilesAcross: number,
    tilesPerImage: number,
    firstTile: number,
    tileCount: number,
    out: number,
    planeBytes: number,
  ): void;
  winogradFilterGradient(du: number, inChannels: number, outChannels: number, out: number): void;

  /** F(2x2, 5x5) (see ./winograd-6x6): the same parameters as the F(2x2, 3x3) transforms, 36 planes. */
  winograd5Input: SimdKernels["winogradInput"];
  winograd5Output: SimdKernels["winogradOutput"];
  winograd5Filter: SimdKernels["winogradFilter"];
  winograd5Gradient: SimdKernels["winogradGradient"];
  winograd5FilterGradient: SimdKernels["winogradFilterGradient"];
  /** F(4x4, 3x3) (see ./winograd-6x6): the same again. */
  winograd4x4Input: SimdKernels["winogradInput"];
  winograd4x4Output: SimdKernels["winogradOutput"];
  winograd4x4Filter: SimdKernels["winogradFilter"];
  winograd4x4Gradient: SimdKernels["winogradGradient"];
  winograd4x4FilterGradient: SimdKernels["winogradFilterGradient"];
  /** See ./col2im: adds im2col columns (columnBytes apart) into dx (byte addresses). */
  col2im(
    col: number,
    columnBytes: number,
    dx: number,
    images: number,
    height: number,
    width: number,
    channels: number,
    outHeight: number,
    outWidth: number,
    filterHeight: number,
    filterWidth: number,
    strideHeight: number,
    strideWidth: number,
    padTop: number,
    padLeft: number,
  ): void;
  /** See ./winograd-6x6: dd = B dV Bᵀ added into dx (byte addresses; channels a multiple of 4). */
  winograd5Scatter(
    dv: number,
    planeBytes: number,
    firstTile: number,
    tileCount: number,
    channels: number,
    dx: number,
    height: number,
    width: number,
    padTop: number,
    padLeft: number,
    tilesAcross: number,
    tilesPerImage: number,
  ): void;
  /** See ./transpose: y[c][r] = x[r][c] for a rows x columns block (multiples of 4; byte addresses and row strides), the inner loop along columns when columnsInside is 1. */
  transpose(x: number, rows: number, columns: number, xRowBytes: number, y: number, yRowBytes: number, columnsInside: 0 | 1): void;
}

interface Bound {
  memory: WasmMemory;
  kernels: SimdKernels;
  fma: boolean;
}

let bound: Bound | undefined;

/** The module and memory the kernels are bound to (for worker threads to bind the same), or undefined. */
export function boundModule(): { module: object; memory: WasmMemory; fma: boolean } | undefined {
  return bound && compiled ? { module: compiled.module, memory: bound.memory, fma: bound.fma } : undefined;
}
let compiled: { module: object; shared: boolean; fma: boolean } | undefined;

/** The wasm backend's WasmMemory (the single-threaded build exports it; the threaded build makes it in JavaScript). */
function memoryOf(backend: WasmBackend): WasmMemory | undefined {
  const module = backend.wasm as unknown as { asm?: Record<string, unknown>; wasmMemory?: unknown };
  const candidates = [module.asm?.memory, module.wasmMemory];
  return candidates.find((m): m is WasmMemory => m instanceof WebAssemblyApi.Memory);
}

/** The generated module's bytes (what `npm run bench -- simd-module` hashes, to show a generator refactor emits the same code). */
export function moduleBytes(shared: boolean, fma: boolean): Uint8Array {
  const functions: FunctionWriter[] = [...gemmFunctions(0, fma)];
  functions.push(maxPool2x2Function(), maxPoolGrad2x2Function(), columnSumsFunction(), addRowFunction(), anyNaNFunction(), reluGradFunction(), ...winogradFunctions(), ...winograd6x6Functions(), col2imFunction(), transposeFunction());
  return writeModule(functions, { shared });
}

function buildModule(shared: boolean, fma: boolean): object {
  return new WebAssemblyApi.Module(moduleBytes(shared, fma));
}

/** A module using f32x4.relaxed_madd, to ask the engine whether it compiles relaxed SIMD. */
function relaxedProbe(): Uint8Array {
  const f = new FunctionWriter("madd", ["v128", "v128", "v128"], ["v128"]);
  f.get(f.params[0]).get(f.params[1]).get(f.params[2]).f32x4RelaxedMadd();
  return writeModule([f], { shared: false });
}

let relaxedSimd: boolean | undefined;

/**
 * Whether this engine compiles relaxed SIMD (whose f32x4.relaxed_madd is a
 * fused multiply-add on CPUs with FMA). Node 22 has it on; Node 20's V8 has
 * it behind a flag, which is turned on here (it only adds instructions that
 * modules may use).
 */
export function relaxedSimdAvailable(): boolean {
  if (relaxedSimd !== undefined) return relaxedSimd;
  const api = WebAssemblyApi as unknown as { validate(bytes: Uint8Array): boolean };
  relaxedSimd = api.validate(relaxedProbe());
  if (!relaxedSimd) {
    try {
      (require("node:v8") as typeof import("node:v8")).setFlagsFromString("--experimental-wasm-relaxed-simd");
      relaxedSimd = api.validate(relaxedProbe());
    } catch {
      relaxedSimd = false;
    }
  }
  return relaxedSimd;
}

/**
 * How the generated kernels multiply-add: "auto" uses relaxed SIMD's fused
 * multiply-add where the engine has it (CONVLAB_FMA=0 turns it off), "off"
 * plain multiply then add. Tests and benchmarks change it.
 */
export const fmaSetting: { use: "auto" | "off" } = { use: process.env.CONVLAB_FMA === "0" ? "off" : "auto" };

/** Whether the generated kernels use fused multiply-adds (relaxed SIMD). */
export function usesFma(): boolean {
  return fmaSetting.use === "auto" && relaxedSimdAvailable();
}

/**
 * The kernels bound to `backend`'s memory, or null when they cannot be
 * (no SIMD, or the memory is out of reach): callers then use the wasm
 * backend's own kernels.
 */
export function simdKernels(backend: WasmBackend): SimdKernels | null {
  if (disabled.value) return null;
  const memory = memoryOf(backend);
  if (!memory) return null;
  const fma = usesFma();
  if (bound?.memory === memory && bound.fma === fma) return bound.kernels;
  if (!tf.env().getBool("WASM_HAS_SIMD_SUPPORT")) return null;
  const shared = typeof SharedArrayBuffer !== "undefined" && memory.buffer instanceof SharedArrayBuffer;
  if (!compiled || compiled.shared !== shared || compiled.fma !== fma) compiled = { module: buildModule(shared, fma), shared, fma };
  const instance = new WebAssemblyApi.Instance(compiled.module, { env: { memory } });
  const kernels = instance.exports as unknown as SimdKernels;
  bound = { memory, kernels, fma };
  return kernels;
}

/** Turns the generated kernels off (tests and benchmarks compare against the fallbacks). */
export const disabled = { value: false };

/** Byte address of a tensor's data on the wasm heap. */
export function addressOf(backend: WasmBackend, info: tf.TensorInfo): number {
  return backend.dataIdMap.get(info.dataId)!.memoryOffset;
}

/**
 * A table of `count` byte offsets on the wasm heap (an int32 tensor the
 * caller releases): offset(i) for each row i.
 */
export function rowTable(backend: WasmBackend, count: number, offset: (i: number) => number): tf.TensorInfo {
  const table = backend.makeOutput([count], "int32");
  const values = backend.typedArrayFromHeap(table) as Int32Array;
  for (let i = 0; i < count; i++) values[i] = offset(i);
  return table;
}

/** Tables kept per backend (see sharedRowTable), oldest first. */
const sharedTables = new WeakMap<WasmBackend, Map<string, { table: tf.TensorInfo; count: number }>>();
/** How many shared tables a backend keeps (a network's layers need a few each), and the most rows one may have (256 KB). */
const SHARED_TABLES = 24;
const SHARED_TABLE_ROWS = 1 << 16;
/** The tables sharedRowTable keeps (releaseRows leaves these alone). */
const keptTables = new WeakSet<tf.TensorInfo>();

/**
 * A rowTable kept for later calls with the same `key` (the offsets' recipe)
 * and at most as many rows: kernels call with the same geometry every
 * training step, and building a table of tens of thousands of offsets in
 * JavaScript costs about as much as a small kernel. Shared and read-only:
 * callers release it with releaseRows, which frees only a table not kept.
 * The least recently used goes when there are more than SHARED_TABLES;
 * tables over SHARED_TABLE_ROWS rows are not kept (what they save is small
 * next to their kernels, and they would stay in memory). A call with the
 * same key and more rows replaces (frees) the kept table: within one kernel,
 * ask for one key with one count.
 */
export function sharedRowTable(backend: WasmBackend, key: string, count: number, offset: (i: number) => number): tf.TensorInfo {
  if (count > SHARED_TABLE_ROWS) return rowTable(backend, count, offset);
  let tables = sharedTables.get(backend);
  if (!tables) sharedTables.set(backend, (tables = new Map()));
  const kept = tables.get(key);
  if (kept && kept.count >= count) {
    // Most recently used last.
    tables.delete(key);
    tables.set(key, kept);
    return kept.table;
  }
  if (kept) {
    backend.disposeData(kept.table.dataId);
    tables.delete(key);
  }
  const table = rowTable(backend, count, offset);
  keptTables.add(table);
  tables.set(key, { table, count });
  for (const [oldest, entry] of tables) {
    if (tables.size <= SHARED_TABLES) break;
    backend.disposeData(entry.table.dataId);
    tables.delete(oldest);
  }
  return table;
}

/** Frees row tables that sharedRowTable did not keep. */
export function releaseRows(backend: WasmBackend, ...tables: tf.TensorInfo[]): void {
  for (const table of tables) if (!keptTables.has(table)) backend.disposeData(table.dataId);
}

/** A shared table (see sharedRowTable) of i * stepBytes for at least `count` rows: rows of a matrix stored row after row. */
export function evenRows(backend: WasmBackend, count: number, stepBytes: number): tf.TensorInfo {
  return sharedRowTable(backend, `even ${stepBytes}`, count, (i) => i * stepBytes);
}
