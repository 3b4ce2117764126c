/**
 * Which epoch was best, and what counts as better: one rule for the best
 * epoch a chart marks, the one train() reports, and the one early stopping
 * and reduce-LR-on-plateau watch (Keras's monitor, mode and minDelta).
 */
import { isFiniteNumber, type EpochRecord } from "./record";

export interface BestEpochOptions {
  /**
   * The metric to judge by. Default "valLoss" when the history has it,
   * else "loss" (as Keras's ModelCheckpoint and EarlyStopping monitor val_loss).
   */
  monitor?: string;
  /**
   * "min" or "max". Default "auto": "max" for metrics whose name contains
   * acc, precision, recall, f1 or auc; "min" for everything else (losses).
   */
  mode?: "min" | "max" | "auto";
}

export interface BestEpoch {
  epoch: number;
  monitor: string;
  value: number;
  mode: "min" | "max";
}

/** "max" for accuracy-like metric names, "min" for everything else (losses). */
export function inferMode(metric: string): "min" | "max" {
  return /acc|precision|recall|f1|auc/i.test(metric) ? "max" : "min";
}

/** True when `value` beats `best` by more than `minDelta` in the direction of `mode` (anything beats no best). */
export function improves(value: number, best: number | undefined, mode: "min" | "max", minDelta = 0): boolean {
  if (best === undefined) return true;
  return mode === "min" ? value < best - minDelta : value > best + minDelta;
}

/** The metric a history is judged by when none is named: validation loss if it has any, else training loss. */
export function defaultMonitor(history: readonly EpochRecord[]): string {
  return history.some((r) => isFiniteNumber(r.valLoss)) ? "valLoss" : "loss";
}

/**
 * The epoch with the best value of `monitor`. Ties go to the earliest epoch
 * (a later epoch must strictly improve, as in Keras). Undefined when no
 * epoch has a finite value.
 */
export function findBestEpoch(history: readonly EpochRecord[], options: BestEpochOptions = {}): BestEpoch | undefined {
  const monitor = options.monitor ?? defaultMonitor(history);
  const mode = !options.mode || options.mode === "auto" ? inferMode(monitor) : options.mode;
  let best: BestEpoch | undefined;
  for (const record of history) {
    const value = record[monitor];
    if (!isFiniteNumber(value)) continue;
    if (improves(value, best?.value, mode)) best = { epoch: record.epoch, monitor, value, mode };
  }
  return best;
}
