/**
 * One example of every chart type, built from small synthetic data (seeded,
 * so the same every run). The chart tests check each one; the kernel's
 * end-to-end tests can display them all in a notebook and look for every
 * chart's SVG in nbconvert's HTML.
 *
 *   import { chartExamples } from "<dist>/tests/charts/examples";
 *   for (const [name, chart] of Object.entries(await chartExamples())) await display(chart);
 */
import {
  bandChart,
  classBarChart,
  confusionMatrixChart,
  histogramChart,
  historyChart,
  imageGrid,
  learningRateChart,
  lineChart,
  parallelCoordinatesChart,
  prCurveChart,
  rocCurveChart,
  scatterChart,
  type Chart,
} from "../../lib/charts";
import type { EpochRecord } from "../../lib/history";

export const FASHION_CLASSES = [
  "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
];

/** A small deterministic random source (Park–Miller), so examples never change. */
export function seededRandom(seed = 42): () => number {
  let state = seed % 2147483647 || 1;
  return () => (state = (state * 16807) % 2147483647) / 2147483647;
}

/** A gaussian sample via Box–Muller. */
export function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(random() || 1e-12)) * Math.cos(2 * Math.PI * random());
}

/**
 * A 20-epoch history that overfits: validation loss bottoms out at epoch 9,
 * and from epoch 7 on it stays more than 10 % above training loss (the gap
 * opens) and keeps widening. The learning rate warms up for 3 epochs, then
 * follows a cosine decay.
 */
export function overfittingHistory(epochs = 20): EpochRecord[] {
  const history: EpochRecord[] = [];
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const loss = 1.6 * Math.exp(-epoch / 4) + 0.08;
    const valLoss = 1.6 * Math.exp(-epoch / 4) + 0.12 + 0.012 * Math.max(0, epoch - 6) ** 1.6;
    history.push({
      epoch,
      loss,
      valLoss,
      accuracy: 1 - loss / 2.2,
      valAccuracy: 1 - valLoss / 2.2,
      lr: epoch <= 3 ? 0.001 * epoch / 3 : 0.001 * 0.5 * (1 + Math.cos((Math.PI * (epoch - 3)) / (epochs - 3))),
    });
  }
  return history;
}

/** A 10-class confusion matrix with 100 samples per class and realistic confusions. */
export function exampleConfusionMatrix(): number[][] {
  const random = seededRandom(7);
  const n = FASHION_CLASSES.length;
  return FASHION_CLASSES.map((_, i) => {
    const row = new Array<number>(n).fill(0);
    for (let s = 0; s < 100; s++) {
      const hard = i === 6 || i === 0 || i === 4; // shirts, tops and coats get mixed up
      const correct = random() < (hard ? 0.7 : 0.93);
      const j = correct ? i : hard ? [0, 2, 4, 6][Math.floor(random() * 4)] : Math.floor(random() * n);
      row[j]++;
    }
    return row;
  });
}

/** A synthetic 28×28 "digit": a ring with a bar, shifted per index. */
export function syntheticImage(index: number): Float32Array {
  const pixels = new Float32Array(28 * 28);
  const cx = 14 + (index % 3) - 1;
  const cy = 14 + (index % 5) - 2;
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      const r = Math.hypot(x - cx, y - cy);
      const ring = Math.exp(-((r - 6 - (index % 4)) ** 2) / 3);
      const bar = index % 2 && Math.abs(x - cx) < 2 && y > cy ? 0.9 : 0;
      pixels[y * 28 + x] = Math.min(1, ring + bar);
    }
  }
  return pixels;
}

/** Every chart type, keyed by its kind. */
export async function chartExamples(): Promise<Record<string, Chart>> {
  const random = seededRandom(3);
  const history = overfittingHistory();

  const pr = FASHION_CLASSES.slice(0, 4).map((className, c) => ({
    className,
    points: Array.from({ length: 21 }, (_, i) => {
      const recall = i / 20;
      return { recall, precision: Math.max(0, Math.min(1, 1 - recall ** (3 - c * 0.5) * (0.3 + 0.1 * c))) };
    }),
  }));
  const roc = FASHION_CLASSES.slice(0, 4).map((className, c) => ({
    className,
    points: Array.from({ length: 21 }, (_, i) => {
      const fpr = i / 20;
      return { fpr, tpr: Math.min(1, fpr ** (0.15 + 0.1 * c)) };
    }),
  }));

  const sweep = [];
  for (const lr of [0.0001, 0.001, 0.01, 0.1]) {
    for (const batchSize of [32, 128]) {
      for (const optimizer of ["sgd", "adam"]) {
        const quality = 0.9 - 0.08 * Math.abs(Math.log10(lr) + 2.5) - (optimizer === "sgd" ? 0.04 : 0) - (batchSize === 128 ? 0.01 : 0);
        sweep.push({ lr, batchSize, optimizer, valAccuracy: Number((quality + 0.01 * gaussian(random)).toFixed(4)) });
      }
    }
  }

  const seedsOf = (base: number, noise: number) =>
    Array.from({ length: 5 }, () => Array.from({ length: 15 }, (_, e) => base * Math.exp(-e / 5) + 0.1 + noise * gaussian(random)));

  const embedding = Array.from({ length: 120 }, (_, i) => {
    const cls = i % 4;
    return { x: Math.cos(cls * 1.6) * 3 + gaussian(random), y: Math.sin(cls * 1.6) * 3 + gaussian(random), className: FASHION_CLASSES[cls] };
  });

  const weights = Float32Array.from({ length: 5000 }, () => 0.05 * gaussian(random));
  const activations = Float32Array.from({ length: 5000 }, () => Math.max(0, gaussian(random) - 0.3));

  const images = Array.from({ length: 12 }, (_, i) => ({
    pixels: syntheticImage(i),
    width: 28,
    height: 28,
    label: FASHION_CLASSES[i % 10],
    predicted: i % 5 === 3 ? FASHION_CLASSES[(i + 1) % 10] : FASHION_CLASSES[i % 10],
  }));

  return {
    history: historyChart(history),
    line: lineChart(
      {
        "lr 0.01": Array.from({ length: 60 }, (_, i) => 2 * Math.exp(-i / 12) + 0.1 + 0.05 * random()),
        "lr 0.1": Array.from({ length: 60 }, (_, i) => 2 * Math.exp(-i / 5) + 0.25 + 0.1 * random()),
      },
      { title: "Loss per step", yTitle: "loss" },
    ),
    "learning-rate": learningRateChart(history),
    "confusion-matrix": confusionMatrixChart(exampleConfusionMatrix(), FASHION_CLASSES),
    "pr-curve": prCurveChart(pr),
    "roc-curve": rocCurveChart(roc),
    "class-bars": classBarChart(FASHION_CLASSES, exampleConfusionMatrix().map((row, i) => row[i] / 100), { metric: "recall" }),
    histogram: histogramChart({ "conv1/kernel": weights, "relu1 activations": activations }),
    "parallel-coordinates": parallelCoordinatesChart(sweep),
    bands: bandChart({ "Adam lr 0.001": seedsOf(1.5, 0.03), "SGD lr 0.01": seedsOf(1.8, 0.06) }, { yTitle: "validation loss" }),
    scatter: scatterChart(embedding, { color: "className", title: "Embedding of test images" }),
    "image-grid": await imageGrid(images, { columns: 6 }),
  };
}
