/**
 * learningCurveRace(): several models, each trained properly (stopped early
 * on the validation split) on the same nested subsets of the training
 * split, and measured on the same test images: one learning curve each,
 * and who leads where, computed.
 *
 *     const race = await learningCurveRace({
 *       "HOG + logistic regression": onFixedFeatures(hog),
 *       "LeNet": trainedNetwork({ build: () => lenet({ seed: 1 }), training: () => card.trainOptions() }),
 *     }, fashion, { sizes: [500, 2000, fashion.size("train")] });
 *
 * A lead counts only when it is larger than the noise of the test sample:
 * twice the standard error of the difference of two accuracies measured on
 * n test images, 2·√((p₁(1−p₁) + p₂(1−p₂)) / n). Each model is trained
 * once, with one seed, which moves results too: a smaller lead is a tie.
 */
import type * as tf from "@tensorflow/tfjs";
import { type Chart, lineChart } from "../charts";
import type { Dataset } from "../data";
import { displayBundle, DISPLAY, inNotebook, type DisplayHandle, type MimeBundle } from "../display";
import { escapeHtml, formatCount, htmlTable, percent } from "../display/html";
import { accuracy, getPredictions } from "../evaluate";
import { train, type TrainOptions } from "../train";
import { trainOnFeatures, type FeatureClassifierOptions, type Features } from "../transfer";
import { trainSubset } from "./learning-curves";

/** One model's result at one size. */
export interface RaceRun {
  testAccuracy: number;
  /** Epochs trained, and the one whose weights were kept (undefined for a network trained elsewhere). */
  epochs?: number;
  bestEpoch?: number;
  /** Seconds of training in this run (undefined for a network trained elsewhere). */
  seconds?: number;
  /** "trained here", or where the trained network came from. */
  source: string;
}

export interface RaceContender {
  /** Trains on `data`'s training split, stopping early on its validation split, and measures its test split. */
  run(data: Dataset, context: { wholeTrainingSet: boolean }): Promise<RaceRun>;
}

/** A logistic regression (or small MLP) on fixed features, trained by trainOnFeatures (early stopping on validation). */
export function onFixedFeatures(features: Features, options: FeatureClassifierOptions = {}): RaceContender {
  return {
    async run(data) {
      const classifier = await trainOnFeatures(features.of(data), options);
      const testAccuracy = classifier.accuracy("test");
      classifier.head.dispose();
      return { testAccuracy, epochs: classifier.history.length, bestEpoch: classifier.bestEpoch, seconds: classifier.seconds, source: "trained here" };
    },
  };
}

export interface TrainedNetworkOptions {
  /** A fresh, untrained network. */
  build: () => tf.LayersModel;
  /** train()'s options, made anew for each run (an early-stopping callback keeps its state), e.g. () => card.trainOptions(). */
  training: () => TrainOptions;
  /**
   * The same network already trained by the same recipe on the whole
   * training split, measured there instead of training again, e.g.
   * () => loadPretrained("fashion-lenet"). Default: train it here too.
   */
  wholeTrainingSet?: { load: () => Promise<tf.LayersModel>; source: string };
}

/** A network trained with train() and the given options (they must stop early: pass an earlyStopping callback). */
export function trainedNetwork(options: TrainedNetworkOptions): RaceContender {
  return {
    async run(data, { wholeTrainingSet }) {
      if (wholeTrainingSet && options.wholeTrainingSet) {
        const model = await options.wholeTrainingSet.load();
        const testAccuracy = await testAccuracyOf(model, data);
        model.dispose();
        return { testAccuracy, source: options.wholeTrainingSet.source };
      }
      const training = options.training();
      const stopper = training.callbacks?.find((c) => c.name === "earlyStopping") as { best?: { epoch: number } } | undefined;
      if (!stopper) throw new Error("trainedNetwork: the training options stop at a fixed number of epochs; add callbacks: [earlyStopping()] so each size is trained until the validation loss stops improving.");
      const model = options.build();
      const run = await train(model, data, { ...training, live: false, snapshots: false });
      const testAccuracy = await testAccuracyOf(model, data);
      model.dispose();
      return { testAccuracy, epochs: run.history.length, bestEpoch: stopper.best?.epoch, seconds: run.timing.seconds, source: "trained here" };
    },
  };
}

