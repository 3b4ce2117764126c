/**
 * Typed layer specs for `sequential([...])`: small descriptions of layers,
 * turned into tfjs layers (with seeded initial weights) when the model is
 * built. Defaults follow Keras (and Caffe, where they agree): stride 1,
 * "valid" padding, no activation unless asked for, Glorot-uniform kernels,
 * zero biases.
 */
import * as tf from "@tensorflow/tfjs";
import { kernelInitializer, layerSeed } from "./initializers";

/** Activation functions a layer may apply (tfjs's names). */
export type ActivationName =
  | "linear"
  | "relu"
  | "relu6"
  | "elu"
  | "selu"
  | "sigmoid"
  | "tanh"
  | "softmax"
  | "softplus"
  | "swish";

const ACTIVATIONS: readonly ActivationName[] = ["linear", "relu", "relu6", "elu", "selu", "sigmoid", "tanh", "softmax", "softplus", "swish"];

/** A layer, described; `sequential()` builds it. */
export interface LayerSpec {
  /** "conv", "dense", "maxPool", ... */
  readonly kind: LayerKind;
  /** The name given, if any (otherwise conv1, pool1, fc1, ... by position). */
  readonly name?: string;
  /** One line, e.g. "conv 20@5×5". */
  readonly description: string;
  /** Makes the tfjs layer. `seed` is this layer's own seed. */
  build(name: string, seed: number, inputShape?: number[]): tf.layers.Layer;
}

export type LayerKind =
  | "conv"
  | "dense"
  | "maxPool"
  | "avgPool"
  | "globalAvgPool"
  | "flatten"
  | "dropout"
  | "batchNorm"
  | "activation"
  | "rescale";

/** Name prefixes for automatic names: conv1, pool1, fc1, ... (Caffe-style, as DIGITS shows them). */
export const NAME_PREFIX: Record<LayerKind, string> = {
  conv: "conv",
  dense: "fc",
  maxPool: "pool",
  avgPool: "pool",
  globalAvgPool: "gap",
  flatten: "flatten",
  dropout: "drop",
  batchNorm: "bn",
  activation: "act",
  rescale: "scale",
};

type Pair = number | [number, number];

export interface ConvOptions {
  /** Number of filters (output channels). Required. */
  filters: number;
  /** Kernel size: 5 or [5, 5]. Required. */
  kernel: Pair;
  /** Step between applications. Default 1. */
  stride?: Pair;
  /** "valid" (no padding: the output shrinks by kernel − 1) or "same". Default "valid", as Keras and Caffe. */
  padding?: "valid" | "same";
  /** Default "linear" (none), as Keras; add activation: "relu" or a relu() layer. */
  activation?: ActivationName;
  /** Default true. */
  useBias?: boolean;
  /** Default "glorotUniform" (Keras); "zeros" is refused. */
  kernelInitializer?: string;
  name?: string;
}

export interface DenseOptions {
  /** Number of outputs. Required. */
  units: number;
  /** Default "linear" (none), as Keras. */
  activation?: ActivationName;
  /** Default true. */
  useBias?: boolean;
  /** Default "glorotUniform" (Keras); "zeros" is refused. */
  kernelInitializer?: string;
  name?: string;
}

export interface PoolOptions {
  /** Window size. Default 2. */
  size?: Pair;
  /** Step between windows. Default: the window size (no overlap). */
  stride?: Pair;
  /** Default "valid". */
  padding?: "valid" | "same";
  name?: string;
}

export interface BatchNormOptions {
  /** Weight of the old value in the moving mean and variance. Default 0.99 (Keras). */
  momentum?: number;
  /** Added to the variance. Default 0.001 (Keras). */
  epsilon?: number;
  name?: string;
}

function positiveInteger(value: unknown, what: string, example: string): number {
  if (!(typeof value === "number" && Number.isInteger(value) && value >= 1)) {
    throw new Error(`${what} must be a whole number of at least 1 (got ${String(value)}). For example ${example}.`);
  }
  return value;
}

function pair(value: Pair, what: string, example: string): [number, number] {
  const values = Array.isArray(value) ? value : [value, value];
  if (values.length !== 2) throw new Error(`${what} must be one number or two, [height, width] (got [${values.join(", ")}]).`);
  return [positiveInteger(values[0], what, example), positiveInteger(values[1], what, example)];
}

function activationName(value: string | undefined, what: string): ActivationName {
  const name = value ?? "linear";
  if (!(ACTIVATIONS as readonly string[]).includes(name)) {
    throw new Error(`${what}: unknown activation "${name}". Use one of ${ACTIVATIONS.map((a) => `"${a}"`).join(", ")}.`);
  }
  return name as ActivationName;
}

