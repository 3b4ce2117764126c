/**
 * LeNet as DIGITS defines it (its standard network for MNIST, after Caffe's
 * examples/mnist/lenet_train_test.prototxt):
 *
 *     conv1 20@5×5 → pool1 max 2×2 → conv2 50@5×5 → pool2 max 2×2 →
 *     ip1 dense 500 → relu1 → ip2 dense N → softmax
 *
 * As in DIGITS, the convolutions have no activation of their own, kernels
 * start from Caffe's "xavier" filler (uniform ±√(3 / fan-in), tfjs's
 * leCunUniform) and biases from 0.
 *
 * Input scaling: DIGITS subtracts the training set's mean image (its default)
 * and then LeNet's data layer multiplies by 0.0125, "1/(standard
 * deviation)" of MNIST pixels (DIGITS's first releases multiplied by 1/256
 * and subtracted nothing). Here the dataset does that job: a convlab Dataset
 * hands out pixels scaled to [0, 1] by default, and
 * `normalize(data, { method: "mean-image", scale: 0.0125 })` gives exactly
 * DIGITS's inputs. For a model that takes raw 0-255 pixels (a dataset with
 * noNormalization()), `inputScale` makes the scaling the model's first layer,
 * as DIGITS's deploy network does with its Power layer.
 *
 * Caffe's doubled learning rate for biases (lr_mult 2) is train()'s
 * biasLearningRateMultiplier, 2 by default for the SGD solvers.
 */
import type * as tf from "@tensorflow/tfjs";
import { conv, dense, LayerSpec, maxPool, relu, rescale, softmax } from "./layers";
import { buildClassifier, numClassesOf, type ClassifierOptions } from "./classifier-options";

export interface LeNetOptions extends ClassifierOptions {
  /** Multiply inputs by this inside the model (0.0125 in DIGITS, 1/256 in its first releases). Default: none, the dataset normalizes. */
  inputScale?: number;
}

/** DIGITS's LeNet, a plain tfjs Sequential model. Inputs at least 16×16. */
export function lenet(options: LeNetOptions = {}): tf.Sequential {
  const numClasses = numClassesOf(options, "lenet");
  const layers: LayerSpec[] = [];
  if (options.inputScale !== undefined) layers.push(rescale(options.inputScale, 0, { name: "scale" }));
  layers.push(
    conv({ filters: 20, kernel: 5, kernelInitializer: "leCunUniform", name: "conv1" }),
    maxPool({ size: 2, name: "pool1" }),
    conv({ filters: 50, kernel: 5, kernelInitializer: "leCunUniform", name: "conv2" }),
    maxPool({ size: 2, name: "pool2" }),
    dense({ units: 500, kernelInitializer: "leCunUniform", name: "ip1" }),
    relu({ name: "relu1" }),
    dense({ units: numClasses, kernelInitializer: "leCunUniform", name: "ip2" }),
    softmax({ name: "prob" }),
  );
  return buildClassifier(layers, options, {
    name: "lenet",
    architecture: "DIGITS LeNet",
    inputNote:
      options.inputScale !== undefined
        ? `raw 0-255 pixels, scaled by ${+options.inputScale.toPrecision(4)} in the model`
        : "pixels normalized by the dataset (DIGITS: mean image subtracted, then ×0.0125)",
  });
}