async function testAccuracyOf(model: tf.LayersModel, data: Dataset): Promise<number> {
  const p = await getPredictions(model, data, { split: "test", progress: false });
  return accuracy(p.labels!, p.predicted);
}

export interface RaceRow extends RaceRun {
  contender: string;
  /** Training images. */
  size: number;
}

const pointsText = (x: number) => `${(100 * Math.abs(x)).toFixed(1)} point${Math.abs(100 * x).toFixed(1) === "1.0" ? "" : "s"}`;

export class LearningCurveRace {
  constructor(
    readonly rows: RaceRow[],
    readonly sizes: readonly number[],
    readonly contenders: readonly string[],
    /** Test images every model was measured on. */
    readonly testImages: number,
    /** Training images in the whole training split. */
    readonly wholeTrainingSet: number,
  ) {}

  row(contender: string, size: number): RaceRow {
    const row = this.rows.find((r) => r.contender === contender && r.size === size);
    if (!row) throw new Error(`The race has no run of "${contender}" on ${formatCount(size)} images; it ran ${this.contenders.map((c) => `"${c}"`).join(", ")} on ${this.sizes.map(formatCount).join(", ")}.`);
    return row;
  }

  accuracy(contender: string, size: number): number {
    return this.row(contender, size).testAccuracy;
  }

  /** The smallest lead of one model over another at a size that is more than the test sample's noise. */
  margin(a: string, b: string, size: number): number {
    const [p, q] = [this.accuracy(a, size), this.accuracy(b, size)];
    return 2 * Math.sqrt((p * (1 - p) + q * (1 - q)) / this.testImages);
  }

  /** a's accuracy minus b's at a size. */
  lead(a: string, b: string, size: number): number {
    return this.accuracy(a, size) - this.accuracy(b, size);
  }

  /** Whether a leads b at a size by more than the noise. */
  clearlyAhead(a: string, b: string, size: number): boolean {
    return this.lead(a, b, size) > this.margin(a, b, size);
  }

  /** The most accurate model at a size, and whether it is clearly ahead of every other. */
  leader(size: number): { contender: string; clear: boolean } {
    const contender = this.contenders.reduce((a, b) => (this.accuracy(b, size) > this.accuracy(a, size) ? b : a));
    return { contender, clear: this.contenders.every((other) => other === contender || this.clearlyAhead(contender, other, size)) };
  }

  /** The first size where a is clearly ahead of b after a size where it was not, with that size; undefined if it never is. */
  overtakes(a: string, b: string): { size: number; after: number } | undefined {
    for (let i = 1; i < this.sizes.length; i++) {
      if (!this.clearlyAhead(a, b, this.sizes[i - 1]) && this.clearlyAhead(a, b, this.sizes[i])) return { size: this.sizes[i], after: this.sizes[i - 1] };
    }
    return undefined;
  }

  /** Accuracy gained from one size to another (a fraction: 0.05 is 5 points). */
  gain(contender: string, from = this.sizes[0], to = this.sizes[this.sizes.length - 1]): number {
    return this.accuracy(contender, to) - this.accuracy(contender, from);
  }

  private sizeText(size: number): string {
    return size === this.wholeTrainingSet ? `${formatCount(size)} (the whole training set)` : formatCount(size);
  }

  /** What the race shows about a deep model against a shallow one, in words, from the numbers. */
  conclusion(deep: string, shallow: string): string {
    const [first, last] = [this.sizes[0], this.sizes[this.sizes.length - 1]];
    const at = (size: number) => {
      const lead = this.lead(deep, shallow, size);
      const state = this.clearlyAhead(deep, shallow, size) ? "ahead" : this.clearlyAhead(shallow, deep, size) ? "behind" : "level";
      return state === "level" ? `level (${pointsText(lead)} apart, within the noise) at ${this.sizeText(size)}` : `${state} by ${pointsText(lead)} at ${this.sizeText(size)}`;
    };
    const passing = this.overtakes(deep, shallow);
    const story = passing
      ? `${deep} overtakes ${shallow} between ${formatCount(passing.after)} and ${formatCount(passing.size)} training images: ${at(passing.after)}, ${at(passing.size)}` +
        (passing.size === last ? "." : `, and ${at(last)}.`)
      : this.sizes.every((s) => this.clearlyAhead(deep, shallow, s))
        ? `${deep} leads ${shallow} at every size, from ${at(first)} to ${at(last)}.`
        : `${deep} does not overtake ${shallow} at these sizes: ${this.sizes.map(at).join("; ")}.`;
    const gains = `From ${formatCount(first)} to ${formatCount(last)} images, ${deep} gained ${pointsText(this.gain(deep))} and ${shallow} ${pointsText(this.gain(shallow))}.`;
    return `${story} ${gains}`;
  }

