/**
 * findLearningRate(): the learning-rate range test. Train for a few hundred
 * steps while the rate grows exponentially from tiny to huge, and watch the
 * (smoothed) loss: it barely moves while the rate is too small, falls fastest
 * around a good rate, and explodes when the rate is too large. The suggestion
 * is the rate where it falls fastest. The model's weights are put back
 * afterwards.
 */
import * as tf from "@tensorflow/tfjs";
import { Chart } from "../charts";
import type { Dataset } from "../data";
import type { TrainOptions } from "../train";
import { frame } from "../charts/format";
import { escapeHtml } from "../display/html";
import { SERIES_COLORS } from "../charts/theme";
import { DISPLAY, interruptSignal, wasInterrupted, type MimeBundle } from "../display";
import { forwardFor } from "../train/forward";
import { resolveTrainOptions } from "../train/options";
import { createOptimizer, disposeOptimizer, setLearningRate } from "../train/solvers";
import { TrainStep } from "../train/step";

export interface FindLearningRateOptions {
  /** Lowest rate tried. Default 1e-6. */
  start?: number;
  /** Highest rate tried. Default 1. */
  end?: number;
  /** Steps from start to end. Default 100. */
  steps?: number;
  /** Smoothing of the loss curve (exponential moving average). Default 0.9. */
  smoothing?: number;
  /** Stop once the smoothed loss is this many times its lowest. Default 4. */
  stopFactor?: number;
  /** Solver and batch options as in train() (solver, batchSize, momentum, weightDecay...). Default train()'s. */
  options?: TrainOptions;
  seed?: number;
}

export interface RatePoint {
  lr: number;
  loss: number;
  smoothed: number;
}

export class LearningRateFinder {
  constructor(
    readonly points: RatePoint[],
    /** The rate where the smoothed loss falls fastest. */
    readonly suggested: number | undefined,
    /** The rate with the lowest smoothed loss (training there is usually too fast). */
    readonly minimumAt: number | undefined,
    readonly stoppedBecause: string,
  ) {}

  chart(): Chart {
    const values = this.points.filter((p) => Number.isFinite(p.smoothed)).map((p) => ({ lr: p.lr, loss: p.smoothed }));
    const summary = this.toString();
    return new Chart("lr-finder", summary, ({ annotationColor }) => ({
      ...frame({}, { title: "Learning-rate range test", subtitle: this.suggested ? `suggested ${+this.suggested.toPrecision(2)}` : undefined, width: 480, height: 240 }),
      layer: [
        {
          data: { values },
          mark: { type: "line", strokeWidth: 2, color: SERIES_COLORS[0] },
          encoding: {
            x: { field: "lr", type: "quantitative", scale: { type: "log" }, axis: { title: "learning rate", format: "~g" } },
            y: { field: "loss", type: "quantitative", scale: { zero: false }, axis: { title: "loss (smoothed)" } },
          },
        },
        ...(this.suggested
          ? [
              {
                data: { values: [{ lr: this.suggested }] },
                mark: { type: "rule", color: annotationColor, strokeDash: [4, 3] },
                encoding: { x: { field: "lr", type: "quantitative" } },
              },
            ]
          : []),
      ],
    }));
  }

  toString(): string {
    return this.suggested
      ? `Suggested learning rate: ${+this.suggested.toPrecision(2)} (the loss falls fastest there; lowest loss at ${+this.minimumAt!.toPrecision(2)}). ${this.stoppedBecause}`
      : `No suggestion: the loss never fell. ${this.stoppedBecause} Check the data and the model (overfitOneBatch).`;
  }

  [DISPLAY](): MimeBundle {
    const svg = this.points.length > 2 ? this.chart().toSVG() : "";
    return { "text/html": `<div style="font-family:sans-serif;font-size:13px"><div>${escapeHtml(this.toString())}</div>${svg}</div>`, "text/plain": this.toString() };
  }
}

export async function findLearningRate(model: tf.LayersModel, data: Dataset, options: FindLearningRateOptions = {}): Promise<LearningRateFinder> {
  const start = options.start ?? 1e-6;
  const end = options.end ?? 1;
  const steps = options.steps ?? 100;
  if (!(start > 0 && end > start)) throw new Error(`findLearningRate: need 0 < start < end (got ${start} and ${end}).`);
  if (!(Number.isInteger(steps) && steps >= 10)) throw new Error(`findLearningRate: steps must be a whole number, at least 10 (got ${steps}).`);
  const smoothing = options.smoothing ?? 0.9;
  const stopFactor = options.stopFactor ?? 4;
  const seed = options.seed ?? 1;
  const resolved = resolveTrainOptions({ lrPolicy: "fixed", ...options.options, live: false, randomSeed: seed, callbacks: undefined }, () => seed);
  const saved = model.getWeights().map((w) => tf.clone(w));
  const forward = forwardFor(model);
  const optimizer = createOptimizer(resolved, start);
  const step = new TrainStep(model, forward, optimizer, resolved.weightDecay, resolved.biasLearningRateMultiplier, seed);
  const signal = interruptSignal();
  const points: RatePoint[] = [];
  let average = 0;
  let best = Infinity;
  let stoppedBecause = `It tried ${steps} rates from ${start} to ${end}.`;
  try {
    let done = 0;
    for (let epoch = 1; done < steps; epoch++) {
      for await (const batch of data.batches({ batchSize: resolved.batchSize, seed, epoch, augment: resolved.augment })) {
        if (done >= steps || signal.aborted || wasInterrupted()) {
          batch.dispose();
          break;
        }
        const lr = start * Math.pow(end / start, done / (steps - 1));
        setLearningRate(optimizer, lr);
        const sums = step.run(batch.xs, batch.ys, done);
        const loss = sums.dataSync()[0];
        sums.dispose();
        batch.dispose();
        done++;
        average = smoothing * average + (1 - smoothing) * loss;
        const smoothed = average / (1 - Math.pow(smoothing, done));
        points.push({ lr, loss, smoothed });
        if (!Number.isFinite(smoothed) || smoothed > stopFactor * best) {
          stoppedBecause = `It stopped at ${+lr.toPrecision(2)}, where the loss exploded.`;
          done = steps;
          break;
        }
        best = Math.min(best, smoothed);
      }
      if (signal.aborted || wasInterrupted()) {
        stoppedBecause = "It was interrupted.";
        break;
      }
    }
  } finally {
    model.setWeights(saved);
    tf.dispose(saved);
    step.dispose();
    disposeOptimizer(optimizer);
  }
  // Steepest fall of the smoothed loss (per log-step), before the minimum.
  const finite = points.filter((p) => Number.isFinite(p.smoothed));
  let minimumIndex = 0;
  finite.forEach((p, i) => (p.smoothed < finite[minimumIndex].smoothed ? (minimumIndex = i) : undefined));
  let suggested: number | undefined;
  let steepest = 0;
  // Skip the first few points: the moving average has not settled there.
  for (let i = Math.min(5, minimumIndex); i < minimumIndex; i++) {
    const slope = finite[i + 1].smoothed - finite[i].smoothed;
    if (slope < steepest) {
      steepest = slope;
      suggested = finite[i].lr;
    }
  }
  return new LearningRateFinder(points, suggested, finite.length ? finite[minimumIndex].lr : undefined, stoppedBecause);
}
