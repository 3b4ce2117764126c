/**
 * summary(model): the layers, their output shapes and parameter counts (and
 * the multiply-adds each costs per image), as a table that shows richly in a
 * notebook and as text elsewhere. Works on any tfjs Layers model.
 */
import type * as tf from "@tensorflow/tfjs";
import { DISPLAY, type MimeBundle } from "../display";
import { escapeHtml, formatCount, htmlTable, numberCell, textTable } from "../display/html";
import { isKernelWeight } from "./initializers";
import { modelInfo, type ModelInfo } from "./model-info";

export interface LayerRow {
  name: string;
  /** tfjs class name: Conv2D, MaxPooling2D, Dense, ... */
  type: string;
  /** What the layer does, e.g. "20 filters 5×5, relu". */
  details: string;
  /** Output shape without the batch dimension, e.g. [24, 24, 20]. */
  outputShape: number[];
  params: number;
  trainableParams: number;
  /** Multiply-adds per image (convolutions and dense layers; 0 for the rest). */
  multAdds: number;
  /** True when the layer has weights and training leaves them alone (see freeze()). */
  frozen: boolean;
}

const shapeText = (shape: readonly number[]): string => shape.join("×");

function outputShapeOf(layer: tf.layers.Layer): number[] {
  const shape = layer.outputShape as (number | null)[] | (number | null)[][];
  const first = Array.isArray(shape[0]) ? (shape[0] as (number | null)[]) : (shape as (number | null)[]);
  return first.slice(1).map((d) => d ?? -1);
}

function detailsOf(layer: tf.layers.Layer): string {
  const c = layer.getConfig() as Record<string, unknown>;
  const act = typeof c.activation === "string" && c.activation !== "linear" ? `, ${c.activation}` : "";
  const dims = (v: unknown): string => (Array.isArray(v) ? (v[0] === v[1] ? `${v[0]}×${v[1]}` : v.join("×")) : `${v}×${v}`);
  const stride = (v: unknown): string => {
    const s = Array.isArray(v) ? v : [v, v];
    return s.every((x) => x === 1) ? "" : `, stride ${s[0]}`;
  };
  switch (layer.getClassName()) {
    case "Conv2D":
      return `${c.filters} filters ${dims(c.kernelSize)}${stride(c.strides)}${c.padding === "same" ? ", same" : ""}${act}`;
    case "DepthwiseConv2D":
      return `depthwise ${dims(c.kernelSize)}${stride(c.strides)}${act}`;
    case "Dense":
      return `${c.units} units${act}`;
    case "MaxPooling2D":
    case "AveragePooling2D":
      return `${dims(c.poolSize)}${stride(c.strides)}`;
    case "Dropout":
      return `rate ${c.rate}`;
    case "Activation":
      return String(c.activation);
    case "Rescaling":
      return `×${c.scale}${c.offset ? ` + ${c.offset}` : ""}`;
    case "BatchNormalization":
      return `momentum ${c.momentum}`;
    default:
      return "";
  }
}

function multAddsOf(layer: tf.layers.Layer, output: number[]): number {
  const kernel = layer.weights.find((w) => isKernelWeight(w.originalName));
  if (!kernel) return 0;
  const kernelSize = (kernel.shape as number[]).reduce((a, b) => a * b, 1);
  const className = layer.getClassName();
  if (className === "Conv2D" || className === "DepthwiseConv2D") return output[0] * output[1] * kernelSize;
  if (className === "Dense") return kernelSize * output.slice(0, -1).reduce((a, b) => a * b, 1);
  return 0;
}

export class ModelSummary {
  readonly name: string;
  readonly info: ModelInfo | undefined;
  readonly inputShape: number[];
  readonly layers: LayerRow[];
  readonly totalParams: number;
  readonly trainableParams: number;
  readonly nonTrainableParams: number;
  /** Multiply-adds for one image through the whole network. */
  readonly multAdds: number;

