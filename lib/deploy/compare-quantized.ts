/**
 * compareQuantized: FP32 against FP16 against INT8, measured in one run on
 * the same validation images: accuracy, agreement with FP32, file size and
 * onnxruntime throughput. The numbers a learner needs to choose a precision
 * for the Jetson.
 */
import type * as tf from "@tensorflow/tfjs";
import { DISPLAY, MimeBundle } from "../display";
import { Engine, measureInterleaved, onnxEngine } from "./benchmark-inference";
import { CalibrationMethod } from "./calibration";
import { ExportOnnxOptions, toOnnx } from "./export-onnx";
import { escapeHtml, htmlTable, textTable } from "../display/html";
import { OnnxRunner } from "./onnx-runner";
import { Fp16Options, quantizeFp16 } from "./quantize-fp16";
import { Int8Options, quantizeInt8 } from "./quantize-int8";
import { OnnxModelFile, Precision } from "./quantized-model";
import { LabelledSamples, accuracy, agreement, sampleArrays } from "./samples";
import { argMaxRows } from "../evaluate";

export interface CompareQuantizedOptions {
  /** Labelled images the three precisions are scored on (model inputs, as tfjs takes them). */
  validation: LabelledSamples;
  /** Images INT8 activation ranges are calibrated on (training images, not the validation set). */
  calibration: LabelledSamples;
  /** INT8 calibration methods to compare, one INT8 row each. Default ["percentile"]. */
  int8Methods?: CalibrationMethod[];
  int8?: Int8Options;
  fp16?: Fp16Options;
  /** Export options for the FP32 model (e.g. normalization); the batch is always dynamic here. */
  export?: ExportOnnxOptions;
  /** Batch size for the throughput column. Default 32. */
  batchSize?: number;
  /** Seconds of timing per model. Default 2. */
  seconds?: number;
  /** onnxruntime intra-op threads. Default: onnxruntime's choice. */
  threads?: number;
}

export interface QuantizationRow {
  label: string;
  precision: Precision;
  sizeBytes: number;
  /** Top-1 accuracy on the validation images, 0–1. */
  accuracy: number;
  /** FP32 accuracy minus this one, in percentage points. */
  accuracyDropPoints: number;
  /** Share of images where this model's top-1 equals FP32's. */
  top1AgreementWithFp32: number;
  /** Largest |probability − FP32 probability|. */
  maxAbsDiffVsFp32: number;
  imagesPerSecond: number;
  batch: number;
}

export class QuantizationComparison {
  constructor(
    readonly rows: QuantizationRow[],
    /** The models compared, by row label. */
    readonly models: Map<string, OnnxModelFile>,
    readonly validationImages: number,
  ) {}

  /** Long-form records for a chart: one per row and measure. */
  chartData(): { model: string; measure: "accuracy %" | "size KiB" | "images/s"; value: number }[] {
    return this.rows.flatMap((r) => [
      { model: r.label, measure: "accuracy %" as const, value: 100 * r.accuracy },
      { model: r.label, measure: "size KiB" as const, value: r.sizeBytes / 1024 },
      { model: r.label, measure: "images/s" as const, value: r.imagesPerSecond },
    ]);
  }

  private table(): (string | number)[][] {
    const fp32 = this.rows[0];
    return this.rows.map((r) => [
      r.label,
      `${(100 * r.accuracy).toFixed(2)}%`,
      r.accuracyDropPoints.toFixed(2),
      `${(100 * r.top1AgreementWithFp32).toFixed(2)}%`,
      r.maxAbsDiffVsFp32.toExponential(1),
      (r.sizeBytes / 1024).toFixed(1),
      `${(fp32.sizeBytes / r.sizeBytes).toFixed(2)}×`,
      Math.round(r.imagesPerSecond),
      `${(r.imagesPerSecond / fp32.imagesPerSecond).toFixed(2)}×`,
    ]);
  }

