/**
 * convlab's generated SIMD kernels, compiled once and bound to the wasm
 * backend's own memory, so they work on tensors where they lie.
 */
import * as tf from "@tensorflow/tfjs";
import type { WasmBackend } from "../kernel-calls";
import { gemmFunctions } from "./gemm";
import { maxPoolGrad2x2Function } from "./max-pool-grad-2x2";
import { addRowFunction, columnSumsFunction } from "./rows";
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
  /** See ./rows: out = x + b, b one row broadcast (byte addresses; columns >= 4). */
  addRow(x: number, rows: number, columns: number, b: number, out: number): void;
}

interface Bound {
  memory: WasmMemory;
  kernels: SimdKernels;
}

let bound: Bound | undefined;
let compiled: { module: object; shared: boolean } | undefined;

/** The wasm backend's WasmMemory, if it can be found. */
function memoryOf(backend: WasmBackend): WasmMemory | undefined {
  const module = backend.wasm as unknown as { asm?: Record<string, unknown>; wasmMemory?: unknown };
  const candidates = [module.asm?.memory, module.wasmMemory, capturedMemory];
  return candidates.find((m): m is WasmMemory => m instanceof WebAssemblyApi.Memory);
}

let capturedMemory: WasmMemory | undefined;

/** For the threaded build, whose memory is made in JavaScript and not exported: remember it (see ../threads). */
export function rememberBackendMemory(memory: WasmMemory): void {
  capturedMemory = memory;
}

function buildModule(shared: boolean): object {
  const functions: FunctionWriter[] = [...gemmFunctions(0)];
  functions.push(maxPoolGrad2x2Function(), columnSumsFunction(), addRowFunction());
  return new WebAssemblyApi.Module(writeModule(functions, { shared }));
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
  if (bound?.memory === memory) return bound.kernels;
  if (!tf.env().getBool("WASM_HAS_SIMD_SUPPORT")) return null;
  const shared = typeof SharedArrayBuffer !== "undefined" && memory.buffer instanceof SharedArrayBuffer;
  if (!compiled || compiled.shared !== shared) compiled = { module: buildModule(shared), shared };
  const instance = new WebAssemblyApi.Instance(compiled.module, { env: { memory } });
  const kernels = instance.exports as unknown as SimdKernels;
  bound = { memory, kernels };
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