function paddingMode(value: string | undefined, what: string): "valid" | "same" {
  const padding = value ?? "valid";
  if (padding !== "valid" && padding !== "same") throw new Error(`${what}: padding must be "valid" or "same" (got "${padding}").`);
  return padding;
}

function checkKeys(options: object, allowed: string[], what: string): void {
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) throw new Error(`${what}: unknown option "${key}". The options are ${allowed.join(", ")}.`);
  }
}

const size = (p: [number, number]): string => (p[0] === p[1] ? `${p[0]}` : `${p[0]}×${p[1]}`);

/** A 2-D convolution: `conv({ filters: 20, kernel: 5 })`. */
export function conv(options: ConvOptions): LayerSpec {
  if (!options || typeof options !== "object") throw new Error("conv() takes options, e.g. conv({ filters: 20, kernel: 5 }).");
  checkKeys(options, ["filters", "kernel", "stride", "padding", "activation", "useBias", "kernelInitializer", "name"], "conv");
  const filters = positiveInteger(options.filters, "conv: filters", "conv({ filters: 20, kernel: 5 })");
  if (options.kernel === undefined) throw new Error("conv: kernel (the kernel size) is required, e.g. conv({ filters: 20, kernel: 5 }).");
  const kernel = pair(options.kernel, "conv: kernel", "conv({ filters: 20, kernel: 5 })");
  const stride = pair(options.stride ?? 1, "conv: stride", "conv({ filters: 20, kernel: 5, stride: 2 })");
  const padding = paddingMode(options.padding, "conv");
  const activation = activationName(options.activation, "conv");
  const init = options.kernelInitializer ?? "glorotUniform";
  // Check the initializer now, so a zero kernel is refused where it is written.
  kernelInitializer(init, 1, options.name ?? "conv");
  const stridePart = stride[0] === 1 && stride[1] === 1 ? "" : ` stride ${size(stride)}`;
  return {
    kind: "conv",
    name: options.name,
    description:
      `conv ${filters}@${kernel[0]}×${kernel[1]}${stridePart}` +
      (padding === "same" ? " same" : "") +
      (activation === "linear" ? "" : ` ${activation}`),
    build: (name, seed, inputShape) =>
      tf.layers.conv2d({
        name,
        inputShape,
        filters,
        kernelSize: kernel,
        strides: stride,
        padding,
        activation,
        useBias: options.useBias ?? true,
        kernelInitializer: kernelInitializer(init, seed, name),
        biasInitializer: "zeros",
      }),
  };
}

/** A fully connected layer (Caffe's InnerProduct): `dense({ units: 500, activation: "relu" })`. */
export function dense(options: DenseOptions): LayerSpec {
  if (!options || typeof options !== "object") throw new Error("dense() takes options, e.g. dense({ units: 500 }).");
  checkKeys(options, ["units", "activation", "useBias", "kernelInitializer", "name"], "dense");
  const units = positiveInteger(options.units, "dense: units", "dense({ units: 500 })");
  const activation = activationName(options.activation, "dense");
  const init = options.kernelInitializer ?? "glorotUniform";
  kernelInitializer(init, 1, options.name ?? "dense");
  return {
    kind: "dense",
    name: options.name,
    description: `dense ${units}${activation === "linear" ? "" : ` ${activation}`}`,
    build: (name, seed, inputShape) =>
      tf.layers.dense({
        name,
        inputShape,
        units,
        activation,
        useBias: options.useBias ?? true,
        kernelInitializer: kernelInitializer(init, seed, name),
        biasInitializer: "zeros",
      }),
  };
}

function poolSpec(kind: "maxPool" | "avgPool", options: number | PoolOptions | undefined): LayerSpec {
  const o: PoolOptions =
    typeof options === "number" || Array.isArray(options) ? { size: options as Pair } : ((options as PoolOptions | undefined) ?? {});
  checkKeys(o, ["size", "stride", "padding", "name"], kind);
  const window = pair(o.size ?? 2, `${kind}: size`, `${kind}(2)`);
  const stride = pair(o.stride ?? window, `${kind}: stride`, `${kind}({ size: 3, stride: 2 })`);
  const padding = paddingMode(o.padding, kind);
  const label = kind === "maxPool" ? "max-pool" : "avg-pool";
  const overlap = stride[0] !== window[0] || stride[1] !== window[1] ? ` stride ${size(stride)}` : "";
  return {
    kind,
    name: o.name,
    description: `${label} ${size(window)}${overlap}${padding === "same" ? " same" : ""}`,
    build: (name, _seed, inputShape) => {
      const args = { name, inputShape, poolSize: window, strides: stride, padding };
      return kind === "maxPool" ? tf.layers.maxPooling2d(args) : tf.layers.averagePooling2d(args);
    },
  };
}

