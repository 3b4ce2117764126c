/**
 * compareRegularization(): the same network and data trained side by side
 * without regularization, with dropout, with weight decay and with
 * augmentation, so a learner sees which narrows the train/validation gap.
 */
import type * as tf from "@tensorflow/tfjs";
import type { AugmentOptions, Dataset } from "../data";
import type { TrainOptions } from "../train";
import { runTrials, type Budget, type Trial, type TrialResults } from "./trials";

export interface RegularizationOptions {
  /** Dropout rate of the "dropout" variant. Default 0.5. */
  dropout?: number;
  /** Weight decay of the "weight decay" variant. Default 5e-4. */
  weightDecay?: number;
  /** Augmentation of the "augmentation" variant. Default { shift: 0.1, rotate: 10 }. */
  augment?: AugmentOptions;
  /** train() options for every variant. Default { epochs: 10 }. */
  options?: TrainOptions;
  /** Seed of every variant's model and training. Default 1. */
  seed?: number;
  budget?: Budget;
}

/**
 * `build({ dropout, seed })` must give the network with that dropout rate
 * (0 = none), e.g. ({ dropout, seed }) => sequential([..., dropout(dropout), ...]).
 */
export async function compareRegularization(
  build: (settings: { dropout: number; seed: number }) => tf.LayersModel,
  data: Dataset,
  options: RegularizationOptions = {},
): Promise<TrialResults> {
  if (typeof build !== "function") throw new Error("compareRegularization takes a function ({ dropout, seed }) => model.");
  const seed = options.seed ?? 1;
  const rate = options.dropout ?? 0.5;
  const decay = options.weightDecay ?? 5e-4;
  const augment = options.augment ?? { shift: 0.1, rotate: 10 };
  const base: TrainOptions = { epochs: 10, ...options.options, randomSeed: seed };
  const variants: { name: string; dropout: number; weightDecay: number; augment: boolean }[] = [
    { name: "none", dropout: 0, weightDecay: 0, augment: false },
    { name: `dropout ${rate}`, dropout: rate, weightDecay: 0, augment: false },
    { name: `weight decay ${decay}`, dropout: 0, weightDecay: decay, augment: false },
    { name: "augmentation", dropout: 0, weightDecay: 0, augment: true },
  ];
  const trials: Trial[] = variants.map((v) => ({
    name: v.name,
    params: { dropout: v.dropout, weightDecay: v.weightDecay, augment: v.augment },
    build: () => build({ dropout: v.dropout, seed }),
    options: { ...base, weightDecay: v.weightDecay, augment: v.augment ? augment : null },
  }));
  const results = await runTrials(trials, data, { budget: options.budget, title: "Regularization" });
  return results;
}
