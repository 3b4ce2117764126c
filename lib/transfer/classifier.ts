/**
 * trainOnFeatures(): a shallow classifier (logistic regression, or a small
 * MLP with `hidden`) trained on extracted features, the cheap half of
 * feature extraction. The network never runs during training: each step
 * reads rows of numbers, so it trains in seconds where fine-tuning takes
 * minutes.
 *
 * Features are centred (each to mean 0 over the training images) and scaled
 * together to an average variance of 1, so one learning rate suits every
 * layer's activations; the scaling is folded into the first dense layer
 * when training ends, so the head is a plain dense classifier. Training stops early on the
 * validation loss, keeping the best epoch's weights.
 *
 * toModel() stacks the backbone (up to the feature layer) and the head into
 * one image classifier, for interpret(), classifyOne() or export.
 */
import * as tf from "@tensorflow/tfjs";
import type { EpochRecord } from "../history";
import { type Chart, historyChart } from "../charts";
import { createRandom, mixSeeds, shuffleInPlace, type SplitName } from "../data";
import { dense, modelInfo, sequential, softmax } from "../models";
import { DISPLAY, type MimeBundle } from "../display";
import { escapeHtml } from "../display/html";
import type { Features } from "./features";
import { copyLayer } from "./head";
import { layerIndex, modelLayers } from "./layers";

export interface FeatureClassifierOptions {
  /** Hidden layers (ReLU) before the output layer. Default [] (logistic regression). */
  hidden?: readonly number[];
  /** Most passes over the training features. Default 200 (each takes a moment). */
  epochs?: number;
  /** Stop when the validation loss has not improved for this many epochs. Default 10. */
  patience?: number;
  /** Adam's learning rate. Default 0.01 (standardized features let a linear classifier take large steps). */
  learningRate?: number;
  /** Rows per step. Default 64. */
  batchSize?: number;
  /**
   * Inverse strength of the L2 penalty on the weights, as scikit-learn's C:
   * the loss is the mean cross-entropy plus ½‖W‖² / (C × training images),
   * so the penalty matters with few images and fades with many. Smaller is
   * stronger. Default 1 (scikit-learn's LogisticRegression).
   */
  C?: number;
  /** Seed of the initial weights and of the order of the rows. Default 1. */
  seed?: number;
}

const OPTION_NAMES = ["hidden", "epochs", "patience", "learningRate", "batchSize", "C", "seed"];

export class FeatureClassifier {
  constructor(
    /** The classifier: [dims] features in, class probabilities out. */
    readonly head: tf.Sequential,
    readonly features: Features,
    /** One record per epoch: loss, accuracy, valLoss, valAccuracy. */
    readonly history: EpochRecord[],
    /** The epoch whose weights were kept. */
    readonly bestEpoch: number,
    /** Seconds spent training the classifier (extraction not included: see features.seconds). */
    readonly seconds: number,
  ) {}

  /** Share of a split's images classified correctly, computed from the cached features (no image is read). */
  accuracy(split: SplitName = "test"): number {
    const n = this.features.size(split);
    if (n === 0) throw new Error(`The features have no ${split} split; extract it with extractFeatures(model, data, { splits: [..., "${split}"] }).`);
    const labels = this.features.labels(split);
    let correct = 0;
    for (let start = 0; start < n; start += 1024) {
      const count = Math.min(1024, n - start);
      const predictedT = tf.tidy(() => (this.head.predict(tf.tensor2d(this.features.rowsOf(split, start, count), [count, this.features.dims])) as tf.Tensor).argMax(-1));
      const predicted = predictedT.dataSync();
      predictedT.dispose();
      for (let i = 0; i < count; i++) if (predicted[i] === labels[start + i]) correct++;
    }
    return correct / n;
  }

