/**
 * One converter per Keras layer class: tfjs Layers (NHWC, channels last) to
 * ONNX nodes (NCHW). Tensors of rank 4 are NCHW in the graph; tensors of rank
 * 2 are [batch, features].
 *
 * Flatten needs care: Keras flattens H, W, C in that order, ONNX's Flatten of
 * an NCHW tensor gives C, H, W. Rather than transposing before every Flatten,
 * the flattened tensor carries the permutation (`order`), the next Dense
 * layer permutes its weight rows to match (free at run time), and anything
 * else that needs Keras's order gets a Gather that restores it.
 */
import type * as tf from "@tensorflow/tfjs";
import { writeActivation, writeClip } from "./activations";
import { OnnxGraphBuilder } from "./onnx/graph-builder";

/** A tensor of the graph being written. */
export interface OnnxValue {
  name: string;
  /** ONNX layout; `null` is the batch dimension. */
  shape: (number | null)[];
  /** For flattened tensors: graph element j holds Keras feature order[j]. */
  order?: Int32Array;
  /** Set when the value is a bare Conv/Gemm output whose weights may absorb a following BatchNormalization. */
  linear?: { weight: string; bias: string; outputAxis: 0 | 1 };
  /** True when the value is a softmax over its last axis (probabilities). */
  isSoftmax?: boolean;
}

export interface ConversionContext {
  builder: OnnxGraphBuilder;
  layer: tf.layers.Layer;
  config: Record<string, unknown>;
  inputs: OnnxValue[];
  /** For each input: how many layers (or the model output) read it. */
  inputConsumers: number[];
  /** Folding BatchNormalization into the preceding Conv/Dense (default true). */
  foldBatchNorm: boolean;
}

type LayerConverter = (ctx: ConversionContext) => OnnxValue;

const CONVERTERS: Record<string, LayerConverter> = {
  Conv2D: convertConv2D,
  DepthwiseConv2D: convertDepthwiseConv2D,
  Dense: convertDense,
  MaxPooling2D: (ctx) => convertPooling(ctx, "MaxPool"),
  AveragePooling2D: (ctx) => convertPooling(ctx, "AveragePool"),
  GlobalAveragePooling2D: (ctx) => convertGlobalPooling(ctx, "GlobalAveragePool"),
  GlobalMaxPooling2D: (ctx) => convertGlobalPooling(ctx, "GlobalMaxPool"),
  BatchNormalization: convertBatchNormalization,
  Dropout: passThrough,
  GaussianNoise: passThrough,
  GaussianDropout: passThrough,
  AlphaDropout: passThrough,
  Flatten: convertFlatten,
  Activation: (ctx) => activation(ctx, single(ctx), String(ctx.config.activation)),
  ReLU: convertReLULayer,
  LeakyReLU: (ctx) =>
    elementwise(ctx, (x) =>
      ctx.builder.add1("LeakyRelu", [x], { name: ctx.layer.name, attributes: { alpha: { float: Number(ctx.config.alpha ?? 0.3) } } }),
    ),
  ELU: (ctx) =>
    elementwise(ctx, (x) => ctx.builder.add1("Elu", [x], { name: ctx.layer.name, attributes: { alpha: { float: Number(ctx.config.alpha ?? 1) } } })),
  Softmax: convertSoftmaxLayer,
  ZeroPadding2D: convertZeroPadding2D,
  UpSampling2D: convertUpSampling2D,
  Rescaling: convertRescaling,
  Add: (ctx) => convertMerge(ctx, "Add"),
  Multiply: (ctx) => convertMerge(ctx, "Mul"),
  Maximum: (ctx) => convertMerge(ctx, "Max"),
  Minimum: (ctx) => convertMerge(ctx, "Min"),
  Average: convertAverage,
  Concatenate: convertConcatenate,
};

/** Keras layer classes exportOnnx can write (InputLayer aside). */
export const SUPPORTED_LAYERS = Object.keys(CONVERTERS);

export function converterFor(className: string, layerName: string): LayerConverter {
  const converter = CONVERTERS[className];
  if (!converter) {
    throw new Error(
      `exportOnnx cannot convert layer "${layerName}" (${className}). Supported layers: ${SUPPORTED_LAYERS.join(", ")}. ` +
        `Replace it with supported layers, or export the part of the model before it.`,
    );
  }
  return converter;
}

