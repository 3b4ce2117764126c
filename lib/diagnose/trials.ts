/**
 * Running a list of training runs ("trials") one after another, within a
 * budget of time or epochs, keeping every finished trial when the learner
 * interrupts. Sweeps, seed-variance bands, learning curves, capacity and
 * regularization comparisons are all lists of trials.
 */
import type * as tf from "@tensorflow/tfjs";
import { type Chart, lineChart, parallelCoordinatesChart, type SweepRecord } from "../charts";
import type { Dataset } from "../data";
import { callback, formatDuration, train, type Callback, type TrainingResult, type TrainOptions } from "../train";
import { shortGap, type EpochRecord } from "../history";
import { escapeHtml, htmlTable, percent, textTable } from "../display/html";
import { DISPLAY, displayBundle, inNotebook, interruptSignal, wasInterrupted, type DisplayHandle, type MimeBundle } from "../display";
import { TrainingInterrupted } from "../train";

export type ParamValue = number | string | boolean;

/** Epochs of each trial when its options do not say: diagnosis compares short runs. */
export const TRIAL_EPOCHS = 5;

/** A trial's train() options: TRIAL_EPOCHS, then each set of options in turn (later ones win). */
export function trialOptions(...layers: (TrainOptions | undefined)[]): TrainOptions {
  return Object.assign({ epochs: TRIAL_EPOCHS }, ...layers);
}

export interface Trial {
  /** Shown in tables and legends, e.g. "lr 0.01, batch 32". */
  name: string;
  /** The settings that distinguish this trial (table columns, parallel-coordinates axes). */
  params: Record<string, ParamValue>;
  /** Builds a fresh model for the trial. */
  build: () => tf.LayersModel;
  /** train() options for this trial (live and snapshots are off unless set). */
  options?: TrainOptions;
  /** Another dataset for this trial (learning curves train on subsets). */
  data?: Dataset;
}

export interface Budget {
  /** Stop starting trials after this many seconds, and cut the running one short. */
  seconds?: number;
  /** Total epochs over all trials; a trial that would exceed it is cut short at the limit. */
  epochs?: number;
}

export interface TrialsOptions {
  budget?: Budget;
  /** Title of the results. */
  title?: string;
  /** Keep each trial's trained model in its record (default false: models are disposed). */
  keepModels?: boolean;
  /** Show a table that fills in as trials finish. Default: true in a notebook. */
  live?: boolean;
}

export type TrialStatus = "done" | "stopped early" | "cut short" | "interrupted" | "skipped" | "failed";

export interface TrialRecord {
  name: string;
  params: Record<string, ParamValue>;
  status: TrialStatus;
  /** Why it stopped, was cut short or skipped. */
  note?: string;
  history: EpochRecord[];
  epochs: number;
  seconds: number;
  /** Parameters of the model. */
  modelParams: number;
  final?: EpochRecord;
  bestValAccuracy?: number;
  bestValLoss?: number;
  /** The trained model, with keepModels. */
  model?: tf.LayersModel;
}

const pct = (x: number | undefined) => (x === undefined ? "" : percent(x, 2));
const num = (x: number | undefined) => (x === undefined ? "" : String(+x.toPrecision(4)));

export class TrialResults {
  readonly trials: TrialRecord[] = [];
  interrupted = false;
  /** Resolves when every trial has run (or the budget or an interrupt ended the list). */
  readonly done: Promise<TrialResults>;
  private settle!: (r: TrialResults) => void;

  constructor(readonly title: string) {
    this.done = new Promise((resolve) => (this.settle = resolve));
  }

  /** @internal */
  finish(): void {
    this.settle(this);
  }

  /** Trials that trained (fully or not). */
  get finished(): TrialRecord[] {
    return this.trials.filter((t) => t.history.length > 0);
  }

  /** The trial with the best validation accuracy (or lowest validation loss, or training loss). */
  get best(): TrialRecord | undefined {
    const key = (t: TrialRecord) => t.bestValAccuracy ?? (t.bestValLoss !== undefined ? -t.bestValLoss : t.final?.loss !== undefined ? -t.final.loss : undefined);
    let best: TrialRecord | undefined;
    for (const t of this.finished) {
      const k = key(t);
      if (k !== undefined && (best === undefined || k > key(best)!)) best = t;
    }
    return best;
  }

  /** One row per trial: its params and results, for parallelCoordinatesChart or a table. */
  records(): SweepRecord[] {
    return this.finished.map((t) => ({
      ...t.params,
      valAccuracy: t.bestValAccuracy,
      valLoss: t.bestValLoss,
    }));
  }

  /** Hyperparameters against the best validation accuracy, one line per trial. */
  parallelChart(): Chart {
    return parallelCoordinatesChart(this.records(), { title: this.title });
  }

