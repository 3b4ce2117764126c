/**
 * A small VGG-style network: VGG's idea (stacks of 3×3 convolutions, each
 * stack ending in a 2×2 max-pool that halves the image, the number of
 * filters doubling from stack to stack) at the size of 28-64 pixel images
 * and a CPU.
 *
 *     conv1_1 16@3×3 → conv1_2 16@3×3 → pool1 → conv2_1 32@3×3 → conv2_2 32@3×3 → pool2 →
 *     fc1 128 relu → fc2 N → softmax
 *
 * Convolutions use "same" padding and ReLU, so only the pools shrink the
 * image. Two 3×3 convolutions see a 5×5 patch, like one 5×5 convolution,
 * with fewer weights and one more nonlinearity: VGG's argument for them.
 */
import type * as tf from "@tensorflow/tfjs";
import { conv, dense, LayerSpec, maxPool, softmax } from "./layers";
import { buildClassifier, numClassesOf, type ClassifierOptions } from "./classifier-options";

export interface SmallVggOptions extends ClassifierOptions {
  /** Filters of each stack; each stack is two convolutions and a pool. Default [16, 32]. */
  filters?: readonly number[];
  /** Units of the hidden dense layer. Default 128. */
  denseUnits?: number;
}

export function smallVgg(options: SmallVggOptions = {}): tf.Sequential {
  const numClasses = numClassesOf(options, "smallVgg");
  const filters = options.filters ?? [16, 32];
  if (!Array.isArray(filters) || filters.length === 0) {
    throw new Error(`smallVgg: filters must list one number per stack of convolutions, e.g. [16, 32] (got ${JSON.stringify(filters)}).`);
  }
  const layers: LayerSpec[] = [];
  filters.forEach((n, i) => {
    const stack = i + 1;
    layers.push(
      conv({ filters: n, kernel: 3, padding: "same", activation: "relu", name: `conv${stack}_1` }),
      conv({ filters: n, kernel: 3, padding: "same", activation: "relu", name: `conv${stack}_2` }),
      maxPool({ size: 2, name: `pool${stack}` }),
    );
  });
  layers.push(
    dense({ units: options.denseUnits ?? 128, activation: "relu", name: "fc1" }),
    dense({ units: numClasses, name: "fc2" }),
    softmax({ name: "prob" }),
  );
  return buildClassifier(layers, options, { name: "small-vgg", architecture: "small VGG" });
}