// ---------- helpers ----------

function single(ctx: ConversionContext): OnnxValue {
  if (ctx.inputs.length !== 1) throw new Error(`Layer "${ctx.layer.name}" expects one input, got ${ctx.inputs.length}.`);
  return ctx.inputs[0];
}

function weightsOf(layer: tf.layers.Layer): Map<string, { shape: number[]; values: Float32Array }> {
  const result = new Map<string, { shape: number[]; values: Float32Array }>();
  const tensors = layer.getWeights();
  layer.weights.forEach((variable, i) => {
    // originalName is "layer/kernel"; keep the last part.
    const key = variable.originalName.split("/").pop() as string;
    result.set(key, { shape: tensors[i].shape, values: tensors[i].dataSync() as Float32Array });
  });
  return result;
}

function requireWeight(layer: tf.layers.Layer, weights: ReturnType<typeof weightsOf>, key: string) {
  const w = weights.get(key);
  if (!w) throw new Error(`Layer "${layer.name}" has no "${key}" weight; has the model been built (called or compiled) before export?`);
  return w;
}

function channelAxisOf(value: OnnxValue): number {
  return value.shape.length === 4 ? 1 : value.shape.length - 1;
}

function requireChannelsLast(ctx: ConversionContext): void {
  const format = ctx.config.dataFormat;
  if (format !== undefined && format !== "channelsLast") {
    throw new Error(`Layer "${ctx.layer.name}" uses dataFormat "${String(format)}"; exportOnnx handles channelsLast models (tfjs's default) only.`);
  }
}

function requireRank4(ctx: ConversionContext, value: OnnxValue): void {
  if (value.shape.length !== 4) {
    throw new Error(`Layer "${ctx.layer.name}" (${ctx.layer.getClassName()}) expects an image tensor [batch, height, width, channels]; its input has rank ${value.shape.length}.`);
  }
}

function pair(value: unknown, fallback: number): [number, number] {
  if (Array.isArray(value)) return [Number(value[0]), Number(value[1] ?? value[0])];
  if (typeof value === "number") return [value, value];
  return [fallback, fallback];
}

/**
 * ONNX pads [top, left, bottom, right] matching TensorFlow's "same" and
 * "valid": "same" gives ceil(size / stride) outputs, the extra padding at the
 * bottom/right.
 */
function explicitPads(padding: unknown, inSize: [number, number], kernel: [number, number], strides: [number, number], dilation: [number, number]): number[] {
  if (padding === "valid") return [0, 0, 0, 0];
  if (padding !== "same") throw new Error(`Padding "${String(padding)}" is not supported; use "valid" or "same".`);
  const before: number[] = [];
  const after: number[] = [];
  for (let i = 0; i < 2; i++) {
    const effectiveKernel = (kernel[i] - 1) * dilation[i] + 1;
    const out = Math.ceil(inSize[i] / strides[i]);
    const total = Math.max((out - 1) * strides[i] + effectiveKernel - inSize[i], 0);
    before.push(Math.floor(total / 2));
    after.push(total - Math.floor(total / 2));
  }
  return [before[0], before[1], after[0], after[1]];
}

function outputShapeNCHW(layer: tf.layers.Layer): (number | null)[] {
  const shape = layer.outputShape as (number | null)[];
  if (shape.length === 4) return [null, shape[3], shape[1], shape[2]];
  return [null, ...shape.slice(1)];
}

function activation(ctx: ConversionContext, value: OnnxValue, name: string): OnnxValue {
  if (name === "linear" || name === "undefined") return value;
  const isSoftmax = name === "softmax";
  if ((isSoftmax || name === "logSoftmax") && value.order) value = materialize(ctx.builder, value, ctx.layer.name);
  const out = writeActivation(ctx.builder, name, value.name, channelAxisOf(value), ctx.layer.name);
  return { name: out, shape: value.shape, order: value.order, isSoftmax: isSoftmax && value.shape.length === 2 };
}

function elementwise(ctx: ConversionContext, write: (x: string) => string): OnnxValue {
  const value = single(ctx);
  return { name: write(value.name), shape: value.shape, order: value.order };
}

