/**
 * compareApproaches(): the three ways to get a CNN for a new task, measured
 * side by side on the same images at several training-set sizes.
 *
 * - **from scratch**: the fine-tuned network's architecture (the pretrained
 *   one's, up to featureLayer if given, with a new head) with fresh random
 *   weights, trained on the new images alone;
 * - **feature extraction**: the pretrained network's activations at one
 *   layer, and a logistic regression trained on them;
 * - **fine-tuning**: Keras's recipe in two steps: the head first (it is the
 *   feature-extraction classifier, put on top of the backbone), then every
 *   layer trained together, the pretrained ones at a lower rate
 *   (backboneRates), so the random head never shakes the backbone.
 *
 * Each run starts from a freshly loaded network (so nothing is cached from
 * another run), is stopped early on the validation split and is scored on
 * the test split. "Seconds" is the time training took: from scratch,
 * train()'s whole run (validation included); feature extraction, extracting
 * the training and validation images plus training the classifier;
 * fine-tuning, feature extraction's time plus its own train() run. Scoring
 * the test split is not counted.
 */
import type * as tf from "@tensorflow/tfjs";
import { classBarChart, type Chart } from "../charts";
import { samplePerClass, type Dataset } from "../data";
import { displayBundle, DISPLAY, inNotebook, type DisplayHandle, type MimeBundle } from "../display";
import { escapeHtml, htmlTable, percent } from "../display/html";
import { accuracy, getPredictions } from "../evaluate";
import { earlyStopping, train, type TrainOptions } from "../train";
import { classifyFeatures, DEFAULT_PATIENCE, fineTune, FINE_TUNE_TRAINING } from "./fine-tune";
import { untrainedCopy } from "./head";
import type { LayerRef } from "./layers";

export type Approach = "scratch" | "feature extraction" | "fine-tuning";
/** In the order they run: fine-tuning starts from feature extraction's classifier. */
export const APPROACHES: readonly Approach[] = ["scratch", "feature extraction", "fine-tuning"];

export interface CompareApproachesOptions {
  /** Loads the pretrained network; called once per run, so each run starts fresh: `() => loadPretrained("digits-0-4-lenet")`. */
  pretrained: () => Promise<tf.LayersModel> | tf.LayersModel;
  /** The new task: a dataset with train, validation and test splits. */
  data: Dataset;
  /** Training images per class to try (nested: the smaller sets are part of the larger). Default [10, 50, 500]. */
  imagesPerClass?: readonly number[];
  /** Which approaches. Default all three. */
  approaches?: readonly Approach[];
  /** The layer whose activations feature extraction uses; fine-tuning and from scratch train the network up to it with a new head. Default: the one the head reads. */
  featureLayer?: LayerRef;
  /** Learning-rate multiplier of the pretrained layers when fine-tuning. Default 0.1. */
  backboneRate?: number;
  /** Learning rate of fine-tuning's second step (the new head's; the pretrained layers get backboneRate times it). Default: train's, as from scratch. */
  fineTuneLearningRate?: number;
  /**
   * train()'s options for from scratch and fine-tuning. Default: Adam at a
   * fixed 0.001, batches of 32, no weight decay, up to 100 epochs.
   */
  train?: TrainOptions;
  /** Epochs without a better validation loss before a run stops (both training and the classifier). Default 8. */
  patience?: number;
  /** Seed of the choice of images and of the new weights. Default 1. */
  seed?: number;
  /** Show the table as it fills in. Default: in a notebook. */
  progress?: boolean;
}

export interface ComparisonRow {
  approach: Approach;
  imagesPerClass: number;
  /** Training images (all classes). */
  images: number;
  testAccuracy: number;
  seconds: number;
  /** Epochs trained (of the network, or of the classifier on features). */
  epochs: number;
}

const secondsText = (s: number) => (s < 10 ? `${s.toFixed(1)} s` : `${Math.round(s)} s`);

export class ApproachComparison {
  constructor(
    readonly rows: ComparisonRow[],
    readonly sizes: readonly number[],
    readonly approaches: readonly Approach[],
    /** What the comparison was run on, in words. */
    readonly description: string,
  ) {}

