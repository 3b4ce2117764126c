/**
 * `npm run bench -- train [--parts mnist,fashion,overhead] [--rounds 5]`:
 * the training library against issue 6's targets, on the default backend.
 *
 * - mnist: DIGITS's LeNet with DIGITS's default options (30 epochs, batch 64,
 *   SGD with momentum 0.9, base rate 0.01, step policy ×0.1 every 33 %,
 *   weight decay 1e-4, biases' rate ×2) on the 8,000 / 2,000 split of the
 *   bundled MNIST, twice: with those options alone
 *   (mnistValAccuracyDigitsDefaultsOnly), and adding train()'s augmentation
 *   of small random moves and turns (mnistValAccuracy). Target: validation
 *   accuracy ≥ 0.98.
 * - fashion: a small CNN on Fashion-MNIST's official 60,000 / 10,000 split,
 *   test accuracy measured once, after training. Target ≥ 0.90.
 * - overhead: train() with its live chart, progress line and callbacks
 *   (earlyStopping, reduceLROnPlateau, the NaN guard and a custom hook)
 *   against bare model.fit on the same 8,000 digits, same model and solver,
 *   one epoch each, in alternating order, several rounds; medians. The chart
 *   and progress line are drawn for a notebook host that serializes every
 *   output as the kernel does. Target: callbackOverhead ≤ 0.05.
 *
 * The last line is one JSON object with mnistValAccuracy, fashionTestAccuracy,
 * callbackOverhead and the times.
 */
import * as tf from "@tensorflow/tfjs";
import type { Benchmark } from "./run";
import { backendInfo, useBackend } from "../lib/backend";
import { Dataset } from "../lib/data";
import { loadFashionMnist, loadMnist } from "../lib/data/sources";
import { HOST, type MimeBundle, type NotebookHost } from "../lib/display";
import { conv, dense, dropout, lenet, maxPool, sequential, softmax, summary } from "../lib/models";
import { callback, earlyStopping, reduceLROnPlateau, train, type TrainOptions } from "../lib/train";
import { scoreSplit } from "../lib/train/validate";
import { forwardFor } from "../lib/train/forward";
import { peakRssMb } from "./support/lenet";
import { Flags, numberFlag, OptionError, textFlag } from "./support/options";
import { median } from "./support/median";

const round = (x: number, digits = 4) => +x.toFixed(digits);

/** The small CNN for Fashion-MNIST: two 5×5 convolutions (16, 32), pools, dense 128 with dropout. */
export function fashionCnn(seed: number): tf.Sequential {
  return sequential(
    [
      conv({ filters: 16, kernel: 5, activation: "relu" }),
      maxPool(2),
      conv({ filters: 32, kernel: 5, activation: "relu" }),
      maxPool(2),
      dense({ units: 128, activation: "relu" }),
      dropout(0.3),
      dense({ units: 10 }),
      softmax(),
    ],
    { inputShape: [28, 28, 1], seed, name: "fashion-cnn" },
  );
}

/** A notebook host as the kernel is to the library: it serializes each output, and a person watches. */
class SerializingHost implements NotebookHost {
  readonly signal = new AbortController().signal;
  readonly headless = false;
  outputs = 0;
  bytes = 0;
  display(bundle: MimeBundle): void {
    this.outputs++;
    this.bytes += JSON.stringify(bundle).length;
  }
  clearOutput(): void {}
  input(): Promise<string> {
    return Promise.resolve("");
  }
}

/**
 * Small moves and turns, as a hand-written digit varies: up to ±10 % shift and
 * ±10°, the empty border filled with black (MNIST's background).
 */
export const MNIST_AUGMENTATION = { shift: 0.1, rotate: 10, fill: "constant" } as const;

async function mnistPart(epochs: number, augment: boolean): Promise<Record<string, unknown>> {
  const data = await loadMnist({ split: { train: 0.8, validation: 0.2, test: 0 } });
  const model = lenet({ seed: 1 });
  const started = performance.now();
  const run = await train(model, data, { epochs, randomSeed: 1, snapshots: false, live: false, augment: augment ? MNIST_AUGMENTATION : null });
  const seconds = (performance.now() - started) / 1000;
  model.dispose();
  return {
    trainImages: data.size("train"),
    validationImages: data.size("validation"),
    options:
      `DIGITS defaults: ${run.solver}, ${run.schedule}, batch ${run.options.batchSize}, weight decay ${run.options.weightDecay}, ` +
      `biases ×${run.options.biasLearningRateMultiplier}, ${epochs} epochs` +
      (augment ? `; augment ${JSON.stringify(MNIST_AUGMENTATION)}` : ""),
    valAccuracy: round(run.final!.valAccuracy!),
    bestValAccuracy: round(Math.max(...run.history.map((r) => r.valAccuracy!))),
    seconds: round(seconds, 1),
    trainImgPerSec: Math.round(run.timing.imagesPerSecond),
    valAccuracyByEpoch: run.history.map((r) => round(r.valAccuracy!)),
  };
}

