/**
 * Looking inside INT8 calibration: for each tensor INT8 quantizes, the
 * distribution of its values on the calibration images and the clipping
 * threshold each method picks (inspectCalibration), and how accuracy depends
 * on the number of calibration images (calibrationSizeSweep).
 */
import { DISPLAY, MimeBundle } from "../display";
import { Chart, clippingHistogramChart, lineChart } from "../charts";
import { CalibrationMethod, CalibrationOptions, TensorStatistics, chooseThreshold, collectStatistics } from "./calibration";
import { escapeHtml, htmlTable, textTable } from "../display/html";
import { OnnxSource, onnxBytes } from "./onnx-runner";
import { decodeModel } from "./onnx/proto";
import { predictOnnx } from "./predict-onnx";
import { quantizationTargets, quantizeInt8 } from "./quantize-int8";
import { LabelledSamples, sampleArrays } from "./samples";
import * as tf from "@tensorflow/tfjs";

const METHODS: CalibrationMethod[] = ["max", "percentile", "entropy"];

export interface TensorCalibration {
  /** The activation tensor quantized. */
  tensor: string;
  /** The Conv/Gemm node(s) reading it. */
  readers: string[];
  absMax: number;
  /** Threshold per method: values beyond it are clipped to ±threshold. */
  thresholds: Partial<Record<CalibrationMethod, number>>;
  /** Share of the calibration values each threshold clips. */
  clipped: Partial<Record<CalibrationMethod, number>>;
  statistics: TensorStatistics;
}

export class CalibrationInspection {
  constructor(
    readonly tensors: TensorCalibration[],
    readonly images: number,
  ) {}

  /** Histograms of |value| with each method's clipping threshold. */
  chart(): Chart {
    return clippingHistogramChart(
      this.tensors.map((t) => ({ name: `${t.tensor} (read by ${t.readers.join(", ")})`, counts: t.statistics.histogram, binWidth: t.statistics.binWidth, thresholds: t.thresholds as Record<string, number> })),
    );
  }

  private rows(): (string | number)[][] {
    return this.tensors.map((t) => [
      t.tensor,
      t.absMax.toPrecision(4),
      ...METHODS.filter((m) => m in t.thresholds).map((m) => `${t.thresholds[m]!.toPrecision(4)} (${formatShare(t.clipped[m]!)} clipped)`),
    ]);
  }

  [DISPLAY](): MimeBundle {
    const header = ["tensor", "largest |value|", ...METHODS.filter((m) => m in (this.tensors[0]?.thresholds ?? {})).map((m) => `${m} threshold`)];
    const note = `${this.images} calibration images. Each threshold is mapped to ±127; values beyond it are clipped. chart() draws the distributions.`;
    return {
      "text/plain": `${textTable(header, this.rows())}\n${note}`,
      "text/html": `${htmlTable(header, this.rows())}<p>${escapeHtml(note)}</p>`,
    };
  }
}

function formatShare(share: number): string {
  if (share === 0) return "none";
  if (share < 0.0001) return "< 0.01%";
  return `${(100 * share).toFixed(2)}%`;
}

/** Distributions and thresholds of every tensor INT8 would quantize, for each method. */
export async function inspectCalibration(
  source: OnnxSource,
  calibration: LabelledSamples,
  options: CalibrationOptions & { methods?: CalibrationMethod[] } = {},
): Promise<CalibrationInspection> {
  const bytes = onnxBytes(source);
  const targets = quantizationTargets(decodeModel(bytes).graph);
  const tensors = [...new Set(targets.map((n) => n.input[0]))];
  const stats = await collectStatistics(bytes, tensors, calibration, options);
  const methods = options.methods ?? METHODS;
  const result = tensors.map((tensor): TensorCalibration => {
    const s = stats.get(tensor) as TensorStatistics;
    const thresholds: Partial<Record<CalibrationMethod, number>> = {};
    const clipped: Partial<Record<CalibrationMethod, number>> = {};
    const total = s.histogram.reduce((a, b) => a + b, 0);
    for (const method of methods) {
      const threshold = chooseThreshold(s, { ...options, method });
      thresholds[method] = threshold;
      let beyond = 0;
      for (let i = 0; i < s.histogram.length; i++) if ((i + 0.5) * s.binWidth > threshold) beyond += s.histogram[i];
      clipped[method] = total ? beyond / total : 0;
    }
    return { tensor, readers: targets.filter((n) => n.input[0] === tensor).map((n) => n.name), absMax: s.absMax, thresholds, clipped, statistics: s };
  });
  return new CalibrationInspection(result, calibration.x.shape[0]);
}