  constructor(model: tf.LayersModel) {
    this.name = model.name;
    this.info = modelInfo(model);
    const input = model.inputs[0].shape as (number | null)[];
    this.inputShape = input.slice(1).map((d) => d ?? -1);
    this.layers = model.layers
      .filter((layer) => layer.getClassName() !== "InputLayer")
      .map((layer) => {
        const outputShape = outputShapeOf(layer);
        const trainableParams = layer.trainableWeights.reduce((s, w) => s + (w.shape as number[]).reduce((a, b) => a * b, 1), 0);
        const params = layer.countParams();
        return {
          name: layer.name,
          type: layer.getClassName(),
          details: detailsOf(layer),
          outputShape,
          params,
          trainableParams,
          multAdds: multAddsOf(layer, outputShape),
          frozen: params > 0 && trainableParams === 0,
        };
      });
    this.totalParams = this.layers.reduce((s, r) => s + r.params, 0);
    this.trainableParams = this.layers.reduce((s, r) => s + r.trainableParams, 0);
    this.nonTrainableParams = this.totalParams - this.trainableParams;
    this.multAdds = this.layers.reduce((s, r) => s + r.multAdds, 0);
  }

  /** Bytes the weights take as float32. */
  get weightBytes(): number {
    return this.totalParams * 4;
  }

  private heading(): string {
    const parts = [`Model "${this.name}"`];
    if (this.info) parts.push(`${this.info.architecture}, seed ${this.info.seed}`);
    return `${parts[0]}${parts.length > 1 ? ` (${parts[1]})` : ""}: input ${shapeText(this.inputShape)}`;
  }

  private totalsLine(): string {
    const mb = (this.weightBytes / 1e6).toFixed(this.weightBytes < 1e7 ? 2 : 1);
    return (
      `${formatCount(this.totalParams)} parameters (${mb} MB as float32): ${formatCount(this.trainableParams)} trainable, ` +
      `${formatCount(this.nonTrainableParams)} non-trainable. ${formatCount(this.multAdds)} multiply-adds per image.`
    );
  }

  /** True when some layer is frozen: the tables then mark each layer's state. */
  get anyFrozen(): boolean {
    return this.layers.some((r) => r.frozen);
  }

  private static stateOf(row: LayerRow): string {
    return row.params === 0 ? "" : row.frozen ? "frozen" : "trains";
  }

  /** The layer table, as text cells; a State column when some layer is frozen. */
  private table(): { header: string[]; rows: string[][]; align: ("left" | "right")[] } {
    const marks = this.anyFrozen;
    return {
      header: ["Layer", "Type", "Details", "Output shape", "Params", "Mult-adds", ...(marks ? ["State"] : [])],
      rows: this.layers.map((r) => [
        r.name,
        r.type,
        r.details,
        shapeText(r.outputShape),
        formatCount(r.params),
        r.multAdds ? formatCount(r.multAdds) : "-",
        ...(marks ? [ModelSummary.stateOf(r)] : []),
      ]),
      align: ["left", "left", "left", "left", "right", "right", "left"],
    };
  }

  toString(): string {
    const { header, rows, align } = this.table();
    const lines = [this.heading(), textTable(header, rows, { align, ruled: true }), this.totalsLine()];
    if (this.info?.inputNote) lines.push(`Input: ${this.info.inputNote}.`);
    return lines.join("\n");
  }

  [DISPLAY](): MimeBundle {
    const { header, rows } = this.table();
    const right = (text: string) => numberCell(text);
    // Columns 3 to 5 (output shape, params, mult-adds) are numbers; frozen layers are greyed.
    const cells = (r: string[]) => r.map((v, i) => (i >= 3 && i <= 5 ? right(v === "-" ? "–" : v) : v));
    const html =
      `<div style="font-family:sans-serif;font-size:13px">` +
      `<div style="font-weight:bold;padding:4px 0">${escapeHtml(this.heading())}</div>` +
      htmlTable(
        cells(header),
        rows.map((r, i) => (this.layers[i].frozen ? { cells: cells(r), style: "color:#767676" } : cells(r))),
      ) +
      `<div style="padding:4px 0">${escapeHtml(this.totalsLine())}</div>` +
      (this.info?.inputNote ? `<div style="color:#767676">Input: ${escapeHtml(this.info.inputNote)}.</div>` : "") +
      `</div>`;
    return { "text/html": html, "text/plain": this.toString() };
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

/** The layers of a model with output shapes and parameter counts, as a rich table. */
export function summary(model: tf.LayersModel): ModelSummary {
  if (!model || typeof (model as tf.LayersModel).countParams !== "function" || !Array.isArray((model as tf.LayersModel).layers)) {
    throw new Error("summary() takes a tfjs Layers model, such as one from lenet(), sequential([...]) or tf.sequential().");
  }
  return new ModelSummary(model);
}
