/**
 * What a learner watches while training runs: one chart (train and
 * validation loss, accuracy, and under it the learning rate) and one
 * progress line (epoch, batch, images/s, time left), both replaced in place,
 * shown by one built-in callback (as Keras's progress bar is one).
 * The chart redraws through lib/charts' liveChart, which keeps drawing under
 * 3 % of the time; the progress line updates at most twice a second.
 */
import { Chart, historyChart, learningRateChart, type LiveChart, liveChart, type ThemeName, type VegaLiteSpec } from "../charts";
import { analyzeHistory, type EpochRecord } from "../history";
import { displayBundle, isHeadless, type DisplayHandle, type MimeBundle } from "../display";
import { escapeHtml, formatCount } from "../display/html";
import type { BatchLog, Callback } from "./callbacks";
import type { TrainingRun } from "./run";
import type { LivePoint } from "./snapshot";

function body(chart: Chart): VegaLiteSpec {
  const { $schema: _schema, config: _config, ...rest } = chart.spec;
  return rest;
}

export interface TrainingChartOptions {
  title?: string;
  theme?: ThemeName;
  width?: number;
  /**
   * The epoch records that say which epoch was best and where the gap
   * opens, when `points` are finer than epochs (train()'s live chart).
   * Default: `points` themselves.
   */
  history?: readonly EpochRecord[];
}

/** Loss and accuracy (train solid, validation dashed) above the learning rate, sharing the epoch axis. */
export function trainingChart(points: readonly LivePoint[], options: TrainingChartOptions = {}): Chart {
  const width = options.width ?? 480;
  const analysis = options.history ? analyzeHistory(options.history) : undefined;
  const history = historyChart(points as readonly EpochRecord[], { title: options.title ?? "Training", width, height: 220, analysis });
  const rates = points.filter((p) => typeof p.lr === "number").map((p) => ({ epoch: p.epoch, lr: p.lr }));
  const lr = learningRateChart(rates, { title: "Learning rate", width, height: 80, xTitle: "epoch" });
  const summary = history.summary + (rates.length ? `; learning rate now ${+rates[rates.length - 1].lr!.toPrecision(3)}` : "");
  return new Chart(
    "training",
    summary,
    ({ theme }) => ({ vconcat: [body(history.withTheme(theme)), body(lr.withTheme(theme))], spacing: 12 }),
    { theme: options.theme },
  );
}

/** 45 s, 3 min 12 s, 1 h 05 min. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "–";
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${String(Math.round(seconds % 60)).padStart(2, "0")} s`;
  return `${Math.floor(seconds / 3600)} h ${String(Math.round((seconds % 3600) / 60)).padStart(2, "0")} min`;
}

export interface ProgressState {
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  step: number;
  totalSteps: number;
  imagesPerSecond: number;
  secondsLeft: number;
  loss?: number;
  lr: number;
  phase?: string;
}

export function progressText(s: ProgressState): string {
  const parts = [
    `Epoch ${s.epoch}/${s.epochs}`,
    `batch ${s.batch}/${s.batches}`,
    `${formatCount(Math.round(s.imagesPerSecond))} img/s`,
    `${formatDuration(s.secondsLeft)} left`,
  ];
  if (s.loss !== undefined && Number.isFinite(s.loss)) parts.push(`loss ${s.loss.toFixed(4)}`);
  parts.push(`lr ${+s.lr.toPrecision(3)}`);
  if (s.phase) parts.push(s.phase);
  return parts.join(" · ");
}

/** The progress line: one output, replaced in place, at most `perSecond` times a second. */
export class TrainingProgress {
  private handle: DisplayHandle | undefined;
  private lastShown = 0;
  private readonly minInterval: number;
  private readonly quiet: boolean;

  constructor(perSecond = 2) {
    this.minInterval = 1000 / perSecond;
    this.quiet = isHeadless();
  }

  /** Shows the state if enough time has passed (or `force`). Cheap when it does not. */
  update(state: () => ProgressState, force = false): void {
    const now = performance.now();
    if (!force && (this.quiet || now - this.lastShown < this.minInterval)) return;
    this.lastShown = now;
    const s = state();
    const text = progressText(s);
    this.show({
      "text/plain": text,
      "text/html":
        `<div style="font-family:sans-serif;font-size:13px"><progress value="${s.step}" max="${s.totalSteps}" ` +
        `style="width:200px;vertical-align:middle"></progress> ${escapeHtml(text)}</div>`,
    });
  }

  /** Replaces the line with a final message. */
  finish(text: string, notes: string[]): void {
    const html =
      `<div style="font-family:sans-serif;font-size:13px">${escapeHtml(text)}` +
      notes.map((n) => `<div style="color:#767676">${escapeHtml(n)}</div>`).join("") +
      `</div>`;
    this.show({ "text/plain": [text, ...notes].join("\n"), "text/html": html });
  }

  private show(bundle: MimeBundle): void {
    if (this.handle) this.handle.updateBundle(bundle);
    else this.handle = displayBundle(bundle);
  }
}

/**
 * The built-in display callback: the progress line first, the live chart
 * under it, both from the run's own records. finish() replaces the progress
 * line with the run's outcome once the result is final.
 */
export class TrainingDisplay implements Callback {
  readonly name = "display";
  private progress: TrainingProgress | undefined;
  private chart: LiveChart<LivePoint> | undefined;
  /** Points of the run already on the chart. */
  private shown = 0;

  constructor(private readonly run: TrainingRun) {}

  onTrainBegin(): void {
    this.progress = new TrainingProgress();
    this.progress.update(() => this.state(this.run.position.batchInEpoch, undefined, "starting"), true);
    const { points, history } = this.run.result;
    this.chart = liveChart<LivePoint>((all) => trainingChart(all, { history }), { initial: points });
    this.shown = points.length;
  }

  onBatchEnd(log: BatchLog): void {
    if (this.run.result.points.length > this.shown) this.drawNewPoints();
    this.progress?.update(() => this.state(this.run.position.batchInEpoch, log.loss));
  }

  onValidationBegin(): void {
    this.progress?.update(() => this.state(this.run.position.batchInEpoch, undefined, "validating"), true);
  }

  onValidationEnd(): void {
    // A validation at a point already drawn changes that point: redraw either way.
    this.drawNewPoints();
  }

  onEpochEnd(record: EpochRecord): void {
    this.progress?.update(() => this.state(this.run.plan.stepsPerEpoch, record.loss), true);
  }

  /** The final chart (with its PNG, for untrusted classic notebooks), and the outcome in place of the progress line. */
  async finish(): Promise<void> {
    await this.chart?.finish();
    const result = this.run.result;
    this.progress?.finish(result.headline(), result.lines().slice(1));
  }

  private drawNewPoints(): void {
    const points = this.run.result.points;
    this.chart?.push(...points.slice(this.shown));
    this.shown = points.length;
  }

  private state(batch: number, loss: number | undefined, phase?: string): ProgressState {
    const run = this.run;
    const { step } = run.position;
    const { maxIter, stepsPerEpoch } = run.plan;
    const elapsed = (performance.now() - run.started) / 1000;
    const doneHere = step - run.startStep;
    return {
      epoch: Math.min(run.epoch, run.options.epochs),
      epochs: run.options.epochs,
      batch,
      batches: stepsPerEpoch,
      step,
      totalSteps: maxIter,
      imagesPerSecond: run.trainMs > 0 ? run.images / (run.trainMs / 1000) : 0,
      secondsLeft: doneHere > 0 ? (elapsed / doneHere) * (maxIter - step) : NaN,
      loss,
      lr: run.currentLr,
      phase,
    };
  }
}