/** Restores Keras's feature order on a flattened tensor. */
export function materialize(builder: OnnxGraphBuilder, value: OnnxValue, name: string): OnnxValue {
  if (!value.order) return value;
  const inverse = new Array<number>(value.order.length);
  value.order.forEach((feature, j) => (inverse[feature] = j));
  const indices = builder.int64Constant(`${name}/keras_order`, [inverse.length], inverse);
  const out = builder.add1("Gather", [value.name, indices], { name: `${name}/restore_keras_order`, attributes: { axis: 1 } });
  return { name: out, shape: value.shape };
}

function passThrough(ctx: ConversionContext): OnnxValue {
  const input = single(ctx);
  // Still foldable only while nothing else reads the Conv/Dense output.
  return ctx.inputConsumers[0] === 1 ? input : { ...input, linear: undefined };
}

// ---------- layers ----------

function convertConv2D(ctx: ConversionContext): OnnxValue {
  return convertConvolution(ctx, "kernel", (values, [kh, kw, cin, cout]) => {
    // HWIO → OIHW
    const oihw = new Float32Array(values.length);
    for (let y = 0; y < kh; y++)
      for (let x = 0; x < kw; x++)
        for (let i = 0; i < cin; i++) for (let o = 0; o < cout; o++) oihw[((o * cin + i) * kh + y) * kw + x] = values[((y * kw + x) * cin + i) * cout + o];
    return { oihw, shape: [cout, cin, kh, kw], group: 1 };
  });
}

function convertDepthwiseConv2D(ctx: ConversionContext): OnnxValue {
  return convertConvolution(ctx, "depthwise_kernel", (values, [kh, kw, cin, multiplier]) => {
    // [kh, kw, cin, m] → [cin*m, 1, kh, kw], output channel c*m + j (tf's order).
    const oihw = new Float32Array(values.length);
    for (let y = 0; y < kh; y++)
      for (let x = 0; x < kw; x++)
        for (let c = 0; c < cin; c++)
          for (let j = 0; j < multiplier; j++) oihw[((c * multiplier + j) * kh + y) * kw + x] = values[((y * kw + x) * cin + c) * multiplier + j];
    return { oihw, shape: [cin * multiplier, 1, kh, kw], group: cin };
  });
}

/**
 * A Keras convolution as one ONNX Conv (bias included), then its activation.
 * `toOIHW` lays the layer's kernel out as ONNX's [out, in / group, kh, kw]
 * and says how many groups the channels form.
 */
function convertConvolution(
  ctx: ConversionContext,
  kernelKey: string,
  toOIHW: (values: Float32Array, shape: number[]) => { oihw: Float32Array; shape: [number, number, number, number]; group: number },
): OnnxValue {
  requireChannelsLast(ctx);
  const input = single(ctx);
  requireRank4(ctx, input);
  const { builder, layer, config } = ctx;
  const weights = weightsOf(layer);
  const kernel = requireWeight(layer, weights, kernelKey);
  const { oihw, shape, group } = toOIHW(kernel.values, kernel.shape);
  const [cout, , kh, kw] = shape;
  const weight = builder.floatConstant(`${layer.name}/${kernelKey}`, shape, oihw);
  const bias = builder.floatConstant(`${layer.name}/bias`, [cout], weights.get("bias")?.values ?? new Float32Array(cout));
  const strides = pair(config.strides, 1);
  const dilations = pair(config.dilationRate, 1);
  const pads = explicitPads(config.padding, [input.shape[2] as number, input.shape[3] as number], [kh, kw], strides, dilations);
  const out = builder.add1("Conv", [input.name, weight, bias], {
    name: layer.name,
    attributes: { kernel_shape: [kh, kw], strides, dilations, pads, group },
  });
  const value: OnnxValue = { name: out, shape: outputShapeNCHW(layer), linear: { weight, bias, outputAxis: 0 } };
  return activation(ctx, value, String(config.activation ?? "linear"));
}

