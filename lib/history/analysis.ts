/**
 * One reading of a history that every display of it shares: the chart's
 * rules, train()'s headline and the overfitting verdict all name the same
 * best epoch and the same gap opening.
 */
import { findBestEpoch, type BestEpoch, type BestEpochOptions } from "./best-epoch";
import { replayEarlyStopping, type EarlyStopReplay } from "./early-stopping";
import { findGapOpening, type GapOpening, type GapOptions } from "./gap";
import type { EpochRecord } from "./record";

export interface HistoryAnalysisOptions extends BestEpochOptions, GapOptions {
  /** Patience of the early stopping to replay. Default 5 (as earlyStopping()). */
  patience?: number;
}

export interface HistoryAnalysis {
  best: BestEpoch | undefined;
  gap: GapOpening | undefined;
  /** What earlyStopping({ patience }) would have done (undefined without validation loss). */
  earlyStopping: EarlyStopReplay | undefined;
}

/** Patience of early stopping when none is given (earlyStopping()'s default too). */
export const DEFAULT_PATIENCE = 5;

/** The best epoch, the gap opening and the early-stopping replay of one history of epoch records. */
export function analyzeHistory(history: readonly EpochRecord[], options: HistoryAnalysisOptions = {}): HistoryAnalysis {
  return {
    best: findBestEpoch(history, options),
    gap: findGapOpening(history, options),
    earlyStopping: replayEarlyStopping(history, options.patience ?? DEFAULT_PATIENCE),
  };
}
