/**
 * Callbacks: small hooks train() calls as it goes, as in Keras. Each hook is
 * optional; a callback that keeps state across epochs (early stopping's
 * best value, say) can save it in snapshots, so a resumed run continues
 * exactly where it left off.
 *
 *     const printer = callback({
 *       name: "print",
 *       onEpochEnd(record) { console.log(record.epoch, record.valAccuracy); },
 *     });
 *     await train(model, data, { callbacks: [printer, earlyStopping()] });
 */
import type * as tf from "@tensorflow/tfjs";
import type { EpochRecord } from "../history";
import type { ResolvedTrainOptions } from "./options";
import type { TrainingResult } from "./result";

/** One training step, as a callback sees it. */
export interface BatchLog {
  /** 1-based epoch. */
  epoch: number;
  /** 0-based batch within the epoch. */
  batch: number;
  /** 0-based step of the whole run (Caffe's iteration). */
  step: number;
  /** Images in the batch. */
  size: number;
  /** Mean loss over the batch. */
  loss: number;
  /** Fraction of the batch classified correctly. */
  accuracy: number;
  /** Learning rate this step used. */
  lr: number;
}

/** One validation pass. */
export interface ValidationLog {
  /** Epochs done when it ran (fractional when validationInterval is). */
  epoch: number;
  step: number;
  valLoss: number;
  valAccuracy: number;
}

/** What callbacks can read and change while training runs. */
export interface TrainingContext {
  readonly model: tf.LayersModel;
  readonly options: Readonly<ResolvedTrainOptions>;
  /** Completed epochs so far. */
  readonly history: readonly EpochRecord[];
  /** Current 1-based epoch. */
  readonly epoch: number;
  /** Steps done in the whole run. */
  readonly step: number;
  readonly stepsPerEpoch: number;
  /** The rate the next step will use: the schedule's, times lrScale. */
  readonly learningRate: number;
  /** Multiplies the schedule's rate; reduceLROnPlateau lowers it. Starts at 1. */
  lrScale: number;
  /** True when the learner interrupted training. */
  readonly interrupted: boolean;
  /** Ends training after the current step, with the reason shown to the learner. */
  stop(reason: string): void;
  readonly stopRequested: boolean;
  /** A line for the learner, shown under the progress line and in the result. */
  note(text: string): void;
}

/** What a callback keeps across epochs, for snapshots: plain data and tensors. */
export interface CallbackState {
  values: unknown;
  tensors?: tf.Tensor[];
}

export interface Callback {
  /** Names the callback in snapshots and messages. Default: its position. */
  name?: string;
  onTrainBegin?(ctx: TrainingContext): void | Promise<void>;
  onEpochBegin?(epoch: number, ctx: TrainingContext): void | Promise<void>;
  /** Runs after every step: keep it cheap. */
  onBatchEnd?(log: BatchLog, ctx: TrainingContext): void | Promise<void>;
  /** Runs before each validation pass. */
  onValidationBegin?(ctx: TrainingContext): void | Promise<void>;
  onValidationEnd?(log: ValidationLog, ctx: TrainingContext): void | Promise<void>;
  /** Runs after each epoch's record (with validation) is in the history. */
  onEpochEnd?(record: EpochRecord, ctx: TrainingContext): void | Promise<void>;
  /** Runs once at the end, also after a stop or an interrupt (see ctx.interrupted). */
  onTrainEnd?(result: TrainingResult, ctx: TrainingContext): void | Promise<void>;
  /** State to put in snapshots. The tensors stay the callback's (they are copied). */
  saveState?(): CallbackState;
  /** Restores what saveState() gave (the tensors are the callback's to keep and dispose). */
  loadState?(state: CallbackState): void;
}

const HOOKS = ["onTrainBegin", "onEpochBegin", "onBatchEnd", "onValidationBegin", "onValidationEnd", "onEpochEnd", "onTrainEnd", "saveState", "loadState"];

/** A custom callback from hooks: `callback({ onEpochEnd(record, ctx) { ... } })`. */
export function callback(hooks: Callback): Callback {
  if (!hooks || typeof hooks !== "object") {
    throw new Error("callback() takes an object of hooks, e.g. callback({ onEpochEnd(record) { console.log(record.loss); } }).");
  }
  for (const [key, value] of Object.entries(hooks)) {
    if (key === "name") continue;
    if (!HOOKS.includes(key)) {
      throw new Error(`callback: unknown hook "${key}". The hooks are ${HOOKS.join(", ")}.`);
    }
    if (typeof value !== "function") throw new Error(`callback: ${key} must be a function.`);
  }
  return hooks;
}

/** Awaits a hook's result only when it is a promise, so synchronous hooks cost no extra tick. */
export function settle(value: void | Promise<void>): Promise<void> | undefined {
  return value && typeof (value as Promise<void>).then === "function" ? (value as Promise<void>) : undefined;
}