  /** One curve per trial (validation loss by default) over epochs. */
  curves(metric: "valLoss" | "valAccuracy" | "loss" | "accuracy" = "valLoss"): Chart {
    const series: Record<string, { x: number; y: number }[]> = {};
    for (const t of this.finished) {
      series[t.name] = t.history.filter((r) => typeof r[metric] === "number").map((r) => ({ x: r.epoch, y: r[metric] as number }));
    }
    return lineChart(series, { title: `${this.title}: ${metric}`, xTitle: "epoch", yTitle: metric });
  }

  private rows(): string[][] {
    const paramNames = [...new Set(this.trials.flatMap((t) => Object.keys(t.params)))];
    const best = this.best;
    return this.trials.map((t) => [
      t === best ? `${t.name} ★` : t.name,
      ...paramNames.map((p) => (t.params[p] === undefined ? "" : String(t.params[p]))),
      t.status,
      String(t.epochs),
      pct(t.bestValAccuracy),
      num(t.bestValLoss),
      num(t.final?.loss),
      t.final?.valLoss !== undefined && t.final.loss !== undefined ? shortGap(t.final.loss, t.final.valLoss) : "",
      formatDuration(t.seconds),
    ]);
  }

  private header(): string[] {
    const paramNames = [...new Set(this.trials.flatMap((t) => Object.keys(t.params)))];
    return ["trial", ...paramNames, "status", "epochs", "best valAccuracy", "best valLoss", "final loss", "final valLoss vs loss", "time"];
  }

  toString(): string {
    const header = this.header();
    const lines = [
      `${this.title}: ${this.finished.length} of ${this.trials.length} trials trained${this.interrupted ? " (interrupted)" : ""}`,
      textTable(header, this.rows(), { align: header.map(() => "left") }),
    ];
    const best = this.best;
    if (best) lines.push(`Best: ${best.name}${best.bestValAccuracy !== undefined ? ` (validation accuracy ${pct(best.bestValAccuracy)})` : ""}.`);
    return lines.join("\n");
  }

  /** The table as HTML (no charts): what the live display shows. */
  tableHtml(): string {
    return htmlTable(this.header(), this.rows());
  }