/** Max pooling: `maxPool(2)`, `maxPool({ size: 3, stride: 2 })`. Default 2×2, stride = size. */
export function maxPool(options?: number | PoolOptions): LayerSpec {
  return poolSpec("maxPool", options);
}

/** Average pooling: `avgPool(2)`. Default 2×2, stride = size. */
export function avgPool(options?: number | PoolOptions): LayerSpec {
  return poolSpec("avgPool", options);
}

/** A layer with no settings and no weights to seed. */
function settingless(kind: LayerKind, description: string, make: (args: { name: string; inputShape?: number[] }) => tf.layers.Layer, name?: string): LayerSpec {
  return { kind, name, description, build: (layerName, _seed, inputShape) => make({ name: layerName, inputShape }) };
}

/** Averages each channel over the whole image: [h, w, c] → [c]. */
export function globalAvgPool(options: { name?: string } = {}): LayerSpec {
  return settingless("globalAvgPool", "global average pool", (args) => tf.layers.globalAveragePooling2d(args), options.name);
}

/** [h, w, c] → [h·w·c]. `sequential` adds one by itself before the first dense layer after a conv or pool. */
export function flatten(options: { name?: string } = {}): LayerSpec {
  return settingless("flatten", "flatten", (args) => tf.layers.flatten(args), options.name);
}

/**
 * Dropout: during training, zeroes each value with probability `rate` (and
 * scales the rest up); does nothing at inference. Default rate 0.5
 * (AlexNet's). Its random masks come from train()'s randomSeed.
 */
export function dropout(rate = 0.5, options: { name?: string } = {}): LayerSpec {
  if (!(typeof rate === "number" && rate >= 0 && rate < 1)) {
    throw new Error(`dropout: rate must be a fraction from 0 up to (not including) 1 (got ${String(rate)}); 0.5 drops half.`);
  }
  return {
    kind: "dropout",
    name: options.name,
    description: `dropout ${rate}`,
    // No seed on purpose: tfjs would then draw the same mask at every step.
    // train() seeds each step's randomness instead.
    build: (name, _seed, inputShape) => tf.layers.dropout({ name, inputShape, rate }),
  };
}

/** Batch normalization over channels. Defaults as Keras: momentum 0.99, epsilon 0.001. */
export function batchNorm(options: BatchNormOptions = {}): LayerSpec {
  checkKeys(options, ["momentum", "epsilon", "name"], "batchNorm");
  const momentum = options.momentum ?? 0.99;
  const epsilon = options.epsilon ?? 0.001;
  if (!(momentum >= 0 && momentum < 1)) throw new Error(`batchNorm: momentum must be in [0, 1) (got ${momentum}).`);
  if (!(epsilon > 0)) throw new Error(`batchNorm: epsilon must be positive (got ${epsilon}).`);
  return {
    kind: "batchNorm",
    name: options.name,
    description: "batch norm",
    build: (name, _seed, inputShape) => tf.layers.batchNormalization({ name, inputShape, momentum, epsilon }),
  };
}

/** An activation on its own, as Caffe writes it (a ReLU layer after a convolution). */
export function activation(name: ActivationName, options: { name?: string } = {}): LayerSpec {
  const fn = activationName(name, "activation");
  return {
    kind: "activation",
    name: options.name,
    description: fn,
    build: (layerName, _seed, inputShape) => tf.layers.activation({ name: layerName, inputShape, activation: fn }),
  };
}

/** `activation("relu")`. */
export function relu(options: { name?: string } = {}): LayerSpec {
  return activation("relu", options);
}

/** `activation("softmax")`: turns scores into class probabilities. train() computes the loss from the scores before it. */
export function softmax(options: { name?: string } = {}): LayerSpec {
  return activation("softmax", options);
}

/**
 * Multiplies the input (and adds `offset`) inside the model, for a model that
 * takes raw 0-255 pixels: DIGITS's LeNet scales by 1/256 this way. Usually
 * the dataset's normalization does this instead.
 */
export function rescale(scale: number, offset = 0, options: { name?: string } = {}): LayerSpec {
  if (!(typeof scale === "number" && Number.isFinite(scale) && scale !== 0)) {
    throw new Error(`rescale: scale must be a non-zero number (got ${String(scale)}), e.g. rescale(1 / 255).`);
  }
  return {
    kind: "rescale",
    name: options.name,
    description: `×${+scale.toPrecision(4)}${offset ? ` + ${offset}` : ""}`,
    build: (name, _seed, inputShape) => tf.layers.rescaling({ name, inputShape, scale, offset }),
  };
}

/** The seed of the layer at `index` in a model seeded with `modelSeed`. */
export { layerSeed };
