/**
 * AdaDelta as Zeiler's paper and Caffe define it. tfjs 4.22's
 * AdadeltaOptimizer divides by the RMS of the gradients *before* adding the
 * current gradient (it reads accumulatedGrad where it means the new one), so
 * its first step is plain gradient descent at the full learning rate: with
 * Caffe's usual rate of 1.0 that destroys a network at once. This subclass
 * keeps tfjs's state layout (so getWeights/setWeights and snapshots work
 * alike) and fixes the order:
 *
 *     E[g²] ← ρ·E[g²] + (1 − ρ)·g²
 *     Δ     ← √(E[Δ²] + ε) / √(E[g²] + ε) · g
 *     E[Δ²] ← ρ·E[Δ²] + (1 − ρ)·Δ²
 *     w     ← w − lr·Δ
 */
import * as tf from "@tensorflow/tfjs";
import type { NamedTensor, NamedTensorMap } from "@tensorflow/tfjs-core/dist/tensor_types";

interface Slot {
  originalName: string;
  variable: tf.Variable;
}

interface AdadeltaInternals {
  accumulatedGrads: Slot[];
  accumulatedUpdates: Slot[];
  rho: number;
  epsilon: number;
  learningRate: number;
  incrementIterations(): void;
}

export class AdaDeltaOptimizer extends tf.AdadeltaOptimizer {
  override applyGradients(variableGradients: NamedTensorMap | NamedTensor[]): void {
    const self = this as unknown as AdadeltaInternals;
    const names = Array.isArray(variableGradients) ? variableGradients.map((v) => v.name) : Object.keys(variableGradients);
    names.forEach((name, i) => {
      const value = tf.engine().registeredVariables[name];
      const slot = (list: Slot[], suffix: string) => {
        if (!list[i]) list[i] = { originalName: `${name}/${suffix}`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        return list[i].variable;
      };
      const accumulatedGrad = slot(self.accumulatedGrads, "accum_grad");
      const accumulatedUpdate = slot(self.accumulatedUpdates, "accum_var");
      const gradient = Array.isArray(variableGradients) ? variableGradients[i].tensor : variableGradients[name];
      if (gradient == null) return;
      tf.tidy(() => {
        const newAccumulatedGrad = tf.add(tf.mul(accumulatedGrad, self.rho), tf.mul(tf.square(gradient), 1 - self.rho));
        const update = tf.mul(tf.div(tf.sqrt(tf.add(accumulatedUpdate, self.epsilon)), tf.sqrt(tf.add(newAccumulatedGrad, self.epsilon))), gradient);
        const newAccumulatedUpdate = tf.add(tf.mul(accumulatedUpdate, self.rho), tf.mul(tf.square(update), 1 - self.rho));
        accumulatedGrad.assign(newAccumulatedGrad);
        accumulatedUpdate.assign(newAccumulatedUpdate);
        value.assign(tf.add(tf.mul(update, -self.learningRate), value));
      });
    });
    self.incrementIterations();
  }
}