  /**
   * One image classifier: a copy of the model the features came from, up to
   * the feature layer, then the head. Everything is copied: the result is
   * independent of both.
   */
  toModel(options: { name?: string } = {}): tf.Sequential {
    const backbone = this.features.model;
    const index = layerIndex(backbone, this.features.layer);
    const layers = modelLayers(backbone).slice(0, index + 1);
    const copies = layers.map((l) => copyLayer(l));
    const headLayers = modelLayers(this.head).map((l) => copyLayer(l));
    const inputShape = (backbone.inputs[0].shape as number[]).slice(1);
    const items: tf.layers.Layer[] = [...copies];
    if (this.features.shape.length > 1) items.push(tf.layers.flatten({ name: "features_flat" }));
    const model = sequential([...items, ...headLayers], {
      inputShape,
      seed: 1,
      name: options.name ?? `${backbone.name}-${this.features.layer}-classifier`,
      architecture: `${modelInfo(backbone)?.architecture ?? backbone.name} up to "${this.features.layer}", then ${describeHead(this.head)}`,
      inputNote: modelInfo(backbone)?.inputNote,
    });
    layers.forEach((l, i) => l.weights.length && copies[i].setWeights(l.getWeights()));
    modelLayers(this.head).forEach((l, i) => l.weights.length && headLayers[i].setWeights(l.getWeights()));
    return model;
  }

  chart(): Chart {
    return historyChart(this.history, { title: `Classifier on "${this.features.layer}" features` });
  }

  toString(): string {
    const last = this.history.find((r) => r.epoch === this.bestEpoch);
    const val = last?.valAccuracy !== undefined ? `, validation accuracy ${(100 * last.valAccuracy).toFixed(1)}%` : "";
    return (
      `${describeHead(this.head)} on ${this.features.dims.toLocaleString("en-US")} features from "${this.features.layer}": ` +
      `${this.history.length} epochs in ${this.seconds.toFixed(1)} s, epoch ${this.bestEpoch} kept${val}.`
    );
  }

  [DISPLAY](): MimeBundle {
    return {
      "text/html": `<div style="font-family:sans-serif;font-size:13px"><div>${escapeHtml(this.toString())}</div>${this.chart().toSVG()}</div>`,
      "text/plain": this.toString(),
    };
  }
}

function describeHead(head: tf.Sequential): string {
  const dense = modelLayers(head).filter((l) => l.getClassName() === "Dense");
  return dense.length === 1 ? "logistic regression" : `an MLP (${dense.slice(0, -1).map((l) => (l.getConfig() as { units: number }).units).join("-")} hidden)`;
}

/**
 * Each feature's mean over the training rows, and one scale for all of them
 * (the root of their average variance). One scale, not one per feature: a
 * ReLU feature that fires for one training image out of fifty has a tiny
 * standard deviation, and dividing by it would blow up its value for every
 * test image where it fires.
 */
function standardization(features: Features): { mean: Float32Array; std: Float32Array } {
  const n = features.size("train");
  const d = features.dims;
  const mean = new Float64Array(d);
  const square = new Float64Array(d);
  for (let start = 0; start < n; start += 1024) {
    const count = Math.min(1024, n - start);
    const rows = features.rowsOf("train", start, count);
    for (let i = 0; i < count; i++) {
      for (let j = 0; j < d; j++) {
        const v = rows[i * d + j];
        mean[j] += v;
        square[j] += v * v;
      }
    }
  }
  let variance = 0;
  for (let j = 0; j < d; j++) {
    mean[j] /= n;
    variance += Math.max(0, square[j] / n - mean[j] * mean[j]) / d;
  }
  // Features that never change (all zero, say) leave the scale at 1.
  const scale = variance > 1e-12 ? Math.sqrt(variance) : 1;
  return { mean: Float32Array.from(mean), std: new Float32Array(d).fill(scale) };
}

