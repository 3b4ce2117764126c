/**
 * MaxPool and AvgPool for the wasm backend that keep NaN.
 *
 * XNNPACK's pooling loses NaN: its max skips it, or turns a window starting
 * with one into -Infinity, and its output clamp turns an average of NaN into
 * -Infinity. A learner's NaN pixels (a broken normalization) then train
 * "fine" and no NaN guard fires. Like PyTorch, a window holding NaN pools
 * to NaN here. (tfjs's cpu backend is no model for max: its max skips NaN.)
 *
 * The usual max pooling (2x2 windows, stride 2, at least four channels)
 * goes to the generated SIMD kernel, which keeps NaN in its one pass and
 * is split across the kernel threads. Other inputs without NaN go to
 * XNNPACK after one SIMD pass that looks for NaN; inputs with NaN are
 * pooled here in JavaScript.
 */
import * as tf from "@tensorflow/tfjs";
import { WasmBackend, heapF32, original, wasmKernel } from "./kernel-calls";
import { forEachPoolWindow, poolWindowsInfo, windowsTileInside } from "./pool-windows";
import { streamOnThreads } from "./simd/parallel";
import { addressOf, simdKernels } from "./simd/runtime";

/** Whether a float32 tensor on the wasm heap holds a NaN. */
export function holdsNaN(backend: WasmBackend, x: tf.TensorInfo): boolean {
  const size = x.shape.reduce((a, b) => a * b, 1);
  const simd = simdKernels(backend);
  const checked = simd ? size - (size % 4) : 0;
  if (simd && checked > 0 && Number.isNaN(simd.anyNaN(addressOf(backend, x), checked / 4))) return true;
  const values = heapF32(backend, x);
  for (let i = checked; i < size; i++) if (Number.isNaN(values[i])) return true;
  return false;
}

type PoolKind = "max" | "avg";

/**
 * Pools NHWC `x` as the cpu backend does (an average over the window's
 * positions inside the input), except that a window holding NaN gives NaN.
 */
function poolKeepingNaN(backend: WasmBackend, x: tf.TensorInfo, info: tf.backend_util.Conv2DInfo, kind: PoolKind): tf.TensorInfo {
  const { inHeight, inWidth, inChannels: channels } = info;
  const y = backend.makeOutput(info.outShape, "float32");
  const input = heapF32(backend, x);
  const out = heapF32(backend, y);
  forEachPoolWindow(info, (b, hStart, hEnd, wStart, wEnd, position) => {
    const count = (hEnd - hStart) * (wEnd - wStart);
    for (let c = 0, at = position * channels; c < channels; c++, at++) {
      let pooled = kind === "max" ? -Infinity : 0;
      for (let h = hStart; h < hEnd; h++) {
        for (let w = wStart, i = ((b * inHeight + h) * inWidth + wStart) * channels + c; w < wEnd; w++, i += channels) {
          const v = input[i];
          if (kind === "avg") pooled += v;
          else if (v > pooled || Number.isNaN(v)) pooled = v;
          if (Number.isNaN(pooled)) break;
        }
      }
      out[at] = kind === "avg" ? pooled / count : pooled;
    }
  });
  return y;
}

/** A 2x2, stride-2 max pooling of float32 `x` on the generated kernel, or null when it does not apply. */
function maxPool2x2(backend: WasmBackend, x: tf.TensorInfo, info: tf.backend_util.Conv2DInfo): tf.TensorInfo | null {
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth, filterHeight, filterWidth } = info;
  const simd = simdKernels(backend);
  if (!simd || x.dtype !== "float32" || filterHeight !== 2 || filterWidth !== 2 || channels < 4 || !windowsTileInside(info)) return null;
  const y = backend.makeOutput(info.outShape, "float32");
  const [xAt, yAt] = [addressOf(backend, x), addressOf(backend, y)];
  const [rowBytes, imageBytes, outImageBytes] = [4 * inWidth * channels, 4 * inHeight * inWidth * channels, 4 * outHeight * outWidth * channels];
  streamOnThreads(backend, batchSize, 1, batchSize * inHeight * inWidth * channels, (first, count) => [
    ["maxPool2x2", xAt + first * imageBytes, yAt + first * outImageBytes, count, imageBytes, outHeight, outWidth, channels, rowBytes],
  ]);
  return y;
}

function poolKernel(name: typeof tf.MaxPool | typeof tf.AvgPool, kind: PoolKind): tf.KernelConfig {
  return wasmKernel(name, (args) => {
    const backend = args.backend as WasmBackend;
    const { x } = args.inputs as { x: tf.TensorInfo };
    const info = poolWindowsInfo(x.shape, args.attrs as unknown as tf.MaxPoolAttrs);
    const pooled = kind === "max" ? maxPool2x2(backend, x, info) : null;
    if (pooled) return pooled;
    if (x.dtype !== "float32" || !holdsNaN(backend, x)) return original(name).kernelFunc(args as never) as tf.TensorInfo;
    return poolKeepingNaN(backend, x, info, kind);
  });
}

export const maxPoolConfig = poolKernel(tf.MaxPool, "max");
export const avgPoolConfig = poolKernel(tf.AvgPool, "avg");
