/**
 * What convlab knows about a model it built: the architecture's name, the
 * seed of its initial weights and the layer list as written. Kept beside the
 * model (a WeakMap), so models stay plain tfjs Layers models.
 */
import type * as tf from "@tensorflow/tfjs";

export interface ModelInfo {
  /** e.g. "DIGITS LeNet", "small AlexNet", "MLP", "custom". */
  architecture: string;
  /** Seed of the initial weights: the same seed builds the same weights. */
  seed: number;
  /** One line per layer as written, e.g. "conv 20@5×5". */
  layers: string[];
  /** [height, width, channels] the model takes. */
  inputShape: number[];
  /** How inputs should be prepared, e.g. "pixels scaled to [0, 1] by the dataset". */
  inputNote?: string;
}

const infos = new WeakMap<tf.LayersModel, ModelInfo>();

export function recordModelInfo(model: tf.LayersModel, info: ModelInfo): void {
  infos.set(model, info);
}

/** What convlab recorded when it built `model` (undefined for models built elsewhere). */
export function modelInfo(model: tf.LayersModel): ModelInfo | undefined {
  return infos.get(model);
}