function convertDense(ctx: ConversionContext): OnnxValue {
  const input = single(ctx);
  const { builder, layer, config } = ctx;
  if (input.shape.length !== 2) {
    throw new Error(`Layer "${layer.name}" (Dense) gets a tensor of rank ${input.shape.length}; exportOnnx supports Dense on [batch, features] only. Put a Flatten or GlobalAveragePooling2D before it.`);
  }
  const weights = weightsOf(layer);
  const kernel = requireWeight(layer, weights, "kernel");
  const [fin, fout] = kernel.shape;
  // Gemm with transB = 1: B is [out, in], so per-output-channel quantization is axis 0.
  const b = new Float32Array(fin * fout);
  for (let j = 0; j < fin; j++) {
    const row = input.order ? input.order[j] : j; // graph feature j is Keras feature order[j]
    for (let o = 0; o < fout; o++) b[o * fin + j] = kernel.values[row * fout + o];
  }
  const weight = builder.floatConstant(`${layer.name}/kernel`, [fout, fin], b);
  const bias = builder.floatConstant(`${layer.name}/bias`, [fout], weights.get("bias")?.values ?? new Float32Array(fout));
  const out = builder.add1("Gemm", [input.name, weight, bias], { name: layer.name, attributes: { transB: 1 } });
  const value: OnnxValue = { name: out, shape: [null, fout], linear: { weight, bias, outputAxis: 0 } };
  return activation(ctx, value, String(config.activation ?? "linear"));
}

function convertPooling(ctx: ConversionContext, op: "MaxPool" | "AveragePool"): OnnxValue {
  requireChannelsLast(ctx);
  const input = single(ctx);
  requireRank4(ctx, input);
  const { config, layer } = ctx;
  const kernel = pair(config.poolSize, 2);
  const strides = pair(config.strides ?? config.poolSize, 2);
  const pads = explicitPads(config.padding ?? "valid", [input.shape[2] as number, input.shape[3] as number], kernel, strides, [1, 1]);
  // AveragePool: TensorFlow leaves padding out of the average, ONNX's default (count_include_pad = 0).
  const out = ctx.builder.add1(op, [input.name], { name: layer.name, attributes: { kernel_shape: kernel, strides, pads } });
  return { name: out, shape: outputShapeNCHW(layer) };
}

function convertGlobalPooling(ctx: ConversionContext, op: "GlobalAveragePool" | "GlobalMaxPool"): OnnxValue {
  requireChannelsLast(ctx);
  const input = single(ctx);
  requireRank4(ctx, input);
  const pooled = ctx.builder.add1(op, [input.name], { name: ctx.layer.name });
  const shape = outputShapeNCHW(ctx.layer);
  if (shape.length === 4) return { name: pooled, shape }; // keepDims
  const out = ctx.builder.add1("Flatten", [pooled], { name: `${ctx.layer.name}/flatten`, attributes: { axis: 1 } });
  return { name: out, shape };
}

function convertBatchNormalization(ctx: ConversionContext): OnnxValue {
  let input = single(ctx);
  const { builder, layer, config } = ctx;
  const rank = input.shape.length;
  const axis = Number(config.axis ?? -1);
  if (!(axis === -1 || axis === rank - 1)) {
    throw new Error(`Layer "${layer.name}" normalizes axis ${axis}; exportOnnx supports BatchNormalization over the channels (axis -1) only.`);
  }
  const epsilon = Number(config.epsilon ?? 1e-3);
  const weights = weightsOf(layer);
  const mean = requireWeight(layer, weights, "moving_mean").values;
  const variance = requireWeight(layer, weights, "moving_variance").values;
  const channels = mean.length;
  const gamma = weights.get("gamma")?.values ?? new Float32Array(channels).fill(1);
  const beta = weights.get("beta")?.values ?? new Float32Array(channels);
  // y = x * a + c with a = gamma / sqrt(var + eps), c = beta - mean * a
  const a = new Float64Array(channels);
  const c = new Float64Array(channels);
  for (let k = 0; k < channels; k++) {
    a[k] = gamma[k] / Math.sqrt(variance[k] + epsilon);
    c[k] = beta[k] - mean[k] * a[k];
  }

  if (ctx.foldBatchNorm && input.linear && ctx.inputConsumers[0] === 1 && !input.order) {
    // Fold into the preceding Conv/Gemm: scale its output channels, shift its bias.
    const weight = builder.initializer(input.linear.weight);
    const bias = builder.initializer(input.linear.bias);
    if (weight && bias && weight.raw_data && bias.raw_data) {
      const w = new Float32Array(new Uint8Array(weight.raw_data).buffer);
      const bvals = new Float32Array(new Uint8Array(bias.raw_data).buffer);
      const perChannel = w.length / channels;
      for (let k = 0; k < channels; k++) {
        for (let i = 0; i < perChannel; i++) w[k * perChannel + i] *= a[k];
        bvals[k] = bvals[k] * a[k] + c[k];
      }
      weight.raw_data = new Uint8Array(w.buffer);
      bias.raw_data = new Uint8Array(bvals.buffer);
      return { name: input.name, shape: input.shape };
    }
  }

  if (input.order) input = materialize(builder, input, layer.name);
  const scale = builder.floatConstant(`${layer.name}/gamma`, [channels], gamma);
  const shift = builder.floatConstant(`${layer.name}/beta`, [channels], beta);
  const runningMean = builder.floatConstant(`${layer.name}/moving_mean`, [channels], mean);
  const runningVar = builder.floatConstant(`${layer.name}/moving_variance`, [channels], variance);
  const out = builder.add1("BatchNormalization", [input.name, scale, shift, runningMean, runningVar], {
    name: layer.name,
    attributes: { epsilon: { float: epsilon } },
  });
  return { name: out, shape: input.shape };
}