  /** The row of one approach at one size. */
  row(approach: Approach, imagesPerClass: number): ComparisonRow {
    const row = this.rows.find((r) => r.approach === approach && r.imagesPerClass === imagesPerClass);
    if (!row) throw new Error(`The comparison has no run of ${approach} with ${imagesPerClass} images per class; it ran ${this.sizes.join(", ")} per class with ${this.approaches.join(", ")}.`);
    return row;
  }

  accuracy(approach: Approach, imagesPerClass: number): number {
    return this.row(approach, imagesPerClass).testAccuracy;
  }

  seconds(approach: Approach, imagesPerClass: number): number {
    return this.row(approach, imagesPerClass).seconds;
  }

  /** The most accurate approach at a size. */
  best(imagesPerClass: number): ComparisonRow {
    return this.rows.filter((r) => r.imagesPerClass === imagesPerClass).reduce((a, b) => (b.testAccuracy > a.testAccuracy ? b : a));
  }

  /** The fastest approach at a size whose accuracy is within `points` percentage points of the best. */
  fastestWithin(imagesPerClass: number, points: number): ComparisonRow {
    const best = this.best(imagesPerClass).testAccuracy;
    return this.rows
      .filter((r) => r.imagesPerClass === imagesPerClass && best - r.testAccuracy <= points / 100 + 1e-12)
      .reduce((a, b) => (b.seconds < a.seconds ? b : a));
  }

  /** One line per size: who is most accurate, and what the fastest near-best choice costs and saves. */
  advice(points = 1): string[] {
    return this.sizes.map((n) => {
      const best = this.best(n);
      const fast = this.fastestWithin(n, points);
      const head = `${n} per class: ${best.approach} is most accurate (${percent(best.testAccuracy)} in ${secondsText(best.seconds)})`;
      if (fast.approach === best.approach) return `${head}, and nothing within ${points} point${points === 1 ? "" : "s"} of it is faster.`;
      return (
        `${head}; ${fast.approach} comes within ${points} point${points === 1 ? "" : "s"} ` +
        `(${percent(fast.testAccuracy)}) ${(best.seconds / fast.seconds).toFixed(0)}× faster (${secondsText(fast.seconds)}).`
      );
    });
  }

  private series(value: (r: ComparisonRow) => number): Record<string, number[]> {
    return Object.fromEntries(this.approaches.map((a) => [a, this.sizes.map((n) => value(this.row(a, n)))]));
  }

  private sizeLabels(): string[] {
    return this.sizes.map((n) => `${n.toLocaleString("en-US")} per class`);
  }

  accuracyChart(): Chart {
    return classBarChart(this.sizeLabels(), this.series((r) => r.testAccuracy), { title: "Test accuracy by training images per class" });
  }

  timeChart(): Chart {
    return classBarChart(this.sizeLabels(), this.series((r) => r.seconds), { title: "Training time (seconds) by training images per class" });
  }

  private tableRows(): string[][] {
    return this.rows.map((r) => [r.approach, r.imagesPerClass.toLocaleString("en-US"), r.images.toLocaleString("en-US"), percent(r.testAccuracy), secondsText(r.seconds), String(r.epochs)]);
  }

  private static readonly HEADERS = ["approach", "per class", "images", "test accuracy", "training time", "epochs"];

