/**
 * Identity and same-type Cast for the wasm backend without a copy.
 *
 * The engine clones every tensor it saves for the backward pass through the
 * Identity kernel, and the ReLU gradient casts float32 to float32. The wasm
 * backend copies the data both times; tensors are immutable, so sharing the
 * data (as the cpu and webgl backends do) is enough.
 */
import * as tf from "@tensorflow/tfjs";
import { WasmBackend, original, KernelArgs, wasmKernel } from "./kernel-calls";

function share(backend: WasmBackend, x: tf.TensorInfo): tf.TensorInfo {
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
}

export function identity(args: KernelArgs): tf.TensorInfo {
  const { x } = args.inputs as { x: tf.TensorInfo };
  if (x.dtype === "string") return original(tf.Identity).kernelFunc(args as never) as tf.TensorInfo;
  return share(args.backend as WasmBackend, x);
}

export function cast(args: KernelArgs): tf.TensorInfo {
  const { x } = args.inputs as { x: tf.TensorInfo };
  const { dtype } = args.attrs as unknown as tf.CastAttrs;
  if (x.dtype !== dtype || x.dtype === "string") return original(tf.Cast).kernelFunc(args as never) as tf.TensorInfo;
  return share(args.backend as WasmBackend, x);
}

export const identityConfig = wasmKernel(tf.Identity, identity);

export const castConfig = wasmKernel(tf.Cast, cast);
