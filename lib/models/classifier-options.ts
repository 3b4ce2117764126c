/**
 * What every ready-made classifier (lenet, mlp, smallVgg, smallAlexNet,
 * hogClassifier) takes, with its defaults written once.
 */
import type * as tf from "@tensorflow/tfjs";
import { sequential, type LayerItem } from "./sequential";

/** MNIST's digits: 28×28 pixels, one channel. */
export const DEFAULT_INPUT_SHAPE: readonly number[] = [28, 28, 1];
export const DEFAULT_NUM_CLASSES = 10;

export interface ClassifierOptions {
  /** [height, width, channels]. Default [28, 28, 1] (MNIST). */
  inputShape?: readonly number[];
  /** Number of classes. Default 10. */
  numClasses?: number;
  /** Seed of the initial weights. Default: a fresh one, recorded (see summary). */
  seed?: number;
  /** The model's name. Default: the family's own ("lenet", "mlp", "small-vgg", ...). */
  name?: string;
}

/** The number of classes, checked: a whole number of at least 2. `what` names the caller in the message. */
export function checkNumClasses(value: unknown, what: string): number {
  if (!(typeof value === "number" && Number.isInteger(value) && value >= 2)) {
    throw new Error(`${what}: numClasses must be a whole number of at least 2 (got ${String(value)}); a dataset's is dataset.numClasses.`);
  }
  return value;
}

/** `options.numClasses`, or the default, checked. */
export function numClassesOf(options: ClassifierOptions, what: string): number {
  return checkNumClasses(options.numClasses ?? DEFAULT_NUM_CLASSES, what);
}

export interface ClassifierFamily {
  /** The default model name. */
  name: string;
  /** What summary() calls the architecture. */
  architecture: string;
  /** How the model expects its input. Default "pixels normalized by the dataset". */
  inputNote?: string;
}

/** Builds the family's layers into a seeded Sequential model with the shared defaults. */
export function buildClassifier(layers: LayerItem[], options: ClassifierOptions, family: ClassifierFamily): tf.Sequential {
  return sequential(layers, {
    inputShape: options.inputShape ?? DEFAULT_INPUT_SHAPE,
    seed: options.seed,
    name: options.name ?? family.name,
    architecture: family.architecture,
    inputNote: family.inputNote ?? "pixels normalized by the dataset",
  });
}
