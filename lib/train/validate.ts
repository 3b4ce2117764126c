/**
 * A validation pass: the loss and accuracy of the model on a split, in
 * inference mode (no dropout, batch norm with its moving statistics).
 */
import * as tf from "@tensorflow/tfjs";
import type { Dataset, SplitName } from "../data";
import type { Forward } from "./forward";

export interface SplitScore {
  loss: number;
  accuracy: number;
  count: number;
}

/** Returns undefined when `stopped()` turns true part-way (an interrupt). */
export async function scoreSplit(
  forward: Forward,
  data: Dataset,
  split: SplitName,
  batchSize: number,
  stopped: () => boolean,
): Promise<SplitScore | undefined> {
  let lossSum = 0;
  let correct = 0;
  let count = 0;
  for await (const batch of data.batches({ split, batchSize, shuffle: false })) {
    try {
      if (stopped()) return undefined;
      const sums = tf.tidy(() => {
        const out = forward.apply(batch.xs, false);
        const ys = forward.targets(batch);
        try {
          return tf.stack([tf.mul(forward.loss(out, ys), batch.size), forward.correct(out, ys)]);
        } finally {
          if (ys !== batch.ys) ys.dispose();
        }
      });
      const [l, c] = sums.dataSync();
      sums.dispose();
      lossSum += l;
      correct += c;
      count += batch.size;
    } finally {
      batch.dispose();
    }
  }
  if (count === 0) return undefined;
  return { loss: lossSum / count, accuracy: correct / count, count };
}
