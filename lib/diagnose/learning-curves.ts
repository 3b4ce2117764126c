/**
 * learningCurves(): train on 10, 25, 50 and 100 % of the training images,
 * with several seeds, and plot the final training and validation loss
 * against the number of images. A validation loss still falling at 100 %
 * says more data would help; a wide, steady gap says the network overfits.
 */
import type * as tf from "@tensorflow/tfjs";
import { type Chart, lineChart, meanAndStd } from "../charts";
import { createRandom, type Dataset, mixSeeds, shuffleInPlace } from "../data";
import type { TrainOptions } from "../train";
import { escapeHtml, percent } from "../display/html";
import { DISPLAY, type MimeBundle } from "../display";
import { DEFAULT_GAP_THRESHOLD, relativeGap } from "../history";
import { runTrials, type Budget, type Trial, type TrialResults, trialOptions } from "./trials";

export interface LearningCurvesOptions {
  /** Fractions of the training split. Default [0.1, 0.25, 0.5, 1]. */
  fractions?: number[];
  /** Seeds per fraction (model, training and which images). Default [1, 2, 3]. */
  seeds?: number[];
  /** train() options. Default { epochs: 5 }. */
  options?: TrainOptions;
  budget?: Budget;
}

export interface CurvePoint {
  fraction: number;
  images: number;
  runs: number;
  loss: number;
  lossStd: number;
  valLoss: number;
  valLossStd: number;
  valAccuracy: number;
}

export class LearningCurves {
  constructor(
    readonly trials: TrialResults,
    readonly points: CurvePoint[],
    readonly conclusion: string,
  ) {}

  chart(): Chart {
    return lineChart(
      {
        "training loss": this.points.map((p) => ({ x: p.images, y: p.loss })),
        "validation loss": this.points.map((p) => ({ x: p.images, y: p.valLoss })),
      },
      { title: "Learning curves", xTitle: "training images", yTitle: "final loss (mean over seeds)", points: true },
    );
  }

  toString(): string {
    // With one seed there is no spread to show.
    const spread = (p: CurvePoint, std: number) => (p.runs > 1 ? ` ± ${std.toFixed(4)}` : "");
    const rows = this.points.map(
      (p) =>
        `${String(p.images).padStart(7)} images: loss ${p.loss.toFixed(4)}${spread(p, p.lossStd)}, ` +
        `valLoss ${p.valLoss.toFixed(4)}${spread(p, p.valLossStd)}, valAccuracy ${percent(p.valAccuracy, 2)}`,
    );
    return [...rows, this.conclusion].join("\n");
  }

  [DISPLAY](): MimeBundle {
    const svg = this.points.length ? this.chart().toSVG() : "";
    return {
      "text/html": `<div style="font-family:sans-serif;font-size:13px">${this.toString().split("\n").map((l) => `<div>${escapeHtml(l)}</div>`).join("")}${svg}</div>`,
      "text/plain": this.toString(),
    };
  }
}

/** Mean and sample standard deviation over the seeds (bandChart's rule). */
const stats = (xs: number[]) => {
  const [point] = meanAndStd(xs.map((x) => [x]));
  return { mean: point?.mean ?? NaN, std: point?.std ?? 0 };
};

/** The dataset with its train split cut to `fraction` of its images (a seeded choice). */
export function trainSubset(data: Dataset, fraction: number, seed: number): Dataset {
  const indices = Int32Array.from(data.indices("train"));
  shuffleInPlace(indices, createRandom(mixSeeds(seed, 23)));
  const count = Math.max(1, Math.round(indices.length * fraction));
  return data.withSplits(
    { train: indices.slice(0, count), validation: data.indices("validation"), test: data.indices("test") },
    { train: `${Math.round(fraction * 100)}% of the training split (seed ${seed})` },
  );
}

export async function learningCurves(build: (seed: number) => tf.LayersModel, data: Dataset, options: LearningCurvesOptions = {}): Promise<LearningCurves> {
  if (typeof build !== "function") throw new Error("learningCurves takes a function that builds a model from a seed, e.g. (seed) => lenet({ seed }).");
  const fractions = options.fractions ?? [0.1, 0.25, 0.5, 1];
  if (fractions.some((f) => !(f > 0 && f <= 1))) throw new Error(`fractions must be in (0, 1] (got ${JSON.stringify(fractions)}).`);
  if (data.size("validation") === 0) throw new Error("learningCurves needs a validation split to measure; use split(dataset) first.");
  const seeds = options.seeds ?? [1, 2, 3];
  const trials: Trial[] = [];
  for (const fraction of fractions) {
    for (const seed of seeds) {
      const subset = trainSubset(data, fraction, seed);
      trials.push({
        name: `${subset.size("train")} images, seed ${seed}`,
        params: { fraction, images: subset.size("train"), seed },
        build: () => build(seed),
        options: trialOptions(options.options, { randomSeed: seed }),
        data: subset,
      });
    }
  }
  const results = await runTrials(trials, data, { budget: options.budget, title: "Learning curves" });
  const points: CurvePoint[] = [];
  for (const fraction of fractions) {
    const runs = results.finished.filter((t) => t.params.fraction === fraction && t.final?.valLoss !== undefined);
    if (!runs.length) continue;
    const loss = stats(runs.map((t) => t.final!.loss!));
    const valLoss = stats(runs.map((t) => t.final!.valLoss!));
    const valAccuracy = stats(runs.map((t) => t.final!.valAccuracy!));
    points.push({
      fraction,
      images: runs[0].params.images as number,
      runs: runs.length,
      loss: loss.mean,
      lossStd: loss.std,
      valLoss: valLoss.mean,
      valLossStd: valLoss.std,
      valAccuracy: valAccuracy.mean,
    });
  }
  let conclusion = "";
  if (points.length >= 2) {
    const [a, b] = points.slice(-2);
    const falling = a.valLoss - b.valLoss > Math.max(a.valLossStd, b.valLossStd);
    const gap = relativeGap(b.loss, b.valLoss);
    conclusion = falling
      ? `Validation loss still falls from ${a.images} to ${b.images} images (${a.valLoss.toFixed(3)} → ${b.valLoss.toFixed(3)}): more data would probably help.`
      : `Validation loss hardly changes from ${a.images} to ${b.images} images: more of the same data will not help much; ` +
        (gap > DEFAULT_GAP_THRESHOLD ? "the train/validation gap suggests regularization or a smaller network." : "try a larger network or longer training.");
  }
  return new LearningCurves(results, points, conclusion);
}
