/**
 * Reading a training history: the epoch record, the best epoch, where the
 * train/validation gap opens and what early stopping would have done. Plain
 * functions on plain records, below charts, train and diagnose, which all
 * read a history through this one package.
 */
export { isFiniteNumber, type EpochRecord } from "./record";
export { findBestEpoch, inferMode, improves, defaultMonitor, type BestEpoch, type BestEpochOptions } from "./best-epoch";
export { findGapOpening, describeGap, shortGap, relativeGap, DEFAULT_GAP_THRESHOLD, type GapOpening, type GapOptions } from "./gap";
export { PatienceTracker, replayEarlyStopping, type EarlyStopReplay } from "./early-stopping";
export { analyzeHistory, DEFAULT_PATIENCE, type HistoryAnalysis, type HistoryAnalysisOptions } from "./analysis";