function convertFlatten(ctx: ConversionContext): OnnxValue {
  const input = single(ctx);
  if (input.shape.length === 2) return input;
  requireRank4(ctx, input);
  const [, c, h, w] = input.shape as number[];
  const out = ctx.builder.add1("Flatten", [input.name], { name: ctx.layer.name, attributes: { axis: 1 } });
  // Graph element j = (ch, y, x) in C,H,W order holds Keras feature (y, x, ch) in H,W,C order.
  const order = new Int32Array(c * h * w);
  for (let ch = 0; ch < c; ch++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) order[(ch * h + y) * w + x] = (y * w + x) * c + ch;
  return { name: out, shape: [null, c * h * w], order };
}

function convertReLULayer(ctx: ConversionContext): OnnxValue {
  const maxValue = ctx.config.maxValue;
  if (maxValue === null || maxValue === undefined) return elementwise(ctx, (x) => ctx.builder.add1("Relu", [x], { name: ctx.layer.name }));
  return elementwise(ctx, (x) => writeClip(ctx.builder, x, 0, Number(maxValue), ctx.layer.name));
}

function convertSoftmaxLayer(ctx: ConversionContext): OnnxValue {
  let input = single(ctx);
  const rank = input.shape.length;
  // tfjs's Softmax layer defaults to axis 1 (Keras: -1); both are honoured as given.
  let axis = Number(ctx.config.axis ?? -1);
  if (axis < 0) axis += rank;
  if (!(axis >= 1 && axis < rank)) throw new Error(`Layer "${ctx.layer.name}" takes softmax over axis ${ctx.config.axis}, which its rank-${rank} input does not have.`);
  if (input.order) input = materialize(ctx.builder, input, ctx.layer.name);
  const out = ctx.builder.add1("Softmax", [input.name], { name: ctx.layer.name, attributes: { axis: onnxAxis(axis, rank) } });
  return { name: out, shape: input.shape, isSoftmax: rank === 2 };
}

/** A Keras axis of an NHWC tensor → the ONNX axis of the NCHW tensor: H 1 → 2, W 2 → 3, C 3 → 1. */
function onnxAxis(kerasAxis: number, rank: number): number {
  return rank === 4 ? [0, 2, 3, 1][kerasAxis] : kerasAxis;
}

function convertZeroPadding2D(ctx: ConversionContext): OnnxValue {
  requireChannelsLast(ctx);
  const input = single(ctx);
  requireRank4(ctx, input);
  const padding = ctx.config.padding;
  let top: number, bottom: number, left: number, right: number;
  if (typeof padding === "number") [top, bottom, left, right] = [padding, padding, padding, padding];
  else if (Array.isArray(padding) && Array.isArray(padding[0])) [[top, bottom], [left, right]] = padding as [number[], number[]];
  else if (Array.isArray(padding)) [top, bottom, left, right] = [padding[0], padding[0], padding[1], padding[1]];
  else [top, bottom, left, right] = [1, 1, 1, 1];
  const pads = ctx.builder.int64Constant(`${ctx.layer.name}/pads`, [8], [0, 0, top, left, 0, 0, bottom, right]);
  const out = ctx.builder.add1("Pad", [input.name, pads], { name: ctx.layer.name, attributes: { mode: "constant" } });
  return { name: out, shape: outputShapeNCHW(ctx.layer) };
}

