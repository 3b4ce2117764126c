/**
 * Which layer hurts most in INT8? Each Conv/Gemm layer is quantized alone
 * (the others stay FP32) and the result scored against FP32 on the same
 * images: how far its probabilities move, how many top-1 answers change,
 * and the accuracy. The layer whose quantization moves the output most is
 * the one to keep in FP16 (TensorRT can run a network with mixed precisions)
 * or to calibrate with more care.
 */
import { DISPLAY, MimeBundle } from "../display";
import { Chart, classBarChart } from "../charts";
import { CalibrationOptions } from "./calibration";
import { escapeHtml, htmlTable, textTable } from "../display/html";
import { OnnxSource, onnxBytes } from "./onnx-runner";
import { decodeModel } from "./onnx/proto";
import { predictOnnx, probabilityDifference } from "./predict-onnx";
import { quantizationTargets, quantizeInt8 } from "./quantize-int8";
import { LabelledSamples, agreement, sampleArrays } from "./samples";

export interface LayerErrorRow {
  /** The Conv/Gemm node quantized. */
  layer: string;
  op: string;
  /** Mean |INT8 − FP32| over every probability of every image. */
  meanAbsDiff: number;
  maxAbsDiff: number;
  /** Share of images whose top-1 stays the FP32 one. */
  top1Agreement: number;
  accuracy: number | undefined;
}

export class LayerErrors {
  constructor(
    readonly rows: LayerErrorRow[],
    /** Everything quantized together, for comparison. */
    readonly all: Omit<LayerErrorRow, "layer" | "op">,
    readonly fp32Accuracy: number | undefined,
    readonly images: number,
  ) {}

  /** The layer whose quantization alone moves the probabilities most. */
  get worst(): LayerErrorRow {
    return this.rows.reduce((a, b) => (b.meanAbsDiff > a.meanAbsDiff ? b : a));
  }

  /** Each layer's error as a share of the error of all layers INT8 at once. */
  chart(): Chart {
    return classBarChart(
      this.rows.map((r) => r.layer),
      this.rows.map((r) => r.meanAbsDiff / this.all.meanAbsDiff),
      { title: "How much of INT8's error each layer causes alone", metric: "mean |Δp| of this layer alone ÷ mean |Δp| of all layers" },
    );
  }

  private table(): (string | number)[][] {
    const pct = (v: number | undefined) => (v === undefined ? "n/a" : `${(100 * v).toFixed(2)}%`);
    return [
      ...this.rows.map((r) => [r.layer, r.op, r.meanAbsDiff.toExponential(2), r.maxAbsDiff.toExponential(2), pct(r.top1Agreement), pct(r.accuracy)]),
      ["(all layers)", "", this.all.meanAbsDiff.toExponential(2), this.all.maxAbsDiff.toExponential(2), pct(this.all.top1Agreement), pct(this.all.accuracy)],
    ];
  }

  [DISPLAY](): MimeBundle {
    const header = ["INT8 layer", "op", "mean |Δp|", "max |Δp|", "top-1 = FP32", "accuracy"];
    const note = `${this.images} images; every other layer FP32. FP32 accuracy ${this.fp32Accuracy === undefined ? "n/a" : `${(100 * this.fp32Accuracy).toFixed(2)}%`}. Hurts most: ${this.worst.layer}.`;
    return { "text/plain": `${textTable(header, this.table())}\n${note}`, "text/html": `${htmlTable(header, this.table())}<p>${escapeHtml(note)}</p>` };
  }
}

export async function quantizationErrorByLayer(
  source: OnnxSource,
  calibration: LabelledSamples,
  validation: LabelledSamples,
  options: CalibrationOptions = {},
): Promise<LayerErrors> {
  const bytes = onnxBytes(source);
  const layers = quantizationTargets(decodeModel(bytes).graph);
  const data = sampleArrays(validation, "validation");
  const fp32 = await predictOnnx(bytes, data);
  const score = async (only?: string[]) => {
    const int8 = await quantizeInt8(bytes, calibration, { ...options, layers: only });
    const predicted = await predictOnnx(int8.bytes, data);
    const diff = probabilityDifference(predicted.probabilities, fp32.probabilities);
    return { meanAbsDiff: diff.mean, maxAbsDiff: diff.max, top1Agreement: agreement(predicted.top1, fp32.top1), accuracy: predicted.accuracy };
  };
  const rows: LayerErrorRow[] = [];
  for (const layer of layers) rows.push({ layer: layer.name, op: layer.op_type, ...(await score([layer.name])) });
  return new LayerErrors(rows, await score(), fp32.accuracy, data.n);
}
