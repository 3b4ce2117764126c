/**
 * reduceLROnPlateau(): when the monitored metric (validation loss by
 * default) stops improving for `patience` epochs, multiply the learning
 * rate by `factor`. It scales whatever the lrPolicy gives, so it combines
 * with any schedule. Defaults are Keras's.
 */
import type { Callback, CallbackState } from "./callbacks";
import { Monitor, MonitorOptions } from "./monitor";

export interface ReduceLROnPlateauOptions extends MonitorOptions {
  /** Multiplies the rate at a plateau. Default 0.1 (Keras). */
  factor?: number;
  /** Epochs without improvement before reducing. Default 10 (Keras). */
  patience?: number;
  /** Epochs to wait after a reduction before watching again. Default 0 (Keras). */
  cooldown?: number;
  /** The rate is never reduced below this. Default 0 (Keras). */
  minLr?: number;
  /** Minimum change that counts as improvement. Default 1e-4 (Keras). */
  minDelta?: number;
}

export interface ReduceLROnPlateauCallback extends Callback {
  /** Epochs at which the rate was reduced, and to what. */
  readonly reductions: { epoch: number; lr: number }[];
}

export function reduceLROnPlateau(options: ReduceLROnPlateauOptions = {}): ReduceLROnPlateauCallback {
  const monitor = new Monitor(options, 1e-4, "reduceLROnPlateau");
  const factor = options.factor ?? 0.1;
  if (!(factor > 0 && factor < 1)) throw new Error(`reduceLROnPlateau: factor must be between 0 and 1 (got ${String(options.factor)}); 0.1 divides the rate by 10.`);
  const patience = options.patience ?? 10;
  if (!(Number.isInteger(patience) && patience >= 0)) throw new Error(`reduceLROnPlateau: patience is a whole number of epochs (got ${String(options.patience)}).`);
  const cooldown = options.cooldown ?? 0;
  if (!(Number.isInteger(cooldown) && cooldown >= 0)) throw new Error(`reduceLROnPlateau: cooldown is a whole number of epochs (got ${String(options.cooldown)}).`);
  const minLr = options.minLr ?? 0;
  if (!(minLr >= 0)) throw new Error(`reduceLROnPlateau: minLr must be 0 or more (got ${String(options.minLr)}).`);
  let best: number | undefined;
  let wait = 0;
  let cooldownLeft = 0;
  const reductions: { epoch: number; lr: number }[] = [];

  return {
    name: "reduceLROnPlateau",
    reductions,
    onTrainBegin(ctx) {
      const problem = monitor.problem(ctx.options, "reduceLROnPlateau");
      if (problem) ctx.note(problem);
    },
    onEpochEnd(record, ctx) {
      const value = record[monitor.monitor];
      if (typeof value !== "number" || !Number.isFinite(value)) return;
      if (cooldownLeft > 0) {
        cooldownLeft--;
        wait = 0;
      }
      if (monitor.improves(value, best)) {
        best = value;
        wait = 0;
        return;
      }
      if (cooldownLeft > 0) return;
      wait++;
      if (wait < patience) return;
      const current = ctx.learningRate;
      if (current > minLr) {
        const reduced = Math.max(current * factor, minLr);
        ctx.lrScale *= reduced / current;
        reductions.push({ epoch: record.epoch, lr: reduced });
        ctx.note(`reduceLROnPlateau: ${monitor.monitor} stalled for ${wait} epochs; learning rate ${+current.toPrecision(4)} → ${+reduced.toPrecision(4)} after epoch ${record.epoch}.`);
      }
      cooldownLeft = cooldown;
      wait = 0;
    },
    saveState(): CallbackState {
      return { values: { best, wait, cooldownLeft, reductions } };
    },
    loadState(state: CallbackState) {
      const v = state.values as { best?: number; wait: number; cooldownLeft: number; reductions: { epoch: number; lr: number }[] };
      best = v.best;
      wait = v.wait;
      cooldownLeft = v.cooldownLeft;
      reductions.splice(0, reductions.length, ...v.reductions);
    },
  };
}