function checkOptions(options: FeatureClassifierOptions): Required<FeatureClassifierOptions> {
  for (const key of Object.keys(options)) {
    if (!OPTION_NAMES.includes(key)) throw new Error(`trainOnFeatures has no option "${key}". The options are: ${OPTION_NAMES.join(", ")}.`);
  }
  const whole = (value: number, name: string, min: number) => {
    if (!(Number.isInteger(value) && value >= min)) throw new Error(`trainOnFeatures: ${name} must be a whole number of at least ${min} (got ${String(value)}).`);
    return value;
  };
  const learningRate = options.learningRate ?? 0.01;
  if (!(learningRate > 0 && Number.isFinite(learningRate))) throw new Error(`trainOnFeatures: learningRate must be a positive number (got ${String(learningRate)}).`);
  const hidden = options.hidden ?? [];
  hidden.forEach((units) => whole(units, "each hidden layer's size", 1));
  const C = options.C ?? 1;
  if (!(C > 0)) throw new Error(`trainOnFeatures: C must be a positive number (got ${String(C)}); smaller means a stronger penalty, Infinity none.`);
  return {
    C,
    hidden,
    epochs: whole(options.epochs ?? 200, "epochs", 1),
    patience: whole(options.patience ?? 10, "patience", 1),
    learningRate,
    batchSize: whole(options.batchSize ?? 64, "batchSize", 1),
    seed: whole(options.seed ?? 1, "seed", 0),
  };
}

