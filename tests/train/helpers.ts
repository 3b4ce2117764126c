/** Shared by the training tests: a small slice of MNIST, a small fast CNN, temporary folders. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { useBackend } from "../../lib/backend";
import { Dataset, split } from "../../lib/data";
import { loadMnist } from "../../lib/data/sources";
import { conv, dense, dropout, maxPool, sequential, softmax } from "../../lib/models";

let cached: Dataset | undefined;

/** 600 training and 200 validation digits of the bundled MNIST (stratified, seed 0). */
export async function smallMnist(): Promise<Dataset> {
  await useBackend();
  if (!cached) cached = split(await loadMnist({ split: false }), { train: 0.06, validation: 0.02, test: 0.92, seed: 0 });
  return cached;
}

/** conv 6@5×5 relu → pool 2 → dropout 0.25 → dense 32 relu → dense 10 → softmax: trains at thousands of images a second. */
export function smallCnn(seed: number): tf.Sequential {
  return sequential(
    [conv({ filters: 6, kernel: 5, activation: "relu" }), maxPool(2), dropout(0.25), dense({ units: 32, activation: "relu" }), dense({ units: 10 }), softmax()],
    { inputShape: [28, 28, 1], seed, name: "small-cnn" },
  );
}

export function weightsOf(model: tf.LayersModel): Float32Array[] {
  return model.getWeights().map((w) => w.dataSync().slice() as Float32Array);
}

export function maxDifference(a: Float32Array[], b: Float32Array[]): number {
  if (a.length !== b.length) throw new Error(`${a.length} weights vs ${b.length}`);
  let max = 0;
  a.forEach((w, i) => {
    if (w.length !== b[i].length) throw new Error(`weight ${i}: ${w.length} values vs ${b[i].length}`);
    for (let k = 0; k < w.length; k++) max = Math.max(max, Math.abs(w[k] - b[i][k]));
  });
  return max;
}

export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), `convlab-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
