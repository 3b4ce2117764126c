/**
 * Keras activations as ONNX nodes. Each function takes the tensor's name and
 * the ONNX axis of its channels (for softmax) and returns the result's name.
 */
import { OnnxGraphBuilder } from "./onnx/graph-builder";

type ActivationWriter = (builder: OnnxGraphBuilder, input: string, channelAxis: number, name: string) => string;

const ACTIVATIONS: Record<string, ActivationWriter> = {
  linear: (_b, x) => x,
  relu: (b, x, _a, name) => b.add1("Relu", [x], { name: `${name}/relu` }),
  relu6: (b, x, _a, name) => clip(b, x, 0, 6, name),
  elu: (b, x, _a, name) => b.add1("Elu", [x], { name: `${name}/elu`, attributes: { alpha: { float: 1 } } }),
  // Keras's SELU constants are ONNX's defaults.
  selu: (b, x, _a, name) => b.add1("Selu", [x], { name: `${name}/selu` }),
  sigmoid: (b, x, _a, name) => b.add1("Sigmoid", [x], { name: `${name}/sigmoid` }),
  // tfjs: clip(0.2 x + 0.5, 0, 1), ONNX's defaults.
  hardSigmoid: (b, x, _a, name) =>
    b.add1("HardSigmoid", [x], { name: `${name}/hard_sigmoid`, attributes: { alpha: { float: 0.2 }, beta: { float: 0.5 } } }),
  softplus: (b, x, _a, name) => b.add1("Softplus", [x], { name: `${name}/softplus` }),
  softsign: (b, x, _a, name) => b.add1("Softsign", [x], { name: `${name}/softsign` }),
  tanh: (b, x, _a, name) => b.add1("Tanh", [x], { name: `${name}/tanh` }),
  softmax: (b, x, axis, name) => b.add1("Softmax", [x], { name: `${name}/softmax`, attributes: { axis } }),
  logSoftmax: (b, x, axis, name) => b.add1("LogSoftmax", [x], { name: `${name}/log_softmax`, attributes: { axis } }),
  swish: (b, x, _a, name) => b.add1("Mul", [x, b.add1("Sigmoid", [x], { name: `${name}/swish_sigmoid` })], { name: `${name}/swish` }),
  mish: (b, x, _a, name) => {
    const softplus = b.add1("Softplus", [x], { name: `${name}/mish_softplus` });
    return b.add1("Mul", [x, b.add1("Tanh", [softplus], { name: `${name}/mish_tanh` })], { name: `${name}/mish` });
  },
  gelu: (b, x, _a, name) => {
    // x * 0.5 * (1 + erf(x / sqrt 2)), as tfjs computes it.
    const scaled = b.add1("Mul", [x, b.floatConstant(`${name}/inv_sqrt2`, [], [Math.SQRT1_2])], { name: `${name}/gelu_scale` });
    const erf = b.add1("Erf", [scaled], { name: `${name}/gelu_erf` });
    const onePlus = b.add1("Add", [erf, b.floatConstant(`${name}/one`, [], [1])], { name: `${name}/gelu_add` });
    const half = b.add1("Mul", [x, b.floatConstant(`${name}/half`, [], [0.5])], { name: `${name}/gelu_half` });
    return b.add1("Mul", [half, onePlus], { name: `${name}/gelu` });
  },
};

export const SUPPORTED_ACTIVATIONS = Object.keys(ACTIVATIONS);

function clip(builder: OnnxGraphBuilder, x: string, min: number, max: number, name: string): string {
  const lo = builder.floatConstant(`${name}/clip_min`, [], [min]);
  const hi = builder.floatConstant(`${name}/clip_max`, [], [max]);
  return builder.add1("Clip", [x, lo, hi], { name: `${name}/clip` });
}

export function writeClip(builder: OnnxGraphBuilder, x: string, min: number, max: number, name: string): string {
  return clip(builder, x, min, max, name);
}

/** Writes activation `activation` (a Keras name) applied to `input`. */
export function writeActivation(builder: OnnxGraphBuilder, activation: string, input: string, channelAxis: number, layerName: string): string {
  const writer = ACTIVATIONS[activation];
  if (!writer) {
    throw new Error(
      `Layer "${layerName}" uses the activation "${activation}", which exportOnnx cannot write. Supported activations: ${SUPPORTED_ACTIVATIONS.join(", ")}.`,
    );
  }
  return writer(builder, input, channelAxis, layerName);
}