async function fashionPart(epochs: number): Promise<Record<string, unknown>> {
  const data = await loadFashionMnist({ validation: 0 });
  const model = fashionCnn(1);
  const options: TrainOptions = { epochs, randomSeed: 1, snapshots: false, live: false, validationInterval: 0, solver: "adam", learningRate: 0.001, lrPolicy: { policy: "step", stepSize: 70, gamma: 0.1 }, weightDecay: 0, augment: { flipHorizontal: true } };
  const started = performance.now();
  const run = await train(model, data, options);
  const trainSeconds = (performance.now() - started) / 1000;
  const score = (await scoreSplit(forwardFor(model), data, "test", 256, () => false))!;
  const seconds = (performance.now() - started) / 1000;
  const mults = summary(model).multAdds;
  model.dispose();
  return {
    trainImages: data.size("train"),
    testImages: score.count,
    model: `conv 16@5×5 relu, pool, conv 32@5×5 relu, pool, dense 128 relu, dropout 0.3, dense 10 (${mults.toLocaleString("en-US")} multiply-adds per image)`,
    options: `${run.solver}, rate 0.001, ${run.schedule}, batch ${run.options.batchSize}, ${epochs} epochs, random horizontal flips`,
    testAccuracy: round(score.accuracy),
    testLoss: round(score.loss),
    trainSeconds: round(trainSeconds, 1),
    seconds: round(seconds, 1),
    trainImgPerSec: Math.round(run.timing.imagesPerSecond),
    trainAccuracyByEpoch: run.history.map((r) => round(r.accuracy!)),
  };
}

const OVERHEAD_TARGET = 0.05;

function interquartileRange(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))];
  return sorted.length ? at(0.75) - at(0.25) : Infinity;
}

async function overheadPart(rounds: number): Promise<Record<string, unknown>> {
  const data: Dataset = await loadMnist({ split: { train: 0.8, validation: 0.2, test: 0 } });
  const { xs, ys } = await data.toTensors("train");
  const images = data.size("train");
  const batchSize = 64;

  const fit = async (): Promise<number> => {
    const model = lenet({ seed: 1 });
    const optimizer = tf.train.momentum(0.01, 0.9);
    model.compile({ optimizer, loss: "categoricalCrossentropy" });
    const t0 = performance.now();
    await model.fit(xs, ys, { batchSize, epochs: 1, shuffle: true, verbose: 0 });
    const seconds = (performance.now() - t0) / 1000;
    model.dispose();
    optimizer.dispose();
    return images / seconds;
  };
  const host = new SerializingHost();
  const trainWith = async (full: boolean): Promise<number> => {
    const model = lenet({ seed: 1 });
    const options: TrainOptions = { epochs: 1, batchSize, learningRate: 0.01, lrPolicy: "fixed", weightDecay: 0, validationInterval: 0, snapshots: false, randomSeed: 1 };
    const t0 = performance.now();
    if (full) {
      (globalThis as Record<symbol, unknown>)[HOST] = host;
      try {
        let batches = 0;
        await train(model, data, {
          ...options,
          live: true,
          callbacks: [earlyStopping({ monitor: "loss" }), reduceLROnPlateau({ monitor: "loss" }), callback({ onBatchEnd: () => void batches++ })],
        });
      } finally {
        delete (globalThis as Record<symbol, unknown>)[HOST];
      }
    } else {
      await train(model, data, { ...options, live: false, stopOnNaN: false });
    }
    const seconds = (performance.now() - t0) / 1000;
    model.dispose();
    return images / seconds;
  };

  // One untimed pass of each, so compilation and allocation warm-up count for none.
  await fit();
  await trainWith(false);
  await trainWith(true);
  const results: Record<"fit" | "bare" | "full", number[]> = { fit: [], bare: [], full: [] };
  const order: ("fit" | "bare" | "full")[] = ["fit", "bare", "full"];
  // The display's cost is judged per round (full against bare train() run next to it, so both
  // see the same machine), and rounds go on until those paired figures' interquartile spread
  // is below the 5 % target, or three times the rounds asked for.
  const paired = (): number[] => results.full.map((full, i) => 1 - full / results.bare[i]);
  for (let r = 0; r < 3 * rounds; r++) {
    for (const kind of order) {
      results[kind].push(kind === "fit" ? await fit() : await trainWith(kind === "full"));
    }
    order.push(order.shift()!);
    if (r + 1 >= rounds && interquartileRange(paired()) < OVERHEAD_TARGET) break;
  }
  tf.dispose([xs, ys]);
  const fitRate = median(results.fit);
  const bareRate = median(results.bare);
  const fullRate = median(results.full);
  const outputsPerRun = host.outputs / (rounds + 1);
  return {
    rounds,
    imagesPerRun: images,
    fitImgPerSec: Math.round(fitRate),
    trainBareImgPerSec: Math.round(bareRate),
    trainFullImgPerSec: Math.round(fullRate),
    perRound: {
      fit: results.fit.map((x) => Math.round(x)),
      bare: results.bare.map((x) => Math.round(x)),
      full: results.full.map((x) => Math.round(x)),
    },
    /** Throughput lost by train() with live chart, progress and callbacks, against model.fit. */
    callbackOverhead: round(1 - fullRate / fitRate),
    /** Throughput lost by train()'s loop alone (no display, no callbacks), against model.fit. */
    loopOverhead: round(1 - bareRate / fitRate),
    /** Throughput lost to the live chart, progress line and callbacks, against bare train(). */
    displayAndCallbackOverhead: round(1 - fullRate / bareRate),
    /** The same, per round (full against the bare run beside it): median and interquartile spread. */
    displayAndCallbackOverheadPaired: { median: round(median(paired())), spread: round(interquartileRange(paired())), rounds: paired().length, target: OVERHEAD_TARGET },
    outputsPerRun: Math.round(outputsPerRun),
    outputKilobytesPerRun: Math.round(host.bytes / (rounds + 1) / 1000),
  };
}

