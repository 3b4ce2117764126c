/**
 * A tiny multi-layer perceptron: the baseline a convolutional network should
 * beat. It sees the image as one long list of pixels, so it cannot use the
 * fact that neighbouring pixels belong together.
 *
 *     flatten → fc1 dense 128 relu → ... → output dense N → softmax
 */
import type * as tf from "@tensorflow/tfjs";
import { dense, dropout, flatten, LayerSpec, softmax } from "./layers";
import { buildClassifier, numClassesOf, type ClassifierOptions } from "./classifier-options";

export interface MlpOptions extends ClassifierOptions {
  /** Units of each hidden layer. Default [128]; [] gives a linear classifier. */
  hidden?: readonly number[];
  /** Dropout after each hidden layer. Default 0 (none). */
  dropout?: number;
}

export function mlp(options: MlpOptions = {}): tf.Sequential {
  const numClasses = numClassesOf(options, "mlp");
  const hidden = options.hidden ?? [128];
  if (!Array.isArray(hidden)) throw new Error(`mlp: hidden must be a list of layer sizes, e.g. [128] (got ${JSON.stringify(hidden)}).`);
  const rate = options.dropout ?? 0;
  const layers: LayerSpec[] = [flatten()];
  hidden.forEach((units, i) => {
    layers.push(dense({ units, activation: "relu", name: `fc${i + 1}` }));
    if (rate > 0) layers.push(dropout(rate, { name: `drop${i + 1}` }));
  });
  layers.push(dense({ units: numClasses, name: "output" }), softmax({ name: "prob" }));
  return buildClassifier(layers, options, { name: "mlp", architecture: hidden.length ? `MLP (${hidden.join("-")})` : "linear classifier" });
}
