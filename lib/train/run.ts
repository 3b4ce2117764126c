/**
 * One call of train() while it runs: where it is (epoch, batch, step), what
 * it has recorded, its solver and its callbacks. The loop (loop.ts) moves it
 * forward; callbacks read it through the TrainingContext it hands them, and
 * the built-in display and snapshot callbacks through the run itself.
 */
import type * as tf from "@tensorflow/tfjs";
import type { Dataset } from "../data";
import { interruptSignal, wasInterrupted } from "../display";
import type { EpochRecord } from "../history";
import { settle, type Callback, type TrainingContext, type ValidationLog } from "./callbacks";
import { forwardFor, type Forward } from "./forward";
import type { Objective } from "./objective";
import type { ResolvedTrainOptions } from "./options";
import type { RunPlan } from "./plan";
import type { TrainingResult } from "./result";
import type { LivePoint, PartialEpoch } from "./snapshot";
import { createRunSolver, disposeOptimizer, setLearningRate } from "./solvers";
import { TrainStep } from "./step";
import { scoreSplit } from "./validate";

/** Validation batches are larger: no gradients, so memory allows it. */
const VALIDATION_BATCH = 256;

export type RunStatus = "completed" | "stopped" | "interrupted" | "failed";

/** Where a run stands; a snapshot saves it and a resumed run starts from it. */
export interface RunPosition {
  epochsDone: number;
  /** Batches of the next epoch already trained. */
  batchInEpoch: number;
  step: number;
  lrScale: number;
  partial: PartialEpoch | undefined;
  /** Training seconds of the runs this one resumes. */
  priorSeconds: number;
}

export class TrainingRun {
  readonly forward: Forward;
  readonly optimizer: tf.Optimizer;
  trainStep: TrainStep | undefined;
  readonly position: RunPosition = { epochsDone: 0, batchInEpoch: 0, step: 0, lrScale: 1, partial: undefined, priorSeconds: 0 };
  /** The 1-based epoch in progress. */
  epoch = 1;
  /** The rate the optimizer holds now. */
  currentLr = 0;
  stopReason: string | undefined;
  status: RunStatus = "completed";
  /** Step where this call started (a resumed run starts late). */
  startStep = 0;
  /** When this call started training (set by train() once the run is ready). */
  started = performance.now();
  /** Milliseconds spent in training steps, and images trained on, in this call. */
  trainMs = 0;
  images = 0;
  /** Callbacks in the order they run: the built-in display first, then the learner's, then the built-in guards. */
  private readonly callbacks: Callback[] = [];
  readonly context: TrainingContext;
  readonly validating: boolean;

  constructor(
    readonly model: tf.LayersModel,
    readonly data: Dataset,
    readonly options: ResolvedTrainOptions,
    readonly plan: RunPlan,
    readonly result: TrainingResult,
    /** The learner's callbacks (their states go into snapshots, by position). */
    readonly userCallbacks: readonly Callback[],
    /** What to learn when it is not the images' classes (TrainOptions.objective). */
    objective?: Objective,
    /** The interrupt signal of the cell that called train() (taken before its first await, while that cell still runs). */
    private readonly signal: AbortSignal = interruptSignal(),
  ) {
    this.forward = forwardFor(model, objective);
    this.optimizer = createRunSolver(model, options, plan.schedule.at(0));
    this.validating = options.validationInterval > 0 && data.size(options.validationSplit) > 0;
    this.context = new RunContext(this);
  }

  /** Adds built-in callbacks: `first` ones run before the learner's, the others after. */
  addCallbacks(first: (Callback | undefined)[], last: (Callback | undefined)[]): void {
    const present = (list: (Callback | undefined)[]) => list.filter((cb): cb is Callback => cb !== undefined);
    this.callbacks.push(...present(first), ...this.userCallbacks, ...present(last));
  }

  /** Names a learner's callback in snapshots and messages. */
  static callbackName(cb: Callback, i: number): string {
    return cb.name ?? `callback${i}`;
  }

  get hasCallbacks(): boolean {
    return this.callbacks.length > 0;
  }

  /** Runs one hook of every callback in order, awaiting only those that return a promise. */
  async runHook(hook: (cb: Callback) => void | Promise<void>): Promise<void> {
    for (const cb of this.callbacks) {
      const pending = settle(hook(cb));
      if (pending) await pending;
    }
  }

  /** True once the learner pressed interrupt. */
  interrupted(): boolean {
    return this.signal.aborted || wasInterrupted();
  }