  chart(): Chart {
    return lineChart(
      Object.fromEntries(this.contenders.map((c) => [c, this.rows.filter((r) => r.contender === c).map((r) => ({ x: r.size, y: 100 * r.testAccuracy }))])),
      { title: "Test accuracy against training images", xTitle: "training images (log scale)", yTitle: "test accuracy (%)", logX: true, points: true },
    );
  }

  private static readonly HEADERS = ["training images", "model", "test accuracy", "epochs (kept)", "training time", "trained"];

  private tableRows(): string[][] {
    return this.rows.map((r) => [
      formatCount(r.size),
      r.contender,
      percent(r.testAccuracy),
      r.epochs === undefined ? "" : `${r.epochs}${r.bestEpoch === undefined ? "" : ` (${r.bestEpoch})`}`,
      r.seconds === undefined ? "" : r.seconds < 10 ? `${r.seconds.toFixed(1)} s` : `${Math.round(r.seconds)} s`,
      r.source,
    ]);
  }

  toString(): string {
    const all = [LearningCurveRace.HEADERS, ...this.tableRows()];
    const widths = LearningCurveRace.HEADERS.map((_, i) => Math.max(...all.map((r) => r[i].length)));
    return all.map((r) => r.map((v, i) => (i === 1 || i === 5 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join("  ")).join("\n");
  }

  [DISPLAY](): MimeBundle {
    const complete = this.rows.length === this.sizes.length * this.contenders.length;
    return {
      "text/html":
        `<div style="font-family:sans-serif;font-size:13px"><div style="padding:4px 0">${escapeHtml(`Test accuracy on ${formatCount(this.testImages)} test images`)}</div>` +
        htmlTable(LearningCurveRace.HEADERS, this.tableRows()) +
        (complete ? this.chart().toSVG() : "") +
        `</div>`,
      "text/plain": this.toString(),
    };
  }
}

export interface LearningCurveRaceOptions {
  /** Training images at each size (nested: the smaller sets are part of the larger); the whole training split may be one. */
  sizes: readonly number[];
  /** Seed of the choice of images. Default 1. */
  seed?: number;
  /** Show the table as it fills in. Default: in a notebook. */
  progress?: boolean;
}

/** Trains and measures every contender at every size, smallest first. */
export async function learningCurveRace(contenders: Record<string, RaceContender>, data: Dataset, options: LearningCurveRaceOptions): Promise<LearningCurveRace> {
  const names = Object.keys(contenders ?? {});
  if (names.length < 2 || names.some((n) => typeof contenders[n]?.run !== "function")) {
    throw new Error('learningCurveRace takes at least two named contenders, e.g. { "HOG + logistic regression": onFixedFeatures(hog), "CNN": trainedNetwork({ build, training }) }.');
  }
  for (const split of ["train", "validation", "test"] as const) {
    if (data.size(split) === 0) throw new Error(`learningCurveRace: ${data.name} needs train, validation and test splits; its ${split} split is empty. split(dataset) makes them.`);
  }
  const whole = data.size("train");
  const sizes = [...(options?.sizes ?? [])].sort((a, b) => a - b);
  if (sizes.length < 2 || sizes.some((s) => !(Number.isInteger(s) && s >= 1 && s <= whole))) {
    throw new Error(`learningCurveRace: sizes must be at least two whole numbers of training images from 1 to ${formatCount(whole)} (got ${JSON.stringify(options?.sizes)}).`);
  }
  const seed = options.seed ?? 1;
  const race = new LearningCurveRace([], sizes, names, data.size("test"), whole);
  let handle: DisplayHandle | undefined;
  const show = () => {
    if (!(options.progress ?? inNotebook())) return;
    if (handle) handle.updateBundle(race[DISPLAY]());
    else handle = displayBundle(race[DISPLAY]());
  };
  for (const size of sizes) {
    const subset = trainSubset(data, size / whole, seed);
    for (const contender of names) {
      const run = await contenders[contender].run(subset, { wholeTrainingSet: size === whole });
      race.rows.push({ contender, size, ...run });
      show();
    }
  }
  return race;
}
