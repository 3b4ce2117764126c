/**
 * One training step: forward pass, loss, gradients, weight decay, update.
 * Returns the batch's loss and its count of correct answers as one small
 * tensor, so the loop reads two numbers per step and nothing more.
 */
import * as tf from "@tensorflow/tfjs";
import type { NamedTensor } from "@tensorflow/tfjs-core/dist/tensor_types";
import { isKernelWeight } from "../models/initializers";
import type { Forward } from "./forward";
import { withSeededMathRandom } from "./seeded-random";

export class TrainStep {
  private readonly variables: tf.Variable[];
  private readonly decayed: boolean[];
  private readonly isBias: boolean[];
  private readonly decay: tf.Scalar | undefined;
  private readonly biasMultiplier: tf.Scalar | undefined;
  private readonly random: boolean;

  constructor(
    model: tf.LayersModel,
    private readonly forward: Forward,
    private readonly optimizer: tf.Optimizer,
    weightDecay: number,
    biasLearningRateMultiplier: number,
    private readonly seed: number,
  ) {
    const trainable = model.trainableWeights;
    this.variables = trainable.map((w) => w.read() as tf.Variable);
    // Caffe decays every parameter; biases gain nothing from it, so (as Keras's
    // kernel_regularizer) only kernels are decayed here.
    this.decayed = trainable.map((w) => isKernelWeight(w.originalName));
    this.isBias = trainable.map((w) => /(^|\/)bias$/.test(w.originalName));
    this.decay = weightDecay > 0 ? tf.keep(tf.scalar(weightDecay)) : undefined;
    this.biasMultiplier = biasLearningRateMultiplier !== 1 ? tf.keep(tf.scalar(biasLearningRateMultiplier)) : undefined;
    this.random = model.layers.some((l) => /Dropout|Noise/.test(l.getClassName()));
  }

  /** Trains on one batch; returns [loss, correct] (the caller reads and disposes it). */
  run(xs: tf.Tensor, ys: tf.Tensor, step: number): tf.Tensor1D {
    const body = () =>
      tf.tidy(() => {
        let correct: tf.Scalar | undefined;
        const { value, grads } = tf.variableGrads(() => {
          const out = this.forward.apply(xs, true);
          correct = tf.keep(this.forward.correct(out, ys));
          return this.forward.loss(out, ys);
        }, this.variables);
        const list: NamedTensor[] = [];
        this.variables.forEach((variable, i) => {
          let gradient = grads[variable.name];
          if (!gradient) return;
          // L2 weight decay as Caffe applies it: gradient += decay × weight.
          if (this.decay && this.decayed[i]) gradient = tf.add(gradient, tf.mul(variable, this.decay));
          // Caffe's lr_mult for biases: with the SGD solvers, scaling the
          // gradient scales the step by exactly the same factor.
          if (this.biasMultiplier && this.isBias[i]) gradient = tf.mul(gradient, this.biasMultiplier);
          list.push({ name: variable.name, tensor: gradient });
        });
        this.optimizer.applyGradients(list);
        const result = tf.stack([value, correct!]) as tf.Tensor1D;
        // Kept tensors outlive tidy; this one is done with.
        correct!.dispose();
        return result;
      });
    return this.random ? withSeededMathRandom(this.seed, step, body) : body();
  }

  dispose(): void {
    this.decay?.dispose();
    this.biasMultiplier?.dispose();
  }
}
