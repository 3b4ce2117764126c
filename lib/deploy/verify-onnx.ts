/**
 * verifyOnnx: does the exported file compute what the tfjs model computes?
 * Runs both on the same labelled samples and reports the largest difference
 * between their outputs, top-1 agreement and both accuracies.
 */
import type * as tf from "@tensorflow/tfjs";
import { DISPLAY, MimeBundle } from "../display";
import { escapeHtml, htmlTable, textTable } from "../display/html";
import { OnnxRunner, OnnxSource, RunnerOptions } from "./onnx-runner";
import { Segmenter, SingleShotDetector } from "../detect";
import { ContractVerifyReport, verifyDetectorOnnx, verifySegmenterOnnx, type Frames, type VerifyContractOptions } from "./verify-contracts";
import { LabelledSamples, accuracy, agreement, sampleArrays, softmaxRows, tfjsPredict } from "./samples";
import { argMaxRows } from "../evaluate";

export interface VerifyOptions extends RunnerOptions {
  /** Largest absolute output difference that passes. Default 1e-4 (FP32 exports). */
  tolerance?: number;
  /** Images per onnxruntime call when the batch is dynamic. Default 32. */
  batchSize?: number;
}

export class VerifyReport {
  constructor(
    readonly samples: number,
    /** Largest |onnx − tfjs| over all outputs (probabilities). */
    readonly maxAbsDiff: number,
    readonly meanAbsDiff: number,
    /** Fraction of samples where both pick the same class. */
    readonly top1Agreement: number,
    readonly tfjsAccuracy: number | undefined,
    readonly onnxAccuracy: number | undefined,
    readonly tolerance: number,
  ) {}

  /** True when the outputs match within the tolerance. */
  get passed(): boolean {
    return this.maxAbsDiff <= this.tolerance;
  }

  private rows(): (string | number)[][] {
    const pct = (v: number | undefined) => (v === undefined ? "n/a" : `${(100 * v).toFixed(2)}%`);
    return [
      ["samples", this.samples],
      ["max |ONNX − tfjs|", this.maxAbsDiff.toExponential(2)],
      ["mean |ONNX − tfjs|", this.meanAbsDiff.toExponential(2)],
      ["top-1 agreement", pct(this.top1Agreement)],
      ["tfjs accuracy", pct(this.tfjsAccuracy)],
      ["ONNX accuracy", pct(this.onnxAccuracy)],
    ];
  }

  [DISPLAY](): MimeBundle {
    const verdict = this.passed
      ? `The ONNX model matches tfjs (max difference ${this.maxAbsDiff.toExponential(2)} ≤ ${this.tolerance}).`
      : `The ONNX model differs from tfjs by up to ${this.maxAbsDiff.toExponential(2)}, more than the tolerance ${this.tolerance}.`;
    return {
      "text/plain": `${verdict}\n${textTable(["measure", "value"], this.rows())}`,
      "text/html": `<p><b>${escapeHtml(verdict)}</b></p>${htmlTable(["measure", "value"], this.rows())}`,
    };
  }
}

/**
 * A classifier is compared on labelled samples. A SingleShotDetector or a
 * Segmenter is compared on frames (or scenes), each run through detectnet's
 * (segnet's) preprocessing and decoding in onnxruntime and through tfjs
 * (verify-contracts.ts).
 */
export async function verifyOnnx(model: SingleShotDetector | Segmenter, onnx: OnnxSource, frames: Frames, options?: VerifyContractOptions): Promise<ContractVerifyReport>;
export async function verifyOnnx(model: tf.LayersModel, onnx: OnnxSource, samples: LabelledSamples, options?: VerifyOptions): Promise<VerifyReport>;
export async function verifyOnnx(
  model: tf.LayersModel | SingleShotDetector | Segmenter,
  onnx: OnnxSource,
  samples: LabelledSamples | Frames,
  options: VerifyOptions & VerifyContractOptions = {},
): Promise<VerifyReport | ContractVerifyReport> {
  if (model instanceof SingleShotDetector) return verifyDetectorOnnx(model, onnx, samples as Frames, options);
  if (model instanceof Segmenter) return verifySegmenterOnnx(model, onnx, samples as Frames, options);
  return verifyClassifierOnnx(model, onnx, samples as LabelledSamples, options);
}

async function verifyClassifierOnnx(model: tf.LayersModel, onnx: OnnxSource, samples: LabelledSamples, options: VerifyOptions): Promise<VerifyReport> {
  const data = sampleArrays(samples);
  const runner = await OnnxRunner.load(onnx, options);
  try {
    const { height, width, modelChannels } = runner.contract;
    if (data.shape[1] !== height || data.shape[2] !== width || data.shape[3] !== modelChannels) {
      throw new Error(`samples.x has images of [${data.shape.slice(1).join(", ")}] but the model takes [${height}, ${width}, ${modelChannels}].`);
    }
    let expected = tfjsPredict(model, data.x, data.shape);
    if (runner.appendedSoftmax) expected = softmaxRows(expected, data.n);
    const actual = await runner.predict(data.x, data.n, options.batchSize ?? 32);
    if (actual.length !== expected.length) {
      throw new Error(`The ONNX model gives ${actual.length / data.n} outputs per image, tfjs ${expected.length / data.n}: is this the export of this model?`);
    }
    let max = 0;
    let sum = 0;
    for (let i = 0; i < actual.length; i++) {
      const d = Math.abs(actual[i] - expected[i]);
      if (!(d <= max)) max = d; // NaN propagates as a failure
      sum += d;
    }
    const tfjsTop1 = argMaxRows(expected, data.n);
    const onnxTop1 = argMaxRows(actual, data.n);
    return new VerifyReport(
      data.n,
      max,
      sum / actual.length,
      agreement(tfjsTop1, onnxTop1),
      data.labels ? accuracy(tfjsTop1, data.labels) : undefined,
      data.labels ? accuracy(onnxTop1, data.labels) : undefined,
      options.tolerance ?? 1e-4,
    );
  } finally {
    await runner.release();
  }
}