  /** The schedule's rate at the current step, times the callbacks' scale. */
  get learningRate(): number {
    return this.plan.schedule.at(this.position.step) * this.position.lrScale;
  }

  /** Gives the optimizer the rate of the step the run starts at. */
  startLearningRate(): void {
    this.currentLr = this.learningRate;
    setLearningRate(this.optimizer, this.currentLr);
  }

  /** Sets the optimizer's rate for the next step (only when it changed: rebuilding it costs a tensor). */
  applyLearningRate(): number {
    const lr = this.learningRate;
    if (lr !== this.currentLr) {
      setLearningRate(this.optimizer, lr);
      this.currentLr = lr;
    }
    return lr;
  }

  /** Epochs done, as a fraction while an epoch is in progress. */
  get epochProgress(): number {
    return this.position.epochsDone + this.position.batchInEpoch / this.plan.stepsPerEpoch;
  }

  /** Scores the validation split; records it on the chart's points and tells the callbacks. */
  async validate(): Promise<ValidationLog | undefined> {
    const t0 = performance.now();
    await this.runHook((cb) => cb.onValidationBegin?.(this.context));
    const score = await scoreSplit(this.forward, this.data, this.options.validationSplit, VALIDATION_BATCH, () => this.interrupted());
    this.result.timing.validationSeconds += (performance.now() - t0) / 1000;
    if (!score) return undefined;
    const log: ValidationLog = { epoch: this.epochProgress, step: this.position.step, valLoss: score.loss, valAccuracy: score.accuracy };
    const points = this.result.points;
    const last = points[points.length - 1];
    if (last && Math.abs(last.epoch - log.epoch) < 1e-9) {
      last.valLoss = log.valLoss;
      last.valAccuracy = log.valAccuracy;
    } else {
      points.push({ epoch: log.epoch, valLoss: log.valLoss, valAccuracy: log.valAccuracy });
    }
    const partial = this.position.partial;
    if (partial) {
      partial.valLoss = log.valLoss;
      partial.valAccuracy = log.valAccuracy;
    }
    await this.runHook((cb) => cb.onValidationEnd?.(log, this.context));
    return log;
  }

  /** Closes the epoch in progress: its record goes into the history. */
  recordEpoch(): EpochRecord {
    const p = this.position;
    const partial = p.partial!;
    p.epochsDone = this.epoch;
    p.batchInEpoch = 0;
    const record: EpochRecord = { epoch: this.epoch, loss: partial.lossSum / partial.seen, accuracy: partial.correct / partial.seen };
    if (partial.valLoss !== undefined) {
      record.valLoss = partial.valLoss;
      record.valAccuracy = partial.valAccuracy;
    }
    record.lr = this.currentLr;
    this.result.history.push(record);
    p.partial = undefined;
    return record;
  }

  /** A point of the live chart: the mean of the batches since the last one. */
  addPoint(point: LivePoint): void {
    this.result.points.push(point);
  }

  /** Frees what the run made (the solver's slots, the step's constants). */
  dispose(): void {
    this.trainStep?.dispose();
    disposeOptimizer(this.optimizer);
  }
}

/** What callbacks see of a run: a few numbers, the history, and the levers (stop, lrScale, note). */
class RunContext implements TrainingContext {
  constructor(private readonly run: TrainingRun) {}
  get model(): tf.LayersModel {
    return this.run.model;
  }
  get options(): Readonly<ResolvedTrainOptions> {
    return this.run.options;
  }
  get history(): readonly EpochRecord[] {
    return this.run.result.history;
  }
  get epoch(): number {
    return this.run.epoch;
  }
  get step(): number {
    return this.run.position.step;
  }
  get stepsPerEpoch(): number {
    return this.run.plan.stepsPerEpoch;
  }
  get learningRate(): number {
    return this.run.learningRate;
  }
  get lrScale(): number {
    return this.run.position.lrScale;
  }
  set lrScale(value: number) {
    if (!(value > 0 && Number.isFinite(value))) throw new Error(`lrScale must be a positive number (got ${value}).`);
    this.run.position.lrScale = value;
  }
  get interrupted(): boolean {
    return this.run.result.status === "interrupted" || this.run.interrupted();
  }
  stop(reason: string): void {
    if (!this.run.stopReason) this.run.stopReason = reason;
  }
  get stopRequested(): boolean {
    return this.run.stopReason !== undefined;
  }
  note(text: string): void {
    this.run.result.notes.push(text);
  }
}
