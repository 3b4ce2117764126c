/**
 * seedVariance(): the same setting trained with several seeds, drawn as mean
 * ± std bands, so a learner can tell noise from effect: a difference between
 * two settings smaller than their seed-to-seed spread may be luck.
 */
import type * as tf from "@tensorflow/tfjs";
import { bandChart, type Chart, meanAndStd } from "../charts";
import type { Dataset } from "../data";
import type { TrainOptions } from "../train";
import { escapeHtml, percentText } from "../display/html";
import { DISPLAY, type MimeBundle } from "../display";
import { runTrials, type Budget, type Trial, type TrialResults, trialOptions } from "./trials";

export interface SeedVarianceOptions {
  /** Seeds of the model's initial weights and of training. Default [1, 2, 3]. */
  seeds?: number[];
  /** train() options for every run. Default { epochs: 5 }. */
  options?: TrainOptions;
  /** Settings to compare, each a set of train() options on top of `options`. Default: one, "default". */
  settings?: Record<string, TrainOptions>;
  /** The history field to compare. Default "valLoss". */
  metric?: string;
  budget?: Budget;
}

export interface SettingSpread {
  setting: string;
  runs: number;
  /** Mean and standard deviation of the metric at the last epoch. */
  mean: number;
  std: number;
}

export class SeedVariance {
  constructor(
    readonly trials: TrialResults,
    readonly metric: string,
    readonly spreads: SettingSpread[],
    /** A sentence on whether the settings' differences exceed the noise. */
    readonly conclusion: string,
    private readonly runsBySetting: Record<string, number[][]>,
  ) {}

  chart(): Chart {
    return bandChart(this.runsBySetting, { title: `${this.metric}: mean ± std over seeds`, yTitle: this.metric, percent: isAccuracy(this.metric) });
  }

  toString(): string {
    return [
      ...this.spreads.map((s) => `${s.setting}: ${this.metric} ${value(this.metric, s.mean)} ± ${difference(this.metric, s.std)} (${s.runs} seeds)`),
      this.conclusion,
    ].join("\n");
  }

  [DISPLAY](): MimeBundle {
    const svg = this.spreads.length ? this.chart().toSVG() : "";
    return {
      "text/html": `<div style="font-family:sans-serif;font-size:13px">${this.toString().split("\n").map((l) => `<div>${escapeHtml(l)}</div>`).join("")}${svg}</div>`,
      "text/plain": this.toString(),
    };
  }
}

/** Accuracies are shown in percent, as in the trials table beside them; other metrics as numbers. */
const isAccuracy = (metric: string): boolean => /accuracy/i.test(metric);
const value = (metric: string, x: number): string => (isAccuracy(metric) ? percentText(x) : String(+x.toPrecision(4)));
const difference = (metric: string, x: number): string => (isAccuracy(metric) ? `${(100 * x).toFixed(1)} points` : String(+x.toPrecision(2)));

export async function seedVariance(build: (seed: number) => tf.LayersModel, data: Dataset, options: SeedVarianceOptions = {}): Promise<SeedVariance> {
  if (typeof build !== "function") throw new Error("seedVariance takes a function that builds a model from a seed, e.g. (seed) => lenet({ seed }).");
  const seeds = options.seeds ?? [1, 2, 3];
  if (seeds.length < 2) throw new Error("seedVariance needs at least two seeds to measure a spread.");
  const metric = options.metric ?? "valLoss";
  const settings = options.settings ?? { default: {} };
  const trials: Trial[] = [];
  for (const [setting, extra] of Object.entries(settings)) {
    for (const seed of seeds) {
      trials.push({
        name: `${setting}, seed ${seed}`,
        params: { setting, seed },
        build: () => build(seed),
        options: trialOptions(options.options, extra, { randomSeed: seed }),
      });
    }
  }
  const results = await runTrials(trials, data, { budget: options.budget, title: "Seed variance" });
  const runsBySetting: Record<string, number[][]> = {};
  const spreads: SettingSpread[] = [];
  for (const setting of Object.keys(settings)) {
    const runs = results.finished
      .filter((t) => t.params.setting === setting)
      .map((t) => t.history.map((r) => (typeof r[metric] === "number" ? (r[metric] as number) : NaN)));
    if (!runs.length) continue;
    runsBySetting[setting] = runs;
    const finals = meanAndStd(runs.map((r) => [r[r.length - 1]]));
    if (finals.length) spreads.push({ setting, runs: runs.length, mean: finals[0].mean, std: finals[0].std });
  }
  let conclusion = "";
  if (spreads.length === 1) {
    conclusion = `Seed to seed, the final ${metric} varies by ±${difference(metric, spreads[0].std)}: differences smaller than that between two runs may be luck.`;
  } else if (spreads.length > 1) {
    const sorted = [...spreads].sort((a, b) => a.mean - b.mean);
    const [a, b] = [sorted[0], sorted[1]];
    const noise = Math.max(a.std, b.std);
    conclusion =
      b.mean - a.mean > 2 * noise
        ? `${a.setting} and ${b.setting} differ by ${difference(metric, b.mean - a.mean)} in ${metric}, more than twice the seed-to-seed spread (±${difference(metric, noise)}): an effect.`
        : `${a.setting} and ${b.setting} differ by ${difference(metric, b.mean - a.mean)} in ${metric}, within twice the seed-to-seed spread (±${difference(metric, noise)}): it may be noise; try more seeds.`;
  }
  return new SeedVariance(results, metric, spreads, conclusion, runsBySetting);
}
