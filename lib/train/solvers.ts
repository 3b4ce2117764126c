/**
 * The solvers as tfjs optimizers, a learning rate that can change every step,
 * and the optimizer's state for snapshots (so a resumed run continues with
 * the same momentum, moments and iteration count).
 *
 * How each tfjs optimizer reads its learning rate: SGD and Momentum keep it
 * as a scalar tensor `c` (= −lr), rebuilt by setLearningRate(); AdaGrad,
 * RMSprop, AdaDelta and Adam read the `learningRate` field at every step.
 *
 * tfjs's AdaDelta is replaced by a corrected one (adadelta.ts).
 *
 * Differences from Caffe worth knowing: tfjs's momentum accumulates the raw
 * gradient and multiplies by the current rate (v = m·v + g; w −= lr·v),
 * Caffe accumulates rate × gradient (v = m·v + lr·g; w −= v). They agree
 * while the rate is constant; at a step of the schedule tfjs's update
 * changes at once, Caffe's over a few steps.
 */
import * as tf from "@tensorflow/tfjs";
import type { NamedTensor } from "@tensorflow/tfjs-core/dist/tensor_types";
import { AdaDeltaOptimizer } from "./adadelta";
import { describeMultipliers, LayerRateOptimizer, solverForLayers } from "./layer-rates";
import type { ResolvedTrainOptions, SolverName } from "./options";

export function createOptimizer(options: ResolvedTrainOptions, learningRate: number): tf.Optimizer {
  switch (options.solver) {
    case "sgd":
      return options.momentum > 0 ? tf.train.momentum(learningRate, options.momentum) : tf.train.sgd(learningRate);
    case "momentum":
      return tf.train.momentum(learningRate, options.momentum);
    case "nesterov":
      return tf.train.momentum(learningRate, options.momentum, true);
    case "adagrad":
      return tf.train.adagrad(learningRate);
    case "rmsprop":
      return tf.train.rmsprop(learningRate, options.rmsDecay, 0, options.delta);
    case "adadelta":
      // tfjs's own AdaDelta takes its first step in the wrong order (see adadelta.ts).
      return new AdaDeltaOptimizer(learningRate, options.momentum, options.delta);
    case "adam":
      return tf.train.adam(learningRate, options.momentum, options.momentum2, options.delta);
  }
}

/**
 * The solver of a run on `model`: createOptimizer's, or one per group of
 * layers when learningRateMultipliers gives some layers their own rate
 * (layer-rates.ts).
 */
export function createRunSolver(model: tf.LayersModel, options: ResolvedTrainOptions, learningRate: number): tf.Optimizer {
  return solverForLayers(model, options, learningRate, (rate) => createOptimizer(options, rate), setLearningRate, disposeOptimizer);
}

/** What the solver is, in one line: "SGD with momentum 0.9" (and the layers' own rates, if any). */
export function describeSolver(options: Pick<ResolvedTrainOptions, "solver" | "momentum" | "momentum2" | "rmsDecay"> & { learningRateMultipliers?: Readonly<Record<string, number>> }): string {
  const layers = options.learningRateMultipliers && Object.keys(options.learningRateMultipliers).length ? `; ${describeMultipliers(options.learningRateMultipliers)}` : "";
  return describeSolverOnly(options) + layers;
}

function describeSolverOnly(options: Pick<ResolvedTrainOptions, "solver" | "momentum" | "momentum2" | "rmsDecay">): string {
  const names: Record<SolverName, string> = {
    sgd: options.momentum > 0 ? `SGD with momentum ${options.momentum}` : "SGD",
    momentum: `SGD with momentum ${options.momentum}`,
    nesterov: `Nesterov's accelerated gradient, momentum ${options.momentum}`,
    adagrad: "AdaGrad",
    rmsprop: `RMSprop, decay ${options.rmsDecay}`,
    adadelta: `AdaDelta, decay ${options.momentum}`,
    adam: `Adam, β1 ${options.momentum}, β2 ${options.momentum2}`,
  };
  return names[options.solver];
}

interface WithRate {
  learningRate: number;
  setLearningRate?: (rate: number) => void;
}

/** Sets the rate the next step uses (only call when it changes: SGD rebuilds a tensor). */
export function setLearningRate(optimizer: tf.Optimizer, rate: number): void {
  const o = optimizer as unknown as WithRate;
  if (typeof o.setLearningRate === "function") o.setLearningRate(rate);
  else o.learningRate = rate;
}

/**
 * Frees an optimizer. tfjs's MomentumOptimizer.dispose() forgets the
 * learning-rate scalar it inherits from SGD, so that one is freed here too.
 */
export function disposeOptimizer(optimizer: tf.Optimizer): void {
  optimizer.dispose();
  const rate = (optimizer as unknown as { c?: tf.Tensor }).c;
  if (rate && !rate.isDisposed) rate.dispose();
}

/** The optimizer's variables and counters, for a snapshot. */
export interface SolverState {
  /** Named tensors from optimizer.getWeights() (iteration count first). */
  weights: NamedTensor[];
  /** Adam's running β1^t and β2^t, saved exactly (tfjs would recompute them with pow, rounding differently). */
  adamPowers?: [number, number];
}

interface AdamInternals {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
}

export async function solverState(optimizer: tf.Optimizer): Promise<SolverState> {
  const weights = await optimizer.getWeights();
  const state: SolverState = { weights };
  if (optimizer.getClassName() === "Adam") {
    // Per-layer rates: every group steps together, so the first group's powers are everyone's.
    const adam = (optimizer instanceof LayerRateOptimizer ? optimizer.groups[0].optimizer : optimizer) as unknown as AdamInternals;
    state.adamPowers = [adam.accBeta1.dataSync()[0], adam.accBeta2.dataSync()[0]];
  }
  return state;
}

export async function restoreSolverState(optimizer: tf.Optimizer, state: SolverState): Promise<void> {
  await optimizer.setWeights(state.weights);
  if (state.adamPowers && optimizer.getClassName() === "Adam") {
    const solvers = optimizer instanceof LayerRateOptimizer ? optimizer.groups.map((g) => g.optimizer) : [optimizer];
    for (const solver of solvers) {
      const adam = solver as unknown as AdamInternals;
      tf.tidy(() => {
        adam.accBeta1.assign(tf.scalar(state.adamPowers![0]));
        adam.accBeta2.assign(tf.scalar(state.adamPowers![1]));
      });
    }
  }
}
