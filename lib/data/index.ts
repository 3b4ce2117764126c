/**
 * Data: the Dataset type, splits, normalization, augmentation, streaming
 * batches and ways to look at data. Where datasets come from (the bundled
 * datasets' loaders, the image-folder importer) is lib/data/sources, its own
 * package, so what only reads a Dataset never loads the importer.
 */
export { Dataset, SPLIT_NAMES, checkSplitName } from "./dataset";
export type {
  SplitName,
  ImageShape,
  DatasetInit,
  DatasetSource,
  LabelledImage,
  LabelOptions,
  BatchOptions,
  Batch,
  TensorsOptions,
  SplitTensors,
} from "./dataset";
export { MemoryPixelStore, FilePixelStore } from "./pixel-store";
export type { PixelStore } from "./pixel-store";
export { split } from "./split";
export type { SplitOptions } from "./split";
export {
  NORMALIZATION_METHODS,
  scaleNormalization,
  noNormalization,
  normalizePixels,
  validateNormalization,
  describeNormalization,
} from "./normalization";
export type { Normalization, NormalizationMethod } from "./normalization";
export { normalize, computeNormalization } from "./normalize";
export type { NormalizeOptions } from "./normalize";
export { augmentImages, augmentImage, resolveAugmentOptions, isIdentityAugmentation } from "./augment";
export type { AugmentOptions } from "./augment";
export { streamBatches, batchCount, passOrder } from "./batches";
export { splitToTensors } from "./tensors";
export { createRandom, mixSeeds, shuffleInPlace } from "./random";
export type { Random } from "./random";
export { ClassCounts, classCounts } from "./class-counts";
export { oneVsRest } from "./one-vs-rest";
export { augmentedCopy } from "./augmented-copy";
export { keepClasses, type KeepClassesOptions } from "./keep-classes";
export { samplePerClass, type SamplePerClassOptions } from "./sample-per-class";
export type { AugmentedCopyOptions } from "./augmented-copy";
export type { OneVsRestOptions } from "./one-vs-rest";
export type { ClassCountRow } from "./class-counts";
export { SampleGrid, sampleGrid } from "./sample-grid";
export type { SampleGridOptions, SampleGridItem } from "./sample-grid";
export { DatasetSummary, summarize, pixelStatistics } from "./summary";
export type { PixelStatistics, SplitSummary, SummaryOptions } from "./summary";
export { ProgressLine } from "./progress";
export type { ProgressOptions } from "./progress";
