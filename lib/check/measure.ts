/**
 * Measurements a check makes itself, on real data, rather than trusting a
 * number the learner reports: a model's accuracy on a split, its predicted
 * classes, and the statistics of a split's pixels as the model sees them.
 */
import * as tf from "@tensorflow/tfjs";
import type { Dataset, SplitName } from "../data";

export interface Accuracy {
  correct: number;
  total: number;
  accuracy: number;
}

/** Predicted class of every image of a split (the first `limit` images when given). */
export async function predictClasses(model: tf.LayersModel, dataset: Dataset, split: SplitName, limit = Infinity): Promise<Int32Array> {
  checkInputShape(model, dataset);
  const total = Math.min(limit, dataset.size(split));
  const predicted = new Int32Array(total);
  let filled = 0;
  for await (const batch of dataset.batches({ split, batchSize: 256, shuffle: false, labels: "index" })) {
    try {
      const classes = tf.tidy(() => {
        const output = model.predict(batch.xs);
        if (Array.isArray(output)) throw new Error("The network has several outputs; the exercise expects one (the class probabilities).");
        return output.argMax(-1);
      });
      const values = await classes.data();
      classes.dispose();
      const take = Math.min(values.length, total - filled);
      predicted.set(values.subarray(0, take), filled);
      filled += take;
    } finally {
      batch.dispose();
    }
    if (filled >= total) break;
  }
  return predicted;
}

/** Share of a split's images whose predicted class is their label. */
export async function measureAccuracy(model: tf.LayersModel, dataset: Dataset, split: SplitName): Promise<Accuracy> {
  const total = dataset.size(split);
  if (total === 0) throw new Error(`The ${split} split of ${dataset.name} is empty, so there is nothing to measure accuracy on.`);
  const predicted = await predictClasses(model, dataset, split);
  const labels = dataset.splitLabels(split);
  let correct = 0;
  for (let i = 0; i < total; i++) if (predicted[i] === labels[i]) correct++;
  return { correct, total, accuracy: correct / total };
}

/** Mean and standard deviation of a split's pixels after the dataset's normalization. */
export async function normalizedPixelStatistics(dataset: Dataset, split: SplitName): Promise<{ mean: number; std: number }> {
  let sum = 0;
  let squares = 0;
  let n = 0;
  for await (const batch of dataset.batches({ split, batchSize: 512, shuffle: false })) {
    const values = await batch.xs.data();
    batch.dispose();
    for (let i = 0; i < values.length; i++) {
      sum += values[i];
      squares += values[i] * values[i];
    }
    n += values.length;
  }
  if (n === 0) throw new Error(`The ${split} split of ${dataset.name} is empty.`);
  const mean = sum / n;
  return { mean, std: Math.sqrt(Math.max(0, squares / n - mean * mean)) };
}

/** A learner-facing error when the model's input does not fit the dataset's images. */
function checkInputShape(model: tf.LayersModel, dataset: Dataset): void {
  const input = model.inputs[0]?.shape;
  if (!input) throw new Error("The network has no input yet: give its first layer an inputShape, e.g. inputShape: [28, 28, 1].");
  const expected = input.slice(1);
  const actual = [...dataset.shape];
  const fits = expected.length === actual.length && expected.every((size, i) => size === null || size === actual[i]);
  if (!fits) {
    throw new Error(
      `The network takes inputs of shape [${expected.join(", ")}], but the images of ${dataset.name} are [${actual.join(", ")}]. ` +
        `Give the first layer inputShape: [${actual.join(", ")}].`,
    );
  }
}
