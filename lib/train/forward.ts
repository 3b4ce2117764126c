/**
 * The forward pass train() differentiates: the model's class scores
 * (logits) and the cross-entropy loss on them.
 *
 * Models that end in a softmax layer (every convlab builder does, so
 * model.predict() gives probabilities) are run up to the layer before it,
 * and the loss is computed from the scores with tf.losses.softmaxCrossEntropy,
 * which stays exact where log(softmax) would round to log(0). A model whose
 * last layer applies softmax inside a dense layer gets the clipped
 * cross-entropy Keras uses; a model that ends in plain scores is trained on
 * them directly.
 */
import * as tf from "@tensorflow/tfjs";
import type { Batch } from "../data";
import type { Objective } from "./objective";

/** Classification's targets and right answers: the one-hot labels, and the arg-max hitting them. */
const classes = { correct: countCorrect, targets: (batch: Batch) => batch.ys };

export interface Forward {
  /** Class scores (logits) or probabilities, per `outputs` (or, with an objective, the model's output). */
  apply(xs: tf.Tensor, training: boolean): tf.Tensor;
  outputs: "logits" | "probabilities" | "objective";
  /** Mean loss over the batch: cross-entropy against one-hot `ys`, or the objective's. */
  loss(out: tf.Tensor, ys: tf.Tensor): tf.Scalar;
  /** How many of the batch's images are right. */
  correct(out: tf.Tensor, ys: tf.Tensor): tf.Scalar;
  /** The batch's targets: its one-hot labels, or the objective's targets (a new tensor: the caller disposes it when it is not batch.ys). */
  targets(batch: Batch): tf.Tensor;
  /** How the loss is computed, for the result's notes. */
  description: string;
}

function activationOf(layer: tf.layers.Layer): string | undefined {
  const config = layer.getConfig() as { activation?: unknown };
  return typeof config.activation === "string" ? config.activation : undefined;
}

const EPSILON = 1e-7;

export function forwardFor(model: tf.LayersModel, objective?: Objective): Forward {
  if (objective) {
    return {
      apply: (xs, training) => model.apply(xs, { training }) as tf.Tensor,
      outputs: "objective",
      loss: (out, ys) => objective.loss(out, ys),
      correct: (out, ys) => objective.correct(out, ys),
      targets: (batch) => objective.targets(batch.indices),
      description: `${objective.description}; "accuracy" is the ${objective.accuracy}`,
    };
  }
  const last = model.layers[model.layers.length - 1];
  const className = last.getClassName();
  const separateSoftmax = (className === "Activation" && activationOf(last) === "softmax") || className === "Softmax";
  if (separateSoftmax && model.layers.length > 1) {
    const scores = tf.model({ inputs: model.inputs, outputs: last.input as tf.SymbolicTensor });
    return {
      apply: (xs, training) => scores.apply(xs, { training }) as tf.Tensor,
      outputs: "logits",
      loss: (logits, ys) => tf.losses.softmaxCrossEntropy(ys, logits) as tf.Scalar,
      ...classes,
      description: `softmax cross-entropy on the scores before "${last.name}"`,
    };
  }
  if (activationOf(last) === "softmax") {
    return {
      apply: (xs, training) => model.apply(xs, { training }) as tf.Tensor,
      outputs: "probabilities",
      loss: (probabilities, ys) =>
        tf.tidy(() => tf.mean(tf.neg(tf.sum(tf.mul(ys, tf.log(tf.clipByValue(probabilities, EPSILON, 1 - EPSILON))), -1))) as tf.Scalar),
      ...classes,
      description: `cross-entropy on the probabilities of "${last.name}" (clipped to [1e-7, 1 − 1e-7], as Keras)`,
    };
  }
  return {
    apply: (xs, training) => model.apply(xs, { training }) as tf.Tensor,
    outputs: "logits",
    loss: (logits, ys) => tf.losses.softmaxCrossEntropy(ys, logits) as tf.Scalar,
    ...classes,
    description: `softmax cross-entropy on the model's outputs (treated as class scores)`,
  };
}

/** Number of rows whose highest output is the true class, as a float32 scalar. */
export function countCorrect(out: tf.Tensor, ys: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.sum(tf.cast(tf.equal(tf.argMax(out, -1), tf.argMax(ys, -1)), "float32")) as tf.Scalar);
}
