/**
 * Diagnosing training: overfitting verdicts, learning curves, capacity and
 * regularization comparisons, sanity checks, the learning-rate range test,
 * hyperparameter sweeps and seed-variance bands. Each runs train() (live
 * display off) within a budget, and interrupting keeps the finished runs.
 */
export { overfittingVerdict, OverfittingVerdict, type VerdictOptions, type FitKind } from "./verdict";
export { runTrials, lastTrials, TrialResults, type Trial, type TrialRecord, type TrialStatus, type TrialsOptions, type Budget, type ParamValue } from "./trials";
export { sweep, gridPoints, randomPoints, type SweepOptions, type SearchDimension } from "./sweep";
export { seedVariance, SeedVariance, type SeedVarianceOptions, type SettingSpread } from "./seed-variance";
export { learningCurves, trainSubset, LearningCurves, type LearningCurvesOptions, type CurvePoint } from "./learning-curves";
export { capacitySweep, capacityChart, type CapacitySweepOptions } from "./capacity";
export { compareRegularization, type RegularizationOptions } from "./regularization";
export {
  overfitOneBatch,
  shuffledLabels,
  withShuffledTrainLabels,
  findDuplicates,
  sanityChecks,
  SanityReport,
  type SanityCheckResult,
  type DuplicateReport,
  type OverfitOneBatchOptions,
  type ShuffledLabelsOptions,
} from "./sanity";
export { findLearningRate, LearningRateFinder, type FindLearningRateOptions, type RatePoint } from "./lr-finder";
export { fixedFeatures, type FixedFeaturesOptions } from "./fixed-features";
export {
  learningCurveRace,
  onFixedFeatures,
  trainedNetwork,
  LearningCurveRace,
  type LearningCurveRaceOptions,
  type RaceContender,
  type RaceRun,
  type RaceRow,
  type TrainedNetworkOptions,
} from "./learning-curve-race";
