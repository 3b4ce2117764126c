/**
 * What train() gives back: the per-epoch history (in the shape historyChart
 * takes), how the run ended, its timing and its snapshots. It is filled in
 * while training runs, so `lastTraining(model)` shows a run in progress, or
 * one whose cell was interrupted.
 */
import type * as tf from "@tensorflow/tfjs";
import type { Chart } from "../charts";
import { findBestEpoch, type BestEpoch, type EpochRecord } from "../history";
import { DISPLAY, type MimeBundle } from "../display";
import { escapeHtml, formatCount, htmlTable, numberCell, percent } from "../display/html";
import { formatDuration, trainingChart } from "./live";
import type { ResolvedTrainOptions } from "./options";
import type { LivePoint, SnapshotInfo } from "./snapshot";

export type TrainingStatus = "running" | "completed" | "stopped" | "interrupted" | "failed";

export interface TrainingTiming {
  /** Wall time of this call, in seconds. */
  seconds: number;
  /** Seconds in training steps (reading batches included). */
  trainSeconds: number;
  validationSeconds: number;
  snapshotSeconds: number;
  /** Images trained on in this call. */
  images: number;
  /** images / trainSeconds. */
  imagesPerSecond: number;
  /** Training seconds of all runs that led here (with resumed ones). */
  totalSeconds: number;
}

export class TrainingResult {
  status: TrainingStatus = "running";
  /** One record per completed epoch: { epoch, loss, accuracy, valLoss, valAccuracy, lr, seconds }. */
  readonly history: EpochRecord[] = [];
  /** The live chart's points: training loss eight times an epoch, and every validation. */
  readonly points: LivePoint[] = [];
  /** Snapshots written by this call, oldest first. */
  readonly snapshots: SnapshotInfo[] = [];
  /** Lines for the learner: what callbacks did, why training stopped. */
  readonly notes: string[] = [];
  /** Why training ended before its last epoch (early stopping, NaN, interrupt). */
  stopReason: string | undefined;
  /** Where an interrupt stopped training. */
  interruptedAt: { epoch: number; batch: number; step: number } | undefined;
  /** The error that ended training, if one did. */
  error: Error | undefined;
  /** Steps (batches) trained, resumed ones included. */
  steps = 0;
  readonly timing: TrainingTiming = {
    seconds: 0,
    trainSeconds: 0,
    validationSeconds: 0,
    snapshotSeconds: 0,
    images: 0,
    imagesPerSecond: 0,
    totalSeconds: 0,
  };
  /** The snapshot this run resumed from, if any. */
  resumedFrom: string | undefined;
  /** Resolves when training has ended (whatever the reason), with this result. */
  readonly done: Promise<TrainingResult>;
  private settle!: (result: TrainingResult) => void;

  constructor(
    readonly model: tf.LayersModel,
    readonly options: ResolvedTrainOptions,
    /** The run's folder (snapshots), if it writes any. */
    readonly snapshotDir: string | undefined,
    /** e.g. "SGD with momentum 0.9". */
    readonly solver: string,
    /** e.g. "step: ×0.1 every 33% of training (every 1,320 steps)". */
    readonly schedule: string,
  ) {
    this.done = new Promise((resolve) => (this.settle = resolve));
  }

  /** The seed of batch order, augmentation and dropout this run used. */
  get randomSeed(): number {
    return this.options.randomSeed;
  }

  get interrupted(): boolean {
    return this.status === "interrupted";
  }

  get epochsCompleted(): number {
    return this.history.length ? this.history[this.history.length - 1].epoch : 0;
  }

  /** The latest snapshot written (by this call). */
  get lastSnapshot(): SnapshotInfo | undefined {
    return this.snapshots[this.snapshots.length - 1];
  }

  /** The epoch with the lowest validation loss (or training loss without validation). */
  get best(): BestEpoch | undefined {
    return findBestEpoch(this.history);
  }

  /** The last epoch's record. */
  get final(): EpochRecord | undefined {
    return this.history[this.history.length - 1];
  }

