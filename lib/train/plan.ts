/**
 * planRun(options, trainSize): how long a run is and which learning rate
 * each of its steps uses. train() follows this plan, previewSchedule draws
 * it and the exercise checks grade it, so the three cannot disagree.
 */
import { batchesPerPass } from "../data/batches";
import type { ResolvedTrainOptions } from "./options";
import { LearningRateSchedule } from "./schedule";

/** Steps per epoch assumed when there is no dataset to count (a schedule's shape does not depend on it). */
export const ASSUMED_STEPS_PER_EPOCH = 100;

export interface RunPlan {
  /** Batches in one pass over the training split (the last one may be smaller). */
  stepsPerEpoch: number;
  /** Steps in the whole run: stepsPerEpoch × epochs (Caffe's max_iter). */
  maxIter: number;
  /** The learning rate of every step. */
  schedule: LearningRateSchedule;
}

/**
 * The plan of a run with these (resolved) options on a training split of
 * `trainSize` images; without a size, ASSUMED_STEPS_PER_EPOCH.
 */
export function planRun(
  options: Pick<ResolvedTrainOptions, "epochs" | "batchSize" | "learningRate" | "lrPolicy">,
  trainSize: number | undefined,
): RunPlan {
  const stepsPerEpoch = trainSize === undefined ? ASSUMED_STEPS_PER_EPOCH : Math.max(1, batchesPerPass(trainSize, options.batchSize));
  const maxIter = stepsPerEpoch * options.epochs;
  return { stepsPerEpoch, maxIter, schedule: new LearningRateSchedule(options.lrPolicy, options.learningRate, maxIter) };
}
