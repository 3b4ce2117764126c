/**
 * Training: train(model, data, options) with DIGITS's options and defaults,
 * learning-rate policies and their preview, snapshots to resume from, a live
 * chart and progress line, and Keras-style callbacks.
 */
export { train, lastTraining } from "./train";
export { TrainingInterrupted } from "./interrupted";
export { TrainingResult, type TrainingStatus, type TrainingTiming } from "./result";
export { SOLVER_NAMES, type TrainOptions, type ResolvedTrainOptions, type SolverName } from "./options";
export type { Objective } from "./objective";
export {
  LR_POLICY_NAMES,
  LR_POLICY_DEFAULTS,
  LearningRateSchedule,
  resolveLrPolicy,
  toCaffeSchedule,
  caffeLearningRate,
  type LrPolicy,
  type LrPolicyName,
  type ResolvedLrPolicy,
  type CaffeSolverSchedule,
} from "./schedule";
export { previewSchedule, scheduleFor } from "./preview";
export { planRun, ASSUMED_STEPS_PER_EPOCH, type RunPlan } from "./plan";
export { callback, type Callback, type CallbackState, type TrainingContext, type BatchLog, type ValidationLog } from "./callbacks";
export { earlyStopping, type EarlyStoppingOptions, type EarlyStoppingCallback } from "./early-stopping";
export { reduceLROnPlateau, type ReduceLROnPlateauOptions, type ReduceLROnPlateauCallback } from "./reduce-lr-on-plateau";
export { diagnoseNaN } from "./stop-on-nan";
export type { MonitorOptions } from "./monitor";
export { loadSnapshot, type LoadedModel } from "./load-snapshot";
export { type SnapshotInfo, type SnapshotState, type LivePoint } from "./snapshot";
export { listSnapshots, SnapshotError } from "./read-snapshot";
export { trainingChart, formatDuration, type TrainingChartOptions } from "./live";
