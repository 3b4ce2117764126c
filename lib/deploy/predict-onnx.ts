/** An ONNX model's predictions and accuracy on labelled samples (onnxruntime, CPU). */
import { OnnxRunner, OnnxSource } from "./onnx-runner";
import { SampleArrays, accuracy } from "./samples";
import { argMaxRows } from "../evaluate";

export interface OnnxPredictions {
  /** [n, classes] probabilities, row-major. */
  probabilities: Float32Array;
  top1: Int32Array;
  /** Top-1 accuracy when the samples have labels. */
  accuracy: number | undefined;
}

export async function predictOnnx(source: OnnxSource, data: SampleArrays, threads?: number): Promise<OnnxPredictions> {
  const runner = await OnnxRunner.load(source, { threads });
  try {
    const probabilities = await runner.predict(data.x, data.n, 64);
    const top1 = argMaxRows(probabilities, data.n);
    return { probabilities, top1, accuracy: data.labels ? accuracy(top1, data.labels) : undefined };
  } finally {
    await runner.release();
  }
}

/** Mean and largest |a − b| over two probability arrays of the same images. */
export function probabilityDifference(a: Float32Array, b: Float32Array): { mean: number; max: number } {
  let sum = 0;
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    sum += d;
    if (!(d <= max)) max = d;
  }
  return { mean: a.length ? sum / a.length : NaN, max };
}
