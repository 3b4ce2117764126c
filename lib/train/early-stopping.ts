/**
 * earlyStopping(): stop when the monitored metric (validation loss by
 * default) has not improved for `patience` epochs, and end with the weights
 * of the best epoch.
 */
import * as tf from "@tensorflow/tfjs";
import { DEFAULT_PATIENCE, PatienceTracker } from "../history";
import type { Callback, CallbackState, TrainingContext } from "./callbacks";
import { Monitor, MonitorOptions } from "./monitor";

export interface EarlyStoppingOptions extends MonitorOptions {
  /**
   * Epochs without improvement before stopping. Default 5 (Keras's default
   * of 0 stops at the first epoch that is not better, too eager for the
   * noisy validation curves of small datasets).
   */
  patience?: number;
  /**
   * End training with the weights of the best epoch. Default true (Keras
   * defaults to false, which keeps the last, usually worse, weights).
   * An interrupted run keeps its current weights.
   */
  restoreBestWeights?: boolean;
  /** Minimum change that counts as improvement. Default 0 (Keras). */
  minDelta?: number;
}

export interface EarlyStoppingCallback extends Callback {
  /** Best monitored value so far and its epoch. */
  readonly best: { value: number; epoch: number } | undefined;
  /** Epoch at which it stopped training, if it did. */
  readonly stoppedEpoch: number | undefined;
}

export function earlyStopping(options: EarlyStoppingOptions = {}): EarlyStoppingCallback {
  const monitor = new Monitor(options, 0, "earlyStopping");
  const patience = options.patience ?? DEFAULT_PATIENCE;
  if (!(Number.isInteger(patience) && patience >= 0)) {
    throw new Error(`earlyStopping: patience is a whole number of epochs, 0 or more (got ${String(options.patience)}).`);
  }
  const restore = options.restoreBestWeights ?? true;
  const tracker = new PatienceTracker(patience, monitor.mode, monitor.minDelta);
  let bestWeights: tf.Tensor[] | undefined;
  let stoppedEpoch: number | undefined;
  let lastEpoch = 0;

  const keepWeights = (weights: tf.Tensor[] | undefined) => {
    if (bestWeights) tf.dispose(bestWeights);
    bestWeights = weights;
  };

  return {
    name: "earlyStopping",
    get best() {
      return tracker.best;
    },
    get stoppedEpoch() {
      return stoppedEpoch;
    },
    onTrainBegin(ctx: TrainingContext) {
      const problem = monitor.problem(ctx.options, "earlyStopping");
      if (problem) ctx.note(problem);
    },
    onEpochEnd(record, ctx) {
      lastEpoch = record.epoch;
      const verdict = tracker.observe(record.epoch, record[monitor.monitor]);
      if (verdict === "improved" && restore) keepWeights(ctx.model.getWeights().map((w) => tf.clone(w)));
      if (verdict === "exhausted") {
        const { wait, best } = tracker;
        stoppedEpoch = record.epoch;
        ctx.stop(
          `early stopping: ${monitor.monitor} has not improved for ${wait} epoch${wait === 1 ? "" : "s"} ` +
            `(best ${+best!.value.toPrecision(4)} at epoch ${best!.epoch})`,
        );
      }
    },
    onTrainEnd(_result, ctx) {
      const best = tracker.best;
      if (restore && bestWeights && best && best.epoch !== lastEpoch) {
        if (ctx.interrupted) {
          ctx.note(`earlyStopping kept the current weights because training was interrupted; the best epoch was ${best.epoch}.`);
        } else {
          ctx.model.setWeights(bestWeights);
          ctx.note(`earlyStopping restored the weights of epoch ${best.epoch} (${monitor.monitor} ${+best.value.toPrecision(4)}).`);
        }
      }
      keepWeights(undefined);
    },
    saveState(): CallbackState {
      return { values: { best: tracker.best, wait: tracker.wait, stoppedEpoch, lastEpoch }, tensors: bestWeights };
    },
    loadState(state: CallbackState) {
      const v = state.values as { best?: { value: number; epoch: number }; wait: number; stoppedEpoch?: number; lastEpoch: number };
      tracker.best = v.best;
      tracker.wait = v.wait;
      stoppedEpoch = v.stoppedEpoch;
      lastEpoch = v.lastEpoch;
      keepWeights(state.tensors && state.tensors.length ? state.tensors : undefined);
    },
  };
}