export interface CalibrationSizeRow {
  images: number;
  method: CalibrationMethod;
  accuracy: number;
  /** FP32 accuracy minus this one, in percentage points. */
  dropPoints: number;
}

export class CalibrationSizeSweep {
  constructor(
    readonly rows: CalibrationSizeRow[],
    readonly fp32Accuracy: number,
    readonly validationImages: number,
  ) {}

  /** Accuracy against calibration images, one line per method, FP32 as a reference. */
  chart(): Chart {
    const series: Record<string, { x: number; y: number }[]> = {};
    for (const r of this.rows) (series[`INT8 ${r.method}`] ??= []).push({ x: r.images, y: 100 * r.accuracy });
    const sizes = [...new Set(this.rows.map((r) => r.images))];
    series["FP32"] = sizes.map((x) => ({ x, y: 100 * this.fp32Accuracy }));
    return lineChart(series, { title: "INT8 accuracy against the number of calibration images", xTitle: "calibration images", yTitle: `accuracy % (${this.validationImages} validation images)`, logX: true });
  }

  [DISPLAY](): MimeBundle {
    const header = ["calibration images", "method", "accuracy", "drop (points)"];
    const rows = this.rows.map((r) => [r.images, r.method, `${(100 * r.accuracy).toFixed(2)}%`, r.dropPoints.toFixed(2)]);
    const note = `FP32: ${(100 * this.fp32Accuracy).toFixed(2)}% on the same ${this.validationImages} images. chart() draws it.`;
    return { "text/plain": `${textTable(header, rows)}\n${note}`, "text/html": `${htmlTable(header, rows)}<p>${escapeHtml(note)}</p>` };
  }
}

/**
 * Quantizes with the first `n` calibration images for each n in `sizes`
 * (and each method) and scores every result on `validation`.
 */
export async function calibrationSizeSweep(
  source: OnnxSource,
  calibration: LabelledSamples,
  validation: LabelledSamples,
  options: { sizes?: number[]; methods?: CalibrationMethod[]; percentile?: number } = {},
): Promise<CalibrationSizeSweep> {
  const available = calibration.x.shape[0];
  const sizes = (options.sizes ?? [1, 4, 16, 64, 256]).filter((n) => n <= available);
  if (sizes.length === 0) throw new Error(`The calibration set has ${available} images, fewer than every size asked for.`);
  const methods = options.methods ?? ["percentile"];
  const data = sampleArrays(validation, "validation");
  if (!data.labels) throw new Error("calibrationSizeSweep needs labels on the validation images (validation.y) to measure accuracy.");
  const fp32 = await predictOnnx(source, data);
  const rows: CalibrationSizeRow[] = [];
  for (const images of sizes) {
    // The whole set as it is: its histograms may be collected already (collectStatistics reuses them).
    const subset = { x: images === available ? calibration.x : tf.slice(calibration.x, 0, images) };
    try {
      for (const method of methods) {
        const int8 = await quantizeInt8(source, subset, { method, percentile: options.percentile });
        const accuracy = (await predictOnnx(int8.bytes, data)).accuracy as number;
        rows.push({ images, method, accuracy, dropPoints: 100 * ((fp32.accuracy as number) - accuracy) });
      }
    } finally {
      if (subset.x !== calibration.x) subset.x.dispose();
    }
  }
  return new CalibrationSizeSweep(rows, fp32.accuracy as number, data.n);
}