  [DISPLAY](): MimeBundle {
    let charts = "";
    try {
      if (this.finished.length > 0) charts += this.curves().toSVG();
      if (this.finished.length > 1 && this.finished.some((t) => Object.keys(t.params).length > 0)) charts += this.parallelChart().toSVG();
    } catch {
      // A chart that cannot be drawn (a single distinct value on every axis, say) leaves the table.
    }
    return {
      "text/html":
        `<div style="font-family:sans-serif;font-size:13px"><div style="font-weight:bold">${escapeHtml(this.toString().split("\n")[0])}</div>` +
        this.tableHtml() +
        (this.best ? `<div>Best: ${escapeHtml(this.best.name)}.</div>` : "") +
        `<div>${charts}</div></div>`,
      "text/plain": this.toString(),
    };
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

let latest: TrialResults | undefined;

/**
 * The latest list of trials (a sweep, a comparison), also while it runs or
 * after its cell was interrupted: `await lastTrials().done` keeps every
 * finished trial.
 */
export function lastTrials(): TrialResults | undefined {
  return latest;
}

/** Runs trials in order within the budget; interrupting keeps the finished ones. */
export async function runTrials(trials: Trial[], data: Dataset, options: TrialsOptions = {}): Promise<TrialResults> {
  if (!Array.isArray(trials) || trials.length === 0) throw new Error("There are no trials to run.");
  const budget = checkBudget(options.budget ?? {});
  const results = new TrialResults(options.title ?? "Trials");
  latest = results;
  for (const t of trials) {
    results.trials.push({ name: t.name, params: t.params, status: "skipped", history: [], epochs: 0, seconds: 0, modelParams: 0 });
  }
  const show = liveTable(results, options.live ?? inNotebook());
  const signal = interruptSignal();
  const spent = new BudgetSpent(budget);
  try {
    for (let i = 0; i < trials.length; i++) {
      const record = results.trials[i];
      if (signal.aborted || wasInterrupted()) {
        results.interrupted = true;
        break;
      }
      const why = spent.beforeTrial();
      if (why) {
        record.note = why;
        continue;
      }
      show(`Running trial ${i + 1} of ${trials.length}: ${trials[i].name}`);
      await runTrial(trials[i], record, data, spent, options.keepModels ?? false);
      if (record.status === "interrupted") results.interrupted = true;
      show();
      if (results.interrupted) break;
    }
  } finally {
    for (const record of results.trials) {
      if (record.status === "skipped" && !record.note) record.note = results.interrupted ? "interrupted before it started" : undefined;
    }
    show();
    results.finish();
  }
  return results;
}

function checkBudget(budget: Budget): Budget {
  if (budget.seconds !== undefined && !(budget.seconds > 0)) throw new Error(`budget.seconds must be positive (got ${budget.seconds}).`);
  if (budget.epochs !== undefined && !(Number.isInteger(budget.epochs) && budget.epochs > 0)) {
    throw new Error(`budget.epochs must be a whole number of epochs (got ${budget.epochs}).`);
  }
  return budget;
}

/** Shows the results table, updated in place, when `live`; `running` says which trial runs now. */
function liveTable(results: TrialResults, live: boolean): (running?: string) => void {
  let handle: DisplayHandle | undefined;
  return (running?: string) => {
    if (!live) return;
    const bundle: MimeBundle = {
      "text/html":
        `<div style="font-family:sans-serif;font-size:13px">${running ? `<div>${escapeHtml(running)}</div>` : ""}${results.tableHtml()}</div>`,
      "text/plain": (running ? running + "\n" : "") + results.toString(),
    };
    if (handle) handle.updateBundle(bundle);
    else handle = displayBundle(bundle);
  };
}

/** How much of a budget the trials have used: seconds since the first started, epochs trained. */
class BudgetSpent {
  private readonly started = performance.now();
  epochs = 0;

  constructor(readonly budget: Budget) {}

  get seconds(): number {
    return (performance.now() - this.started) / 1000;
  }

  /** Epochs the next trial may train. */
  get epochsLeft(): number {
    return this.budget.epochs !== undefined ? this.budget.epochs - this.epochs : Infinity;
  }

  /** Why the next trial cannot start, or undefined when it can. */
  beforeTrial(): string | undefined {
    if (this.budget.seconds !== undefined && this.seconds >= this.budget.seconds) return `the time budget (${formatDuration(this.budget.seconds)}) was spent`;
    if (this.epochsLeft <= 0) return `the budget of ${this.budget.epochs} epochs was spent`;
    return undefined;
  }

  /** A callback that stops a trial when the time runs out (after a batch) or its epochs do; `cut()` says which did. */
  guard(): { guard: Callback; cut: () => string | undefined } {
    const { budget } = this;
    const left = this.epochsLeft;
    let cut: string | undefined;
    const guard = callback({
      name: "budget",
      onBatchEnd: (_log, ctx) => {
        if (budget.seconds !== undefined && this.seconds >= budget.seconds) {
          cut = `the time budget (${formatDuration(budget.seconds)}) ran out`;
          ctx.stop(cut);
        }
      },
      onEpochEnd: (r, ctx) => {
        if (r.epoch >= left && !ctx.stopRequested) {
          cut = `the budget of ${budget.epochs} epochs ran out`;
          ctx.stop(cut);
        }
      },
    });
    return { guard, cut: () => cut };
  }
}

/** Trains one trial's fresh model within what is left of the budget, and fills in its record. */
async function runTrial(trial: Trial, record: TrialRecord, data: Dataset, spent: BudgetSpent, keepModel: boolean): Promise<void> {
  const { guard, cut } = spent.guard();
  const model = trial.build();
  const t0 = performance.now();
  try {
    record.modelParams = model.countParams();
    // An interrupted trial is kept (train() throws, with the run on the error).
    const run = await train(model, trial.data ?? data, {
      live: false,
      snapshots: false,
      ...trial.options,
      callbacks: [...(trial.options?.callbacks ?? []), guard],
    }).catch((error: unknown) => {
      if (error instanceof TrainingInterrupted) return error.result;
      throw error;
    });
    recordRun(record, run, cut());
  } catch (error) {
    record.status = "failed";
    record.note = (error as Error).message;
  } finally {
    record.seconds = (performance.now() - t0) / 1000;
    spent.epochs += record.epochs;
    if (keepModel) record.model = model;
    else model.dispose();
  }
}

/** A finished run's history, best validation numbers and status in its trial's record. */
function recordRun(record: TrialRecord, run: TrainingResult, cut: string | undefined): void {
  record.history = [...run.history];
  record.epochs = run.history.length;
  record.final = run.history[run.history.length - 1];
  const vals = run.history.filter((r) => typeof r.valAccuracy === "number");
  if (vals.length) {
    record.bestValAccuracy = Math.max(...vals.map((r) => r.valAccuracy!));
    record.bestValLoss = Math.min(...vals.map((r) => r.valLoss!));
  }
  if (run.status === "interrupted") {
    record.status = "interrupted";
  } else if (cut) {
    record.status = "cut short";
    record.note = cut;
  } else if (run.status === "stopped") {
    record.status = "stopped early";
    record.note = run.stopReason;
  } else {
    record.status = "done";
  }
}
