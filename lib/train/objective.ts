/**
 * train()'s hook for learning something other than one class per image:
 * `train(model, data, { objective })`. The objective says what the targets
 * of a batch are and how far the model's output is from them; train() keeps
 * everything else (solver, schedule, live chart, callbacks, snapshots).
 * A detector's targets are its anchors' classes and box offsets, a
 * segmenter's the class of every pixel (lib/detect); both come from the
 * scenes by the batch's store indices.
 */
import type * as tf from "@tensorflow/tfjs";

export interface Objective {
  /** What the loss is, in a sentence (for the run's notes). */
  description: string;
  /** What "accuracy" means for this objective (for the chart and the run's notes). */
  accuracy: string;
  /** The targets of the images with these store indices; the caller disposes the tensor. */
  targets(indices: Int32Array): tf.Tensor;
  /** The batch's mean loss, from the model's output and the targets. */
  loss(output: tf.Tensor, targets: tf.Tensor): tf.Scalar;
  /** How many of the batch's images count as right. */
  correct(output: tf.Tensor, targets: tf.Tensor): tf.Scalar;
}