  toString(): string {
    const all = [ApproachComparison.HEADERS, ...this.tableRows()];
    const widths = ApproachComparison.HEADERS.map((_, i) => Math.max(...all.map((r) => r[i].length)));
    return [this.description, ...all.map((r) => r.map((v, i) => (i === 0 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join("  "))].join("\n");
  }

  [DISPLAY](): MimeBundle {
    const complete = this.rows.length === this.sizes.length * this.approaches.length;
    const charts = complete ? this.accuracyChart().toSVG() + this.timeChart().toSVG() : "";
    return {
      "text/html":
        `<div style="font-family:sans-serif;font-size:13px"><div style="padding:4px 0">${escapeHtml(this.description)}</div>` +
        htmlTable(ApproachComparison.HEADERS, this.tableRows()) +
        charts +
        `</div>`,
      "text/plain": this.toString(),
    };
  }
}

async function testAccuracy(model: tf.LayersModel, data: Dataset): Promise<number> {
  const p = await getPredictions(model, data, { split: "test", progress: false });
  return accuracy(p.labels!, p.predicted);
}

function checkOptions(options: CompareApproachesOptions): void {
  if (!options || typeof options.pretrained !== "function") {
    throw new Error('compareApproaches needs { pretrained: () => loadPretrained("..."), data }: a function that loads the pretrained network, and the new task\'s dataset.');
  }
  for (const split of ["train", "validation", "test"] as const) {
    if (!options.data || options.data.size(split) === 0) {
      throw new Error(`compareApproaches: the data needs train, validation and test splits; its ${split} split is empty. split(dataset) makes them.`);
    }
  }
  const unknown = (options.approaches ?? []).filter((a) => !APPROACHES.includes(a));
  if (unknown.length > 0) throw new Error(`compareApproaches: unknown approach ${unknown.map((a) => `"${a}"`).join(", ")}; use ${APPROACHES.map((a) => `"${a}"`).join(", ")}.`);
}

/** Trains and scores every approach at every size; see the file's comment for what is measured. */
export async function compareApproaches(options: CompareApproachesOptions): Promise<ApproachComparison> {
  checkOptions(options);
  const { data } = options;
  const sizes = [...(options.imagesPerClass ?? [10, 50, 500])].sort((a, b) => a - b);
  const approaches = options.approaches ?? APPROACHES;
  const seed = options.seed ?? 1;
  const patience = options.patience ?? DEFAULT_PATIENCE;
  const training: TrainOptions = { ...FINE_TUNE_TRAINING, ...options.train, randomSeed: seed, snapshots: false, live: false };
  const rows: ComparisonRow[] = [];
  const description = `${data.name}: ${data.numClasses} classes; test accuracy on ${data.size("test").toLocaleString("en-US")} images, early stopping on ${data.size("validation").toLocaleString("en-US")}.`;
  const result = new ApproachComparison(rows, sizes, approaches, description);
  let handle: DisplayHandle | undefined;
  const show = () => {
    if (!(options.progress ?? inNotebook())) return;
    const bundle = result[DISPLAY]();
    if (handle) handle.updateBundle(bundle);
    else handle = displayBundle(bundle);
  };

  for (const perClass of sizes) {
    const subset = samplePerClass(data, perClass, { seed });
    const images = subset.size("train");
    const record = (approach: Approach, testAccuracy: number, seconds: number, epochs: number) => {
      if (approaches.includes(approach)) rows.push({ approach, imagesPerClass: perClass, images, testAccuracy, seconds, epochs });
      show();
    };
    if (approaches.includes("scratch")) {
      const backbone = await options.pretrained();
      const model = untrainedCopy(backbone, { seed, numClasses: data.numClasses, upTo: options.featureLayer });
      backbone.dispose();
      const run = await train(model, subset, { ...training, callbacks: [earlyStopping({ patience, restoreBestWeights: true })] });
      record("scratch", await testAccuracy(model, subset), run.timing.seconds, run.history.length);
      model.dispose();
    }
    if (approaches.includes("feature extraction") || approaches.includes("fine-tuning")) {
      const reuse = { featureLayer: options.featureLayer, patience, seed };
      const backbone = await options.pretrained();
      if (approaches.includes("fine-tuning")) {
        const tuning = options.fineTuneLearningRate === undefined ? training : { ...training, learningRate: options.fineTuneLearningRate };
        const tuned = await fineTune(backbone, subset, { ...reuse, backboneRate: options.backboneRate, train: tuning });
        const { classifier, seconds } = tuned.features;
        record("feature extraction", classifier.accuracy("test"), seconds, classifier.history.length);
        record("fine-tuning", await testAccuracy(tuned.model, subset), tuned.seconds, tuned.run.history.length);
        tuned.model.dispose();
        classifier.head.dispose();
      } else {
        const { classifier, seconds } = await classifyFeatures(backbone, subset, reuse);
        record("feature extraction", classifier.accuracy("test"), seconds, classifier.history.length);
        classifier.head.dispose();
      }
      backbone.dispose();
    }
  }
  rows.sort((a, b) => a.imagesPerClass - b.imagesPerClass || APPROACHES.indexOf(a.approach) - APPROACHES.indexOf(b.approach));
  return result;
}