/** Trains a shallow classifier on the training features; stops early on the validation features when there are any. */
export async function trainOnFeatures(features: Features, options: FeatureClassifierOptions = {}): Promise<FeatureClassifier> {
  const o = checkOptions(options);
  const n = features.size("train");
  if (n === 0) throw new Error("trainOnFeatures: the features have no training split; extract the train split too.");
  const validating = features.size("validation") > 0;
  const started = performance.now();
  const d = features.dims;
  const numClasses = features.classNames.length;
  const head = sequential([...o.hidden.map((units) => dense({ units, activation: "relu" })), dense({ units: numClasses, name: "output" }), softmax({ name: "prob" })], {
    inputShape: [d],
    seed: o.seed,
    name: `classifier-on-${features.layer}`,
    architecture: o.hidden.length ? `MLP on features (${o.hidden.join("-")})` : "logistic regression on features",
  });
  const denseLayers = modelLayers(head).filter((l) => l.getClassName() === "Dense");
  const variables = denseLayers.flatMap((l) => l.trainableWeights.map((w) => w.read() as tf.Variable));
  const { mean, std } = standardization(features);
  const meanT = tf.keep(tf.tensor1d(mean));
  const stdT = tf.keep(tf.tensor1d(std));
  const logits = (x: tf.Tensor2D): tf.Tensor2D => {
    let h: tf.Tensor = tf.div(tf.sub(x, meanT), stdT);
    for (const layer of denseLayers) h = layer.apply(h) as tf.Tensor;
    return h as tf.Tensor2D;
  };
  const optimizer = tf.train.adam(o.learningRate);
  const kernels = denseLayers.map((l) => l.trainableWeights[0].read() as tf.Variable);
  const penaltyScale = Number.isFinite(o.C) ? 1 / (2 * o.C * n) : 0;
  // The penalty acts on the weights as they see standardized features, so one C suits any layer's scale.
  const penalty = (): tf.Scalar => tf.mul(penaltyScale, tf.addN(kernels.map((k) => tf.sum(tf.square(k))))) as tf.Scalar;
  const labels = features.labels("train");
  const history: EpochRecord[] = [];
  let best: { accuracy: number; loss: number; epoch: number; weights: tf.Tensor[] } | undefined;
  const evaluate = (split: SplitName) => {
    const size = features.size(split);
    const y = features.labels(split);
    let lossSum = 0;
    let correct = 0;
    for (let start = 0; start < size; start += 1024) {
      const count = Math.min(1024, size - start);
      const [lossT, predictedT] = tf.tidy(() => {
        const out = logits(tf.tensor2d(features.rowsOf(split, start, count), [count, d]));
        const oneHot = tf.oneHot(tf.tensor1d(y.subarray(start, start + count), "int32"), numClasses);
        return [tf.losses.softmaxCrossEntropy(oneHot, out), out.argMax(-1)];
      });
      const loss = lossT.dataSync()[0];
      const predicted = predictedT.dataSync();
      tf.dispose([lossT, predictedT]);
      lossSum += loss * count;
      for (let i = 0; i < count; i++) if (predicted[i] === y[start + i]) correct++;
    }
    return { loss: lossSum / size, accuracy: correct / size };
  };
  try {
    for (let epoch = 1; epoch <= o.epochs; epoch++) {
      const order = shuffleInPlace(Int32Array.from({ length: n }, (_, i) => i), createRandom(mixSeeds(o.seed, epoch, 37)));
      let lossSum = 0;
      let correct = 0;
      for (let start = 0; start < n; start += o.batchSize) {
        const count = Math.min(o.batchSize, n - start);
        const batchLabels = Int32Array.from({ length: count }, (_, i) => labels[order[start + i]]);
        const [lossT, hitsT] = tf.tidy(() => {
          const x = tf.tensor2d(features.rowsOf("train", start, count, order), [count, d]);
          const y = tf.oneHot(tf.tensor1d(batchLabels, "int32"), numClasses);
          let hits: tf.Tensor | undefined;
          const value = optimizer.minimize(() => {
            const out = logits(x);
            hits = tf.keep(tf.sum(tf.cast(tf.equal(out.argMax(-1), y.argMax(-1)), "float32")));
            const loss = tf.losses.softmaxCrossEntropy(y, out) as tf.Scalar;
            return penaltyScale > 0 ? (tf.add(loss, penalty()) as tf.Scalar) : loss;
          }, true, variables)!;
          return [value, hits!];
        });
        const loss = lossT.dataSync()[0];
        const right = hitsT.dataSync()[0];
        tf.dispose([lossT, hitsT]);
        lossSum += loss * count;
        correct += right;
      }
      const record: EpochRecord = { epoch, loss: lossSum / n, accuracy: correct / n };
      if (validating) {
        const v = evaluate("validation");
        record.valLoss = v.loss;
        record.valAccuracy = v.accuracy;
      }
      history.push(record);
      // Better: a higher validation accuracy, or the same with a lower validation loss.
      // (The validation loss alone turns up within a few epochs on small sets, while
      // the accuracy still climbs: the classifier grows confident faster than it grows right.)
      const score = validating ? { accuracy: record.valAccuracy!, loss: record.valLoss! } : { accuracy: record.accuracy!, loss: record.loss! };
      const better = !best || score.accuracy > best.accuracy || (score.accuracy === best.accuracy && score.loss < best.loss);
      if (better) {
        if (best) tf.dispose(best.weights);
        best = { ...score, epoch, weights: variables.map((v) => tf.clone(v)) };
      } else if (epoch - best!.epoch >= o.patience) {
        break;
      }
      if (epoch % 10 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    variables.forEach((v, i) => v.assign(best!.weights[i]));
    foldStandardization(denseLayers[0], mean, std);
  } finally {
    if (best) tf.dispose(best.weights);
    tf.dispose([meanT, stdT]);
    optimizer.dispose();
  }
  return new FeatureClassifier(head, features, history, best!.epoch, (performance.now() - started) / 1000);
}

/** W·((x − μ)/σ) + b = (W/σ)·x + (b − W·(μ/σ)): the first layer takes raw features. */
function foldStandardization(layer: tf.layers.Layer, mean: Float32Array, std: Float32Array): void {
  const [kernel, bias] = layer.getWeights();
  const [newKernel, newBias] = tf.tidy(() => {
    const inverse = tf.div(1, tf.tensor1d(std)).reshape([-1, 1]);
    const k = tf.mul(kernel, inverse);
    const b = tf.sub(bias, tf.matMul(tf.tensor2d(mean, [1, mean.length]), k).reshape([-1]));
    return [k, b];
  });
  layer.setWeights([newKernel, newBias]);
  tf.dispose([newKernel, newBias]);
}
