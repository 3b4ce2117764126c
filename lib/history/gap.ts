/**
 * Where the train/validation gap opens, and how to say how wide it is in
 * words a learner reads at a glance ("validation loss is 97 times the
 * training loss", never "9626%").
 */
import { isFiniteNumber, type EpochRecord } from "./record";

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
  /** The last epoch's losses, for describeGap. */
  finalLoss: number;
  finalValLoss: number;
}

/** The gap threshold when none is given: validation loss 10 % above training loss. */
export const DEFAULT_GAP_THRESHOLD = 0.1;

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
  const threshold = options.gapThreshold ?? DEFAULT_GAP_THRESHOLD;
  if (!(threshold >= 0)) {
    throw new Error(`gapThreshold must be a fraction ≥ 0, such as 0.1 for 10 % (got ${String(threshold)}).`);
  }
  const paired = history.filter((r) => isFiniteNumber(r.loss) && isFiniteNumber(r.valLoss) && (r.loss as number) > 0);
  if (paired.length === 0) return undefined;
  const relative = (r: EpochRecord) => relativeGap(r.loss as number, r.valLoss as number);
  // Walk back from the end while the gap holds; the run of epochs with a
  // gap that reaches the last epoch starts where the walk stops.
  let start = paired.length;
  while (start > 0 && relative(paired[start - 1]) > threshold) start--;
  if (start === paired.length) return undefined;
  const first = paired[start];
  const last = paired[paired.length - 1];
  return {
    epoch: first.epoch,
    gap: (first.valLoss as number) - (first.loss as number),
    relativeGap: relative(first),
    finalRelativeGap: relative(last),
    finalLoss: last.loss as number,
    finalValLoss: last.valLoss as number,
  };
}

/** (valLoss − loss) / loss. */
export function relativeGap(loss: number, valLoss: number): number {
  return (valLoss - loss) / loss;
}

/** A ratio or difference rounded as a person writes it: 97, 3.4, 0.12. */
function rounded(x: number): string {
  return String(Math.abs(x) >= 10 ? Math.round(x) : +x.toPrecision(2));
}

/**
 * The gap as a sentence's clause: "validation loss is 97 times the training
 * loss" when it is at least twice as large, else "validation loss is 0.12
 * above the training loss" (or "below").
 */
export function describeGap(loss: number, valLoss: number): string {
  if (loss > 0 && valLoss >= 2 * loss) return `validation loss is ${rounded(valLoss / loss)} times the training loss`;
  const difference = valLoss - loss;
  if (difference === 0) return "validation loss equals the training loss";
  return `validation loss is ${rounded(Math.abs(difference))} ${difference > 0 ? "above" : "below"} the training loss`;
}

/** The gap for a table cell: "97×" when validation loss is at least twice the training loss, else "+0.12" (the difference). */
export function shortGap(loss: number, valLoss: number): string {
  if (loss > 0 && valLoss >= 2 * loss) return `${rounded(valLoss / loss)}×`;
  const difference = valLoss - loss;
  return `${difference >= 0 ? "+" : "−"}${rounded(Math.abs(difference))}`;
}
