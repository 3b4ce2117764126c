/**
 * Stopping on a NaN or infinite loss, with a diagnosis. Once the loss is NaN
 * every weight soon is too, so training stops at once, the weights go back to
 * the start of the epoch, and the learner reads what most likely happened
 * (usually: the learning rate is too high).
 */
import * as tf from "@tensorflow/tfjs";
import type { BatchLog, Callback, TrainingContext } from "./callbacks";

export interface NaNStop {
  step: number;
  epoch: number;
  batch: number;
  loss: number;
  lr: number;
  diagnosis: string;
}

export interface StopOnNaNCallback extends Callback {
  /** Set when the loss broke. */
  readonly stopped: NaNStop | undefined;
}

const format = (x: number) => (Number.isFinite(x) ? String(+x.toPrecision(3)) : String(x));

/** What most likely went wrong, in a learner's words. */
export function diagnoseNaN(log: BatchLog, firstLoss: number | undefined, lastLoss: number | undefined): string {
  const what = Number.isNaN(log.loss) ? "NaN" : "infinite";
  if (firstLoss === undefined) {
    // No step has changed the weights yet: the learning rate is not the cause.
    return (
      `The loss was ${what} from the very first step of this run (step ${log.step}), before the learning rate could change anything. ` +
      "Look at what the model starts from: its weights (all finite?) and its inputs (finite and normalized, see dataset.normalization), and every label a class the model has."
    );
  }
  const grew = firstLoss !== undefined && lastLoss !== undefined && lastLoss > 2 * firstLoss;
  const where = `at step ${log.step} (epoch ${log.epoch}, batch ${log.batch + 1})`;
  const story = grew
    ? `The loss exploded ${where}: it climbed from ${format(firstLoss!)} to ${format(lastLoss!)} and then became ${what}.`
    : `The loss became ${what} ${where}${lastLoss !== undefined ? ` (the step before it was ${format(lastLoss)})` : ""}.`;
  let advice: string;
  if (grew || log.lr >= 0.05) {
    advice = ` The learning rate ${format(log.lr)} is probably too high: try ${format(log.lr / 10)}.`;
  } else if (log.lr > 1e-3) {
    advice = ` The learning rate ${format(log.lr)} may still be too high (try ${format(log.lr / 10)}); also check that the inputs are normalized.`;
  } else {
    advice =
      ` The learning rate ${format(log.lr)} is already small, so look at the data: inputs must be finite numbers, normalized ` +
      `(see dataset.normalization), and every label a class the model has.`;
  }
  return story + advice;
}

export function stopOnNaN(): StopOnNaNCallback {
  let saved: tf.Tensor[] | undefined;
  let firstLoss: number | undefined;
  let lastLoss: number | undefined;
  let stopped: NaNStop | undefined;
  const release = () => {
    if (saved) tf.dispose(saved);
    saved = undefined;
  };
  return {
    name: "stopOnNaN",
    get stopped() {
      return stopped;
    },
    onEpochBegin(_epoch, ctx) {
      release();
      saved = ctx.model.getWeights().map((w) => tf.clone(w));
    },
    onBatchEnd(log: BatchLog, ctx: TrainingContext) {
      if (Number.isFinite(log.loss)) {
        if (firstLoss === undefined) firstLoss = log.loss;
        lastLoss = log.loss;
        return;
      }
      const diagnosis = diagnoseNaN(log, firstLoss, lastLoss);
      stopped = { step: log.step, epoch: log.epoch, batch: log.batch, loss: log.loss, lr: log.lr, diagnosis };
      if (saved) {
        ctx.model.setWeights(saved);
        ctx.stop(`${diagnosis} The weights were put back as they were at the start of epoch ${log.epoch}.`);
      } else {
        ctx.stop(diagnosis);
      }
    },
    onTrainEnd() {
      release();
    },
  };
}