function convertRescaling(ctx: ConversionContext): OnnxValue {
  const scale = Number(ctx.config.scale);
  const offset = Number(ctx.config.offset ?? 0);
  return elementwise(ctx, (x) => {
    const scaled = ctx.builder.add1("Mul", [x, ctx.builder.floatConstant(`${ctx.layer.name}/scale`, [], [scale])], { name: `${ctx.layer.name}/scale` });
    if (offset === 0) return scaled;
    return ctx.builder.add1("Add", [scaled, ctx.builder.floatConstant(`${ctx.layer.name}/offset`, [], [offset])], { name: `${ctx.layer.name}/offset` });
  });
}

function mergeInputs(ctx: ConversionContext): OnnxValue[] {
  if (ctx.inputs.length < 2) throw new Error(`Layer "${ctx.layer.name}" merges tensors and needs at least two inputs.`);
  // Elementwise merges of two flattened tensors with the same permutation could stay permuted; restoring is simpler and always right.
  return ctx.inputs.map((v) => materialize(ctx.builder, v, ctx.layer.name));
}

function convertMerge(ctx: ConversionContext, op: "Add" | "Mul" | "Max" | "Min"): OnnxValue {
  const inputs = mergeInputs(ctx);
  let current = inputs[0].name;
  if (op === "Max" || op === "Min") current = ctx.builder.add1(op, inputs.map((v) => v.name), { name: ctx.layer.name });
  else for (let i = 1; i < inputs.length; i++) current = ctx.builder.add1(op, [current, inputs[i].name], { name: ctx.layer.name });
  return { name: current, shape: outputShapeNCHW(ctx.layer) };
}

function convertAverage(ctx: ConversionContext): OnnxValue {
  const inputs = mergeInputs(ctx);
  const sum = ctx.builder.add1("Sum", inputs.map((v) => v.name), { name: `${ctx.layer.name}/sum` });
  const out = ctx.builder.add1("Mul", [sum, ctx.builder.floatConstant(`${ctx.layer.name}/inverse_count`, [], [1 / inputs.length])], { name: ctx.layer.name });
  return { name: out, shape: outputShapeNCHW(ctx.layer) };
}

/**
 * Nearest-neighbour enlargement by whole factors: tfjs's resizeNearestNeighbor
 * (no corner alignment, no half-pixel centres) takes source pixel ⌊x / s⌋,
 * which is ONNX Resize with "asymmetric" coordinates and "floor" rounding.
 */
function convertUpSampling2D(ctx: ConversionContext): OnnxValue {
  requireChannelsLast(ctx);
  const input = single(ctx);
  requireRank4(ctx, input);
  if ((ctx.config.interpolation ?? "nearest") !== "nearest") {
    throw new Error(`Layer "${ctx.layer.name}" enlarges with "${String(ctx.config.interpolation)}" interpolation; exportOnnx writes "nearest" only.`);
  }
  const [sh, sw] = pair(ctx.config.size, 2);
  const scales = ctx.builder.floatConstant(`${ctx.layer.name}/scales`, [4], [1, 1, sh, sw]);
  const out = ctx.builder.add1("Resize", [input.name, "", scales], {
    name: ctx.layer.name,
    attributes: { mode: "nearest", coordinate_transformation_mode: "asymmetric", nearest_mode: "floor" },
  });
  return { name: out, shape: outputShapeNCHW(ctx.layer) };
}

function convertConcatenate(ctx: ConversionContext): OnnxValue {
  const inputs = mergeInputs(ctx);
  const rank = inputs[0].shape.length;
  let axis = Number(ctx.config.axis ?? -1);
  if (axis < 0) axis += rank;
  const out = ctx.builder.add1("Concat", inputs.map((v) => v.name), { name: ctx.layer.name, attributes: { axis: onnxAxis(axis, rank) } });
  return { name: out, shape: outputShapeNCHW(ctx.layer) };
}
