/**
 * Helpers for checking wasm kernels against the cpu backend.
 */
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { useBackend } from "../../lib/backend";

export const TOLERANCE = 1e-4;

/** Starts single-threaded wasm (with convlab's kernels) and cpu once, leaving wasm selected (threads.test covers 2 threads). */
export async function startBothBackends(): Promise<void> {
  await useBackend("cpu");
  await useBackend("wasm", { threads: 1 });
}

/** Deterministic normal values (a seeded generator, so failures reproduce). */
export function randomValues(size: number, seed: number): Float32Array {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    out[i] = Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  }
  return out;
}

export function sizeOf(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Runs a kernel on a backend with inputs made from plain arrays; returns shape and values (of its `output`-th output, for a kernel with several). */
export async function runKernelOn(
  backend: "cpu" | "wasm",
  kernel: string,
  inputs: Record<string, { shape: number[]; values: Float32Array | Int32Array; dtype?: tf.DataType }>,
  attrs: Record<string, unknown>,
  output = 0,
): Promise<{ shape: number[]; values: Float32Array }> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const tensors: Record<string, tf.Tensor> = {};
    for (const [name, input] of Object.entries(inputs)) {
      tensors[name] = tf.tensor(input.values, input.shape, input.dtype ?? "float32");
    }
    const result = tf.engine().runKernel(kernel, tensors as never, attrs as never) as tf.Tensor | tf.Tensor[];
    const out = Array.isArray(result) ? result[output] : result;
    return { shape: out.shape, values: out.dataSync() as Float32Array };
  });
}

/** Largest |a - b| relative to the largest |b| (or 1e-6 for an all-zero b). */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return worst / Math.max(scale, 1e-6);
}

/** Asserts that a wasm kernel matches the cpu backend on the given inputs. */
export async function assertMatchesCpu(
  kernel: string,
  inputs: Record<string, { shape: number[]; values: Float32Array | Int32Array; dtype?: tf.DataType }>,
  attrs: Record<string, unknown>,
  label: string,
): Promise<void> {
  const expected = await runKernelOn("cpu", kernel, inputs, attrs);
  const actual = await runKernelOn("wasm", kernel, inputs, attrs);
  assert.deepEqual(actual.shape, expected.shape, `${label}: shape`);
  assert.ok(expected.values.length > 0, `${label}: empty result`);
  const error = relativeError(actual.values, expected.values);
  assert.ok(error <= TOLERANCE, `${label}: relative error ${error} > ${TOLERANCE}`);
}
