/**
 * The rule early stopping follows, in one place: the earlyStopping()
 * callback applies it while training runs, and replayEarlyStopping() applies
 * it to a finished history to say what early stopping would have done.
 */
import { improves } from "./best-epoch";
import { isFiniteNumber, type EpochRecord } from "./record";

/** Watches one metric epoch by epoch: has it improved in the last `patience` epochs? */
export class PatienceTracker {
  /** Best value so far and its epoch. */
  best: { value: number; epoch: number } | undefined;
  /** Epochs since the last improvement. */
  wait = 0;

  constructor(
    readonly patience: number,
    readonly mode: "min" | "max" = "min",
    readonly minDelta = 0,
  ) {}

  /**
   * One epoch's value: "improved" (a new best), "waiting" (no improvement
   * yet, patience left) or "exhausted" (no improvement for `patience` epochs).
   * Values that are not finite numbers are passed over ("waiting", no count).
   */
  observe(epoch: number, value: number | undefined): "improved" | "waiting" | "exhausted" {
    if (!isFiniteNumber(value)) return "waiting";
    if (improves(value, this.best?.value, this.mode, this.minDelta)) {
      this.best = { value, epoch };
      this.wait = 0;
      return "improved";
    }
    this.wait++;
    return this.wait >= this.patience ? "exhausted" : "waiting";
  }
}

export interface EarlyStopReplay {
  patience: number;
  /** Epoch at which it would have stopped, or undefined if it would have run to the end. */
  stopEpoch: number | undefined;
  /** The epoch whose weights it would have kept (the best one). */
  keptEpoch: number;
  valLoss: number;
  /** Epochs it would have saved. */
  epochsSaved: number;
}

/** Replays earlyStopping({ patience }) (on valLoss, as its defaults) over a finished history. */
export function replayEarlyStopping(history: readonly EpochRecord[], patience: number): EarlyStopReplay | undefined {
  const tracker = new PatienceTracker(patience);
  const last = history[history.length - 1]?.epoch ?? 0;
  for (const record of history) {
    if (tracker.observe(record.epoch, record.valLoss) === "exhausted") {
      const best = tracker.best!;
      return { patience, stopEpoch: record.epoch, keptEpoch: best.epoch, valLoss: best.value, epochsSaved: last - record.epoch };
    }
  }
  const best = tracker.best;
  return best ? { patience, stopEpoch: undefined, keptEpoch: best.epoch, valLoss: best.value, epochsSaved: 0 } : undefined;
}
