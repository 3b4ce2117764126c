/**
 * What a learner watches while training runs: one chart (train and
 * validation loss, accuracy, and under it the learning rate) and one
 * progress line (epoch, batch, images/s, time left), both replaced in place.
 * The chart redraws through lib/charts' liveChart, which keeps drawing under
 * 3 % of the time; the progress line updates at most twice a second.
 */
import { Chart } from "../charts/chart";
import { historyChart } from "../charts/history";
import type { EpochRecord } from "../charts/history-analysis";
import { learningRateChart } from "../charts/learning-rate";
import type { VegaLiteSpec } from "../charts/spec";
import type { ThemeName } from "../charts/theme";
import { displayBundle, isHeadless, type DisplayHandle, type MimeBundle } from "../display";
import { escapeHtml } from "../data/html";
import type { LivePoint } from "./snapshot";

function body(chart: Chart): VegaLiteSpec {
  const { $schema: _schema, config: _config, ...rest } = chart.spec;
  return rest;
}

export interface TrainingChartOptions {
  title?: string;
  theme?: ThemeName;
  width?: number;
}

/** Loss and accuracy (train solid, validation dashed) above the learning rate, sharing the epoch axis. */
export function trainingChart(points: readonly LivePoint[], options: TrainingChartOptions = {}): Chart {
  const width = options.width ?? 480;
  const history = historyChart(points as readonly EpochRecord[], { title: options.title ?? "Training", width, height: 220 });
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
    `${Math.round(s.imagesPerSecond).toLocaleString("en-US")} img/s`,
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
