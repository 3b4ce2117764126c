/**
 * Labelled samples as the deploy tools take them, and the arithmetic on
 * predictions they share (softmax, accuracy; the arg-max is lib/evaluate's).
 */
import * as tf from "@tensorflow/tfjs";

export interface LabelledSamples {
  /** Model inputs [n, height, width, channels], exactly as the tfjs model takes them (training preprocessing applied). */
  x: tf.Tensor;
  /** Class indices [n] or one-hot rows [n, classes]. Optional: without labels only agreement is measured. */
  y?: tf.Tensor | ArrayLike<number>;
}

export interface SampleArrays {
  x: Float32Array;
  n: number;
  shape: number[];
  labels?: Int32Array;
}

export function sampleArrays(samples: LabelledSamples, what = "samples"): SampleArrays {
  const { x, y } = samples;
  if (!x || x.rank !== 4) {
    throw new Error(`${what}.x must be a tensor [n, height, width, channels] of model inputs; got ${x ? `rank ${x.rank}` : "nothing"}.`);
  }
  const n = x.shape[0];
  let labels: Int32Array | undefined;
  if (y !== undefined) {
    if (y instanceof tf.Tensor) {
      labels = y.rank === 2 ? (tf.tidy(() => tf.argMax(y, 1)).dataSync() as Int32Array) : Int32Array.from(y.dataSync());
    } else {
      labels = Int32Array.from(y as ArrayLike<number>);
    }
    if (labels.length !== n) throw new Error(`${what}.y has ${labels.length} labels for ${n} images; give one label per image.`);
  }
  return { x: x.dataSync() as Float32Array, n, shape: x.shape, labels };
}

export function softmaxRows(values: Float32Array, n: number): Float32Array {
  const classes = values.length / n;
  const out = new Float32Array(values.length);
  for (let i = 0; i < n; i++) {
    let max = -Infinity;
    for (let k = 0; k < classes; k++) max = Math.max(max, values[i * classes + k]);
    let sum = 0;
    for (let k = 0; k < classes; k++) sum += out[i * classes + k] = Math.exp(values[i * classes + k] - max);
    for (let k = 0; k < classes; k++) out[i * classes + k] /= sum;
  }
  return out;
}

export function accuracy(predicted: Int32Array, labels: Int32Array): number {
  let correct = 0;
  for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) correct++;
  return labels.length ? correct / labels.length : NaN;
}

export function agreement(a: Int32Array, b: Int32Array): number {
  let same = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
  return a.length ? same / a.length : NaN;
}

/** tfjs predictions in batches, so large sets fit in memory. */
export function tfjsPredict(model: tf.LayersModel, x: Float32Array, shape: number[], batchSize = 64): Float32Array {
  const n = shape[0];
  const per = shape.slice(1).reduce((a, b) => a * b, 1);
  const chunks: Float32Array[] = [];
  for (let start = 0; start < n; start += batchSize) {
    const count = Math.min(batchSize, n - start);
    const out = tf.tidy(() => {
      const batch = tf.tensor(x.subarray(start * per, (start + count) * per), [count, ...shape.slice(1)]);
      return (model.predict(batch) as tf.Tensor).dataSync() as Float32Array;
    });
    chunks.push(Float32Array.from(out));
  }
  return concatFloat32(chunks);
}

/** The chunks one after another in one array. */
export function concatFloat32(chunks: readonly Float32Array[]): Float32Array {
  const total = new Float32Array(chunks.reduce((sum, c) => sum + c.length, 0));
  let offset = 0;
  for (const c of chunks) {
    total.set(c, offset);
    offset += c.length;
  }
  return total;
}