  /** Loss, accuracy and learning rate per epoch. */
  chart(): Chart {
    return trainingChart(this.history);
  }

  /** @internal Called once by train() when the run has ended. */
  finish(status: Exclude<TrainingStatus, "running">): void {
    this.status = status;
    this.settle(this);
  }

  /** One line: how the run went. */
  headline(): string {
    const final = this.final;
    const parts: string[] = [];
    const verb: Record<TrainingStatus, string> = {
      running: "Training",
      completed: "Trained",
      stopped: "Stopped after",
      interrupted: "Interrupted after",
      failed: "Failed after",
    };
    const epochs = `${this.epochsCompleted} epoch${this.epochsCompleted === 1 ? "" : "s"}`;
    const resumed = this.resumedFrom ? ` (resumed from ${this.resumedFrom.split(/[\\/]/).pop()})` : "";
    parts.push(`${verb[this.status]} ${epochs}${resumed} in ${formatDuration(this.timing.seconds)}`);
    if (this.timing.imagesPerSecond > 0) parts.push(`${formatCount(Math.round(this.timing.imagesPerSecond))} img/s`);
    if (final?.valAccuracy !== undefined) parts.push(`validation accuracy ${percent(final.valAccuracy, 2)}`);
    else if (final?.accuracy !== undefined) parts.push(`training accuracy ${percent(final.accuracy, 2)}`);
    const best = this.best;
    if (best && final && best.epoch !== final.epoch) parts.push(`best ${best.monitor} at epoch ${best.epoch}`);
    return parts.join(", ") + ".";
  }

  /** All the lines the learner should read, headline first. */
  lines(): string[] {
    const lines = [this.headline()];
    if (this.stopReason) lines.push(this.stopReason);
    lines.push(...this.notes);
    if (this.interruptedAt) {
      lines.push(
        `The model keeps the weights it had at step ${this.interruptedAt.step} (epoch ${this.interruptedAt.epoch}, batch ${this.interruptedAt.batch}).`,
      );
    }
    if (this.lastSnapshot) {
      lines.push(
        `${this.snapshots.length} snapshot${this.snapshots.length === 1 ? "" : "s"} in ${this.snapshotDir}; ` +
          `resume with train(model, data, { resumeFrom: "${this.lastSnapshot.path}" }).`,
      );
    }
    if (this.error) lines.push(`Error: ${this.error.message}`);
    return lines;
  }

  toString(): string {
    return this.lines().join("\n");
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }

  [DISPLAY](): MimeBundle {
    const lines = this.lines();
    const value = (v: number | undefined, digits = 4) => numberCell(v === undefined ? "" : v.toFixed(digits));
    const rows = this.history.map((r) => [
      numberCell(String(r.epoch)),
      value(r.loss),
      value(r.accuracy),
      value(r.valLoss),
      value(r.valAccuracy),
      numberCell(r.lr === undefined ? "" : String(+r.lr.toPrecision(3))),
    ]);
    const headers = ["epoch", "loss", "accuracy", "valLoss", "valAccuracy", "lr"].map((h) => numberCell(h));
    const table = `<details><summary>History (${this.history.length} epochs)</summary>${htmlTable(headers, rows)}</details>`;
    let svg = "";
    if (this.history.length > 0) {
      try {
        svg = `<div>${this.chart().toSVG()}</div>`;
      } catch {
        svg = "";
      }
    }
    const html =
      `<div style="font-family:sans-serif;font-size:13px">` +
      `<div style="font-weight:bold">${escapeHtml(lines[0])}</div>` +
      lines.slice(1).map((l) => `<div>${escapeHtml(l)}</div>`).join("") +
      `<div style="color:#767676">${escapeHtml(`${this.solver}; learning rate ${this.schedule}; batch ${this.options.batchSize}; weight decay ${this.options.weightDecay}; biases learn ×${this.options.biasLearningRateMultiplier}; seed ${this.randomSeed}.`)}</div>` +
      svg +
      table +
      `</div>`;
    return { "text/html": html, "text/plain": this.toString() };
  }
}
