/**
 * Initial weights: seeded, so the same seed builds the same network, and
 * checked, so a kernel that starts as zeros (or any constant) is refused
 * with the reason. The workshop's rule: "do not init to 0".
 */
import * as tf from "@tensorflow/tfjs";
import { mixSeeds } from "../data";

/** Random initializers a kernel may use (tfjs's names, as in Keras). */
export type InitializerName =
  | "glorotUniform"
  | "glorotNormal"
  | "heUniform"
  | "heNormal"
  | "leCunUniform"
  | "leCunNormal";

/** Each random initializer by name. */
const INITIALIZERS: Record<InitializerName, (args: { seed: number }) => Initializer> = {
  glorotUniform: (args) => tf.initializers.glorotUniform(args),
  glorotNormal: (args) => tf.initializers.glorotNormal(args),
  heUniform: (args) => tf.initializers.heUniform(args),
  heNormal: (args) => tf.initializers.heNormal(args),
  leCunUniform: (args) => tf.initializers.leCunUniform(args),
  leCunNormal: (args) => tf.initializers.leCunNormal(args),
};

export const INITIALIZER_NAMES = Object.keys(INITIALIZERS) as readonly InitializerName[];

/** Names that give every weight of a kernel the same value. */
const CONSTANT_NAMES = ["zeros", "zero", "ones", "one", "constant"];

/** Why a constant kernel cannot learn, in the words a learner needs. */
export function symmetryExplanation(layerName: string, what: string): string {
  return (
    `Layer "${layerName}": ${what}. Do not initialize a kernel to 0 (or to any single value): every unit of the layer ` +
    `then computes the same output, receives the same gradient and changes in the same way, so the units stay ` +
    `identical forever and the layer behaves like one unit (with zeros, nothing before it even gets a gradient). ` +
    `Random initial weights break this symmetry. Use the default ("glorotUniform") or another random initializer ` +
    `such as "heNormal"; zeros are fine for biases.`
  );
}

export class ZeroInitializationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ZeroInitializationError";
  }
}

/**
 * A seeded tfjs initializer for a kernel. `name` is one of INITIALIZER_NAMES;
 * "zeros", "ones" and "constant" are refused with the reason.
 */
/** A tfjs weight initializer. */
export type Initializer = ReturnType<typeof tf.initializers.glorotUniform>;

export function kernelInitializer(name: string, seed: number, layerName: string): Initializer {
  if (CONSTANT_NAMES.includes(name.toLowerCase())) {
    throw new ZeroInitializationError(symmetryExplanation(layerName, `its kernel initializer is "${name}"`));
  }
  if (!(INITIALIZER_NAMES as readonly string[]).includes(name)) {
    throw new Error(
      `Layer "${layerName}": unknown kernel initializer "${name}". Use one of ${INITIALIZER_NAMES.map((n) => `"${n}"`).join(", ")}.`,
    );
  }
  // tfjs treats seed 0 as "no seed", so a derived seed must never be 0.
  const args = { seed: seed || 1 };
  return INITIALIZERS[name as InitializerName](args);
}

/** The seed of one layer's kernel: different for every layer, fixed by the model's seed. */
export function layerSeed(modelSeed: number, layerIndex: number): number {
  return mixSeeds(modelSeed, layerIndex, 7) || 1;
}

/** A fresh model seed when none is given (recorded, so the run can be repeated). */
export function freshSeed(): number {
  return Math.floor(Math.random() * 2 ** 31) + 1;
}

/**
 * Checks a tfjs layer's configured kernel initializer (for layers built with
 * tf.layers directly). Throws ZeroInitializationError for constant ones.
 */
export function checkLayerInitializers(layer: tf.layers.Layer): void {
  const config = layer.getConfig() as Record<string, unknown>;
  for (const key of ["kernelInitializer", "depthwiseInitializer", "pointwiseInitializer"]) {
    const value = config[key] as { className?: string; config?: { value?: number } } | undefined;
    const className = value?.className?.toLowerCase();
    if (className && CONSTANT_NAMES.includes(className)) {
      const detail = className === "constant" ? ` (value ${String(value?.config?.value)})` : "";
      throw new ZeroInitializationError(symmetryExplanation(layer.name, `its ${key} is ${value!.className}${detail}`));
    }
  }
}

/** Weights of a layer that are kernels (not biases, not batch-norm statistics). */
export function isKernelWeight(originalName: string): boolean {
  return /(^|\/)(kernel|depthwise_kernel|pointwise_kernel)$/.test(originalName);
}

/**
 * Checks the actual values of every conv/dense kernel of a model: one whose
 * weights are all equal cannot learn (see symmetryExplanation). Reads each
 * kernel's minimum and maximum once.
 */
export function checkKernelsNotConstant(model: tf.LayersModel): void {
  for (const layer of model.layers) {
    for (const weight of layer.trainableWeights) {
      if (!isKernelWeight(weight.originalName) || (weight.shape as number[]).reduce((a, b) => a * b, 1) < 2) continue;
      const [min, max] = tf.tidy(() => {
        const value = weight.read();
        return [value.min().dataSync()[0], value.max().dataSync()[0]];
      });
      if (min === max) {
        const what = min === 0 ? "every weight of its kernel is 0" : `every weight of its kernel is ${min}`;
        throw new ZeroInitializationError(symmetryExplanation(layer.name, what));
      }
    }
  }
}
