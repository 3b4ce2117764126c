/**
 * What train() needs to learn something other than one class per image:
 * the targets of each batch and a loss on them. A detector's targets are
 * its anchors' classes and box offsets, a segmenter's the class of every
 * pixel; both come from the scenes by the batch's store indices.
 */
import type * as tf from "@tensorflow/tfjs";

export interface TrainObjective {
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