const PARTS = ["mnist", "fashion", "overhead"];

const benchmark: Benchmark = {
  description: "train(): DIGITS LeNet on MNIST 8k/2k (≥ 98%), a small CNN on Fashion-MNIST 60k/10k (≥ 90%), callback overhead (≤ 5%)",
  options: {
    parts: `${PARTS.join(",")}: which parts to run (default all)`,
    rounds: "N: rounds of the overhead part (default 5)",
    "mnist-epochs": "N: the mnist part's epochs (default 30, DIGITS's)",
    "fashion-epochs": "N: the fashion part's epochs (default 10)",
  },
  async run(flags: Flags): Promise<Record<string, unknown>> {
    const parts = (textFlag(flags, "parts") ?? PARTS.join(",")).split(",");
    const unknown = parts.find((p) => !PARTS.includes(p));
    if (unknown !== undefined) throw new OptionError(`--parts: no part named "${unknown}"; the parts are ${PARTS.join(", ")}.`);
    const rounds = numberFlag(flags, "rounds", 5);
    const mnistEpochs = numberFlag(flags, "mnist-epochs", 30);
    const fashionEpochs = numberFlag(flags, "fashion-epochs", 10);
    await useBackend();
    const info = backendInfo();
    const out: Record<string, unknown> = { backend: info.backend, threads: info.threads };
    const started = performance.now();
    if (parts.includes("mnist")) {
      // With DIGITS's options alone LeNet lands within noise of 98 % on 8,000
      // digits; small random moves and turns clear it. Both are reported.
      const mnistDigitsDefaults = await mnistPart(mnistEpochs, false);
      console.log(JSON.stringify({ mnistDigitsDefaults }));
      const mnist = await mnistPart(mnistEpochs, true);
      console.log(JSON.stringify({ mnist }));
      out.mnistValAccuracy = mnist.valAccuracy;
      out.mnistValAccuracyDigitsDefaultsOnly = mnistDigitsDefaults.valAccuracy;
      out.mnistSeconds = round((mnist.seconds as number) + (mnistDigitsDefaults.seconds as number), 1);
      out.mnist = mnist;
      out.mnistDigitsDefaults = mnistDigitsDefaults;
    }
    if (parts.includes("fashion")) {
      const fashion = await fashionPart(fashionEpochs);
      console.log(JSON.stringify({ fashion }));
      out.fashionTestAccuracy = fashion.testAccuracy;
      out.fashionSeconds = fashion.seconds;
      out.fashion = fashion;
    }
    if (parts.includes("overhead")) {
      const overhead = await overheadPart(rounds);
      console.log(JSON.stringify({ overhead }));
      out.callbackOverhead = overhead.callbackOverhead;
      out.overhead = overhead;
    }
    out.targets = {
      mnistValAccuracy: out.mnistValAccuracy === undefined ? "not run" : (out.mnistValAccuracy as number) >= 0.98,
      fashionTestAccuracy: out.fashionTestAccuracy === undefined ? "not run" : (out.fashionTestAccuracy as number) >= 0.9,
      callbackOverhead: out.callbackOverhead === undefined ? "not run" : (out.callbackOverhead as number) <= 0.05,
    };
    out.totalSeconds = round((performance.now() - started) / 1000, 1);
    out.peakRssMb = peakRssMb();
    out.loadAverage = (await import("node:os")).loadavg().map((x) => round(x, 2));
    return out;
  },
};

export default benchmark;
