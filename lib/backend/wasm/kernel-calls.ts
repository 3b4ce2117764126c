/**
 * Calling the wasm backend's own kernels from inside our kernels.
 *
 * Our kernels run inside the engine's kernel call, so they call the wasm
 * kernels' functions directly (no engine bookkeeping, no tape) and must
 * dispose every intermediate TensorInfo they make.
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";

export type WasmBackend = BackendWasm;

/** What the engine passes a kernel function. */
export interface KernelArgs {
  inputs: tf.NamedTensorInfoMap;
  attrs?: tf.NamedAttrMap;
  backend: unknown;
}

/** The registry entry of one of our kernels on the wasm backend. */
export function wasmKernel(kernelName: string, kernelFunc: (args: KernelArgs) => tf.TensorInfo | tf.TensorInfo[]): tf.KernelConfig {
  return { kernelName, backendName: "wasm", kernelFunc: kernelFunc as unknown as tf.KernelFunc };
}

/** The kernel functions as tfjs-backend-wasm registered them, before any of ours replaced them. */
const originals = new Map<string, tf.KernelConfig>();

/** Remembers the wasm backend's own kernel for `name` (call before replacing it). */
export function rememberOriginal(name: string): tf.KernelConfig | undefined {
  if (!originals.has(name)) {
    const config = tf.getKernel(name, "wasm");
    if (config) originals.set(name, config);
  }
  return originals.get(name);
}

/** The wasm backend's own kernel for `name`, even if ours replaced it. */
export function original(name: string): tf.KernelConfig {
  const config = originals.get(name) ?? tf.getKernel(name, "wasm");
  if (!config) {
    throw new Error(
      `The wasm backend has no '${name}' kernel, which convlab's training kernels need. ` +
        `Is @tensorflow/tfjs-backend-wasm at version 4.22 (the version convlab was built for)?`,
    );
  }
  return config;
}

/** Runs a wasm kernel function directly and returns its single output. */
export function call(
  name: string,
  backend: WasmBackend,
  inputs: tf.NamedTensorInfoMap,
  attrs: tf.NamedAttrMap = {},
): tf.TensorInfo {
  const out = original(name).kernelFunc({ inputs, attrs, backend: backend as unknown as tf.KernelBackend });
  return Array.isArray(out) ? out[0] : out;
}

/** Frees intermediate results (skipping the ones that are kernel inputs or outputs). */
export function release(backend: WasmBackend, ...infos: (tf.TensorInfo | null | undefined)[]): void {
  for (const info of infos) if (info) backend.disposeData(info.dataId);
}

export function transpose(backend: WasmBackend, x: tf.TensorInfo, perm: number[]): tf.TensorInfo {
  return call(tf.Transpose, backend, { x }, { perm });
}

/** Same data, new shape: no copy (the wasm Reshape only adds a reference). */
export function reshape(backend: WasmBackend, x: tf.TensorInfo, shape: number[]): tf.TensorInfo {
  return call(tf.Reshape, backend, { x }, { shape });
}

/** A Float32Array view of a tensor's bytes on the wasm heap (valid until the heap grows). */
export function heapF32(backend: WasmBackend, info: tf.TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(info) as Float32Array;
}

export type Padding = "valid" | tf.backend_util.ExplicitPadding;

/** Explicit NHWC padding for the wasm Conv2D kernel ("valid" when there is none). */
export function explicitPadding(top: number, bottom: number, left: number, right: number): Padding {
  if (top === 0 && bottom === 0 && left === 0 && right === 0) return "valid";
  return [
    [0, 0],
    [top, bottom],
    [left, right],
    [0, 0],
  ];
}

/** Plain NHWC convolution on XNNPACK through the wasm backend's Conv2D kernel. */
export function conv2d(
  backend: WasmBackend,
  x: tf.TensorInfo,
  filter: tf.TensorInfo,
  pad: Padding,
  strides: [number, number] = [1, 1],
  dilations: [number, number] = [1, 1],
): tf.TensorInfo {
  return call(tf.Conv2D, backend, { x, filter }, { strides, pad, dataFormat: "NHWC", dilations } as unknown as tf.NamedAttrMap);
}

/** The attributes that place a convolution's windows (what Conv2D and its two gradients share). */
export interface ConvWindowAttrs {
  strides: [number, number] | number;
  pad: Parameters<typeof tf.backend_util.computeConv2DInfo>[4];
  dimRoundingMode?: "floor" | "round" | "ceil";
}

/** An undilated NHWC convolution's geometry: the input's and the filter's shapes and where the windows lie. */
export function channelsLastConvInfo(inputShape: number[], filterShape: number[], attrs: ConvWindowAttrs): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    inputShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    "channelsLast",
  );
}

export function requireChannelsLast(kernel: string, dataFormat: unknown): void {
  if (dataFormat != null && dataFormat !== "NHWC" && dataFormat !== "channelsLast") {
    throw new Error(
      `${kernel} on the wasm backend supports only the NHWC (channels-last) layout, got '${String(dataFormat)}'. ` +
        `Build the model with dataFormat 'channelsLast' (the Keras and tfjs default).`,
    );
  }
}

