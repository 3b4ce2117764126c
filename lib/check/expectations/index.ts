/** The kinds of expectation an exercise is made of. */
export { isNetwork } from "./network";
export { layerCount, type LayerCountOptions } from "./layer-count";
export { layerSetting, type LayerSettingOptions } from "./layer-setting";
export { oddKernels } from "./odd-kernels";
export { outputShape, type OutputShapeOptions } from "./output-shape";
export { accuracyAtLeast, type AccuracyOptions } from "./accuracy";
export { matchesModelPredictions, type PredictionsOptions } from "./predictions";
export { hiddenNumber, type HiddenNumberOptions } from "./hidden-number";
export { imageShape, type ImageShapeOptions } from "./image-shape";
export { splitShares, type SplitSharesOptions } from "./split-shares";
export { pixelStatistics, type PixelStatisticsOptions } from "./pixel-statistics";
export { normalizationMethod, type NormalizationMethodOptions } from "./normalization-method";
export { classMetric, type ClassMetricOptions, type ClassMetricName } from "./class-metric";
export { thresholdForRecall, type ThresholdOptions } from "./threshold";
export { resumedRun, type ResumedRunOptions } from "./resumed-run";
export { learningRateSchedule, type LearningRateScheduleOptions } from "./learning-rate-schedule";
export { splitSize, type SplitSizeOptions } from "./split-size";
export { epochsAtMost, type EpochsAtMostOptions } from "./epochs-at-most";