  [DISPLAY](): MimeBundle {
    const header = ["model", "accuracy", "drop (points)", "top-1 = FP32", "max |Δp|", "size KiB", "smaller", `images/s (batch ${this.rows[0]?.batch})`, "faster"];
    const int8 = this.rows.find((r) => r.precision === "int8");
    const storage =
      int8 && int8.sizeBytes > 0.5 * this.rows[0].sizeBytes
        ? " INT8 weights are stored as FP32 followed by Quantize/Dequantize (the form every TensorRT 8.x accepts), so the file is not smaller; TensorRT stores them as INT8 in the engine. Pass int8: { weightStorage: \"int8\" } for a 4× smaller file."
        : "";
    const note =
      `${this.validationImages} validation images. Throughput: onnxruntime on this machine's CPU, which runs INT8 Quantize/Dequantize graphs at about FP32 speed; ` +
      `on a Jetson, TensorRT runs FP16 and INT8 much faster than FP32.${storage}`;
    return {
      "text/plain": `${textTable(header, this.table())}\n${note}`,
      // A chart of chartData() goes here once lib/charts lands.
      "text/html": `${htmlTable(header, this.table())}<p>${escapeHtml(note)}</p>`,
    };
  }
}

export async function compareQuantized(model: tf.LayersModel, options: CompareQuantizedOptions): Promise<QuantizationComparison> {
  const validation = sampleArrays(options.validation, "validation");
  if (!validation.labels) throw new Error("compareQuantized needs labels for the validation images (validation.y) to measure accuracy.");
  const batch = options.batchSize ?? 32;
  const fp32Export = toOnnx(model, { ...options.export, dynamicBatch: true });
  const variants: { label: string; file: OnnxModelFile }[] = [
    { label: "FP32", file: new OnnxModelFile(fp32Export.bytes, "fp32", [], "As exported.") },
    { label: "FP16", file: quantizeFp16(fp32Export, options.fp16) },
  ];
  for (const method of options.int8Methods ?? [options.int8?.method ?? "percentile"]) {
    const file = await quantizeInt8(fp32Export, options.calibration, { ...options.int8, method });
    variants.push({ label: (options.int8Methods?.length ?? 1) > 1 ? `INT8 (${method})` : "INT8", file });
  }

  const predictions: Float32Array[] = [];
  for (const v of variants) {
    const runner = await OnnxRunner.load(v.file.bytes, { threads: options.threads });
    try {
      predictions.push(await runner.predict(validation.x, validation.n, 64));
    } finally {
      await runner.release();
    }
  }
  const engines: Engine[] = [];
  for (const v of variants) engines.push(await onnxEngine(v.file.bytes, v.file.precision, [batch], { threads: options.threads, optimization: "auto" }, v.label));
  let timing;
  try {
    // Five short rounds, the median kept: one round slowed by another process on a shared machine does not decide.
    timing = await measureInterleaved(engines, [batch], (options.seconds ?? 2) / 5, 5);
  } finally {
    for (const e of engines) await e.release();
  }

  const fp32Top1 = argMaxRows(predictions[0], validation.n);
  const fp32Accuracy = accuracy(fp32Top1, validation.labels);
  const rows = variants.map((v, i): QuantizationRow => {
    const top1 = argMaxRows(predictions[i], validation.n);
    const acc = accuracy(top1, validation.labels as Int32Array);
    let maxDiff = 0;
    for (let j = 0; j < predictions[i].length; j++) maxDiff = Math.max(maxDiff, Math.abs(predictions[i][j] - predictions[0][j]));
    return {
      label: v.label,
      precision: v.file.precision,
      sizeBytes: v.file.sizeBytes,
      accuracy: acc,
      accuracyDropPoints: 100 * (fp32Accuracy - acc),
      top1AgreementWithFp32: agreement(top1, fp32Top1),
      maxAbsDiffVsFp32: maxDiff,
      imagesPerSecond: timing.find((t) => t.label === v.label)?.imagesPerSecond ?? NaN,
      batch,
    };
  });
  return new QuantizationComparison(rows, new Map(variants.map((v) => [v.label, v.file])), validation.n);
}
