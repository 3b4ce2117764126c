/**
 * Reading a training history: which epoch was best, and where the train/val
 * gap opened. Plain functions on plain records, so lessons and the training
 * library can use them without drawing anything.
 */

/**
 * One epoch of training, as the training library records it. Any other
 * numeric metric may be present too (`valPrecision`, `top5`, ...).
 */
export interface EpochRecord {
  epoch: number;
  loss?: number;
  valLoss?: number;
  accuracy?: number;
  valAccuracy?: number;
  /** Learning rate used during this epoch. */
  lr?: number;
  [metric: string]: number | undefined;
}

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

/**
 * The epoch with the best value of `monitor`. Ties go to the earliest epoch
 * (a later epoch must strictly improve, as in Keras). Undefined when no
 * epoch has a finite value.
 */
export function findBestEpoch(history: readonly EpochRecord[], options: BestEpochOptions = {}): BestEpoch | undefined {
  const monitor = options.monitor ?? (history.some((r) => isFiniteNumber(r.valLoss)) ? "valLoss" : "loss");
  const mode = !options.mode || options.mode === "auto" ? inferMode(monitor) : options.mode;
  let best: BestEpoch | undefined;
  for (const record of history) {
    const value = record[monitor];
    if (!isFiniteNumber(value)) continue;
    if (!best || (mode === "min" ? value < best.value : value > best.value)) {
      best = { epoch: record.epoch, monitor, value, mode };
    }
  }
  return best;
}

export function inferMode(metric: string): "min" | "max" {
  return /acc|precision|recall|f1|auc/i.test(metric) ? "max" : "min";
}

export interface GapOptions {
  /**
   * How far validation loss must sit above training loss, as a fraction of
   * training loss, to count as a gap. Default 0.1 (10 %).
   */
  gapThreshold?: number;
}

export interface GapOpening {
  /** First epoch of the gap that lasts to the end of training. */
  epoch: number;
  /** valLoss − loss at that epoch. */
  gap: number;
  /** (valLoss − loss) / loss at that epoch. */
  relativeGap: number;
  /** (valLoss − loss) / loss at the last epoch: how wide the gap got. */
  finalRelativeGap: number;
}

/**
 * Where the train/val gap opens: the first epoch from which validation loss
 * stays more than `gapThreshold` (10 %) above training loss in every later
 * epoch, i.e. valLoss − loss > gapThreshold × loss from there to the end.
 *
 * A gap that closes again does not count, so noise in early epochs does not
 * mark an opening; if the last epoch has no gap, the gap has not opened and
 * the result is undefined. Epochs missing either loss are skipped. This is
 * the epoch from which the model fits its training data measurably better
 * than data it has not seen: the usual sign that it starts to overfit.
 */
export function findGapOpening(history: readonly EpochRecord[], options: GapOptions = {}): GapOpening | undefined {
  const threshold = options.gapThreshold ?? 0.1;
  if (!(threshold >= 0)) {
    throw new Error(`gapThreshold must be a fraction ≥ 0, such as 0.1 for 10 % (got ${String(threshold)}).`);
  }
  const paired = history.filter((r) => isFiniteNumber(r.loss) && isFiniteNumber(r.valLoss) && (r.loss as number) > 0);
  if (paired.length === 0) return undefined;
  const relative = (r: EpochRecord) => ((r.valLoss as number) - (r.loss as number)) / (r.loss as number);
  // Walk back from the end while the gap holds; the run of epochs with a
  // gap that reaches the last epoch starts where the walk stops.
  let start = paired.length;
  while (start > 0 && relative(paired[start - 1]) > threshold) start--;
  if (start === paired.length) return undefined;
  const first = paired[start];
  return {
    epoch: first.epoch,
    gap: (first.valLoss as number) - (first.loss as number),
    relativeGap: relative(first),
    finalRelativeGap: relative(paired[paired.length - 1]),
  };
}

export function isFiniteNumber(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}
