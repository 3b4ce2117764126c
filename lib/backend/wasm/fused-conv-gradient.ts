/**
 * A convolution's gradient, one input at a time, with bias and ReLU fused
 * into the forward kernel.
 *
 * While training, tfjs runs a convolution layer through `tf.fused.conv2d`.
 * Without activation (LeNet's, as DIGITS builds it), that op's gradient
 * computes the input's, the filter's and the bias's gradients all at once,
 * whether or not anything reads them: the first layer's input gradient is
 * never read (the images are not trained), yet it cost a tenth of a LeNet
 * training step. With ReLU (every VGG layer), tfjs does not fuse at all
 * while recording gradients: a convolution, a bias add and a ReLU, two
 * extra passes over the layer's output.
 *
 * Here FusedConv2D itself runs through the engine, bias and ReLU included,
 * with a gradient in tfjs's registry that hands out one function per input:
 * tfjs's tape calls only those on the path from the trained variables. The
 * gradient behind a ReLU is taken from the saved output (./relu-grad), once
 * per layer; then the same kernels as before (Conv2DBackpropInput,
 * Conv2DBackpropFilter, a sum for the bias). Every other case (another
 * activation, no gradient being recorded, NCHW, dilations, a bias that is
 * not one value per channel) goes to tfjs's own op unchanged.
 *
 * tfjs-layers calls `tfc.fused.conv2d` through tfjs-core's `fused` namespace
 * object at each call, so replacing that one property reaches every layer.
 */
import * as tf from "@tensorflow/tfjs";
import { reluGradientWithSums } from "./relu-grad";

type FusedConv2dArgs = Parameters<typeof tf.fused.conv2d>[0];

let tfjsFusedConv2d: typeof tf.fused.conv2d | undefined;

/** Activations this module's path fuses (tfjs's others go to its own op). */
const FUSED_ACTIVATIONS: readonly string[] = ["linear", "relu"];

/** True when the call is one this module's path computes exactly as tfjs would. */
function takesLazyPath(args: FusedConv2dArgs): boolean {
  const { x, filter, bias, activation, dataFormat, dilations, preluActivationWeights } = args;
  const recording = tf.engine().state.gradientDepth > 0;
  const fusable = FUSED_ACTIVATIONS.includes(activation ?? "linear") && preluActivationWeights == null;
  const nhwc = (dataFormat ?? "NHWC") === "NHWC";
  const noDilation = dilations == null || (typeof dilations === "number" ? dilations === 1 : dilations.every((d) => d === 1));
  const tensors = x instanceof tf.Tensor && x.rank === 4 && filter instanceof tf.Tensor && filter.rank === 4;
  const perChannelBias = bias == null || (bias instanceof tf.Tensor && bias.rank === 1);
  return recording && fusable && nhwc && noDilation && tensors && perChannelBias;
}

/** `tf.fused.conv2d`, with the lazy gradient where it applies. */
function fusedConv2d(args: FusedConv2dArgs): tf.Tensor {
  const original = tfjsFusedConv2d as typeof tf.fused.conv2d;
  if (!takesLazyPath(args)) return original(args);
  const { x, filter, bias, strides, pad, dimRoundingMode, activation } = args;
  const inputs: tf.NamedTensorMap = { x: x as tf.Tensor4D, filter: filter as tf.Tensor4D };
  if (bias != null) inputs.bias = bias as tf.Tensor1D;
  const attrs = { strides, pad, dataFormat: "NHWC", dilations: [1, 1], dimRoundingMode, activation: activation ?? "linear" };
  return tf.engine().runKernel(tf.FusedConv2D, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
}

/** The gradient of a FusedConv2D (linear or ReLU), one function per input. */
export const fusedConv2dGradientConfig: tf.GradConfig = {
  kernelName: tf.FusedConv2D,
  inputsToSave: ["x", "filter"],
  outputsToSave: [true],
  gradFunc: (dyOrList, saved, attrs) => {
    const [x, filter, y] = saved;
    const { strides, pad, dimRoundingMode, activation } = attrs as unknown as { strides: number | [number, number]; pad: string | number; dimRoundingMode?: string; activation?: string };
    const fused = activation ?? "linear";
    if (!FUSED_ACTIVATIONS.includes(fused)) throw new Error(`convlab's FusedConv2D gradient handles linear and ReLU convolutions only, not "${fused}"; tfjs's own fused.conv2d computes the others.`);
    // Behind a ReLU, the gradient at the convolution's output, once for all three inputs (with the bias's in the same pass).
    const behindRelu = fused === "relu" ? reluGradientWithSums(dyOrList as tf.Tensor, y) : null;
    const dy = (behindRelu?.dx ?? dyOrList) as tf.Tensor4D;
    const conv = { strides, pad, dataFormat: "NHWC", dilations: [1, 1], dimRoundingMode };
    const engine = tf.engine();
    return {
      x: () => engine.runKernel(tf.Conv2DBackpropInput, { dy, filter }, { ...conv, inputShape: x.shape } as unknown as tf.NamedAttrMap) as tf.Tensor,
      filter: () => engine.runKernel(tf.Conv2DBackpropFilter, { x, dy }, { ...conv, filterShape: filter.shape } as unknown as tf.NamedAttrMap) as tf.Tensor,
      bias: () => (behindRelu ? behindRelu.sums() : tf.sum(dy, [0, 1, 2])),
    };
  },
};

/** Puts the lazy gradient in place (for every backend). Safe to call many times. */
export function registerFusedConv2dGradient(): void {
  tf.registerGradient(fusedConv2dGradientConfig);
  if (tfjsFusedConv2d) return;
  tfjsFusedConv2d = tf.fused.conv2d;
  (tf.fused as { conv2d: typeof tf.fused.conv2d }).conv2d = fusedConv2d as typeof tf.fused.conv2d;
}

/** Gives tfjs its own op back (to compare against it). */
export function unregisterFusedConv2dGradient(): void {
  if (!tfjsFusedConv2d) return;
  (tf.fused as { conv2d: typeof tf.fused.conv2d }).conv2d = tfjsFusedConv2d;
  tfjsFusedConv2d = undefined;
}
