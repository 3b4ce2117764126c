/**
 * exportOnnx: a trained tfjs Layers model → an ONNX file that onnxruntime,
 * TensorRT and jetson-inference load. Written here in TypeScript: no
 * JavaScript converter for Layers models exists, and the Python ones need a
 * round trip through TensorFlow.
 *
 * The file has one float32 NCHW input `input_0` ([1, C, H, W], or
 * [batch, C, H, W] with `dynamicBatch`) and one output `output_0` of softmax
 * probabilities, as jetson-inference expects.
 */
import { writeFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type * as tf from "@tensorflow/tfjs";
import { DISPLAY, MimeBundle } from "../display";
import {
  DevicePreprocessing,
  InputContract,
  InputNormalization,
  bakeInputTransform,
  describeInputContract,
  resolveNormalization,
} from "./input-transform";
import { SUPPORTED_LAYERS, materialize } from "./layer-converters";
import { convertLayers, producerVersion, renameOutput } from "./convert-model";
import { Segmenter, SingleShotDetector } from "../detect";
import type { ContractExport } from "./contract-export";
import { toDetectorOnnx, toSegmenterOnnx, type ContractExportOptions } from "./export-contracts";
import { OnnxGraphBuilder, makeModel, tensorValueInfo } from "./onnx/graph-builder";
import { DataType, ModelProto, encodeModel } from "./onnx/proto";
import { escapeHtml, htmlTable } from "../display/html";

export { SUPPORTED_LAYERS };

export interface ExportOnnxOptions {
  /** ONNX opset, 13 to 21. Default 13: TensorRT 8.2 and later (JetPack 4.6 to 6) accept it. */
  opset?: number;
  /** A symbolic batch dimension instead of batch 1. Default false (jetson-inference wants a fixed batch). */
  dynamicBatch?: boolean;
  /** Graph input name. Default "input_0" (pass it to imagenet as --input_blob). */
  inputName?: string;
  /** Graph output name. Default "output_0" (pass it to imagenet as --output_blob). */
  outputName?: string;
  /**
   * How training normalized 0–255 pixels. When given, the graph takes 0–255
   * pixels (or the `device`'s tensor) and applies this itself. Default: none,
   * the graph takes exactly what the model took.
   */
  normalization?: InputNormalization;
  /**
   * What the runtime feeds the graph, e.g. JETSON_INFERENCE_PREPROCESSING.
   * The graph inverts it before applying `normalization`. Default: none.
   */
  device?: DevicePreprocessing;
  /** Fold BatchNormalization into the preceding Conv/Dense where possible. Default true. */
  foldBatchNorm?: boolean;
  /**
   * "auto" (default) appends a Softmax when the model ends in logits, so the
   * output is probabilities; "never" keeps the model's output as it is.
   */
  outputSoftmax?: "auto" | "never";
  /** Class names, stored in the file's metadata. */
  labels?: string[];
}

/** An exported model in memory. */
export class OnnxExport {
  constructor(
    /** The .onnx file's bytes. */
    readonly bytes: Uint8Array,
    readonly model: ModelProto,
    readonly inputName: string,
    readonly outputName: string,
    /** [batch, C, H, W]; batch is 1 or "batch". */
    readonly inputShape: (number | string)[],
    readonly outputShape: (number | string)[],
    readonly contract: InputContract,
    /** True when a Softmax was added because the model ends in logits. */
    readonly appendedSoftmax: boolean,
    /** Keras layer → ONNX operators written for it. */
    readonly layers: { name: string; className: string; ops: string[] }[],
    /** Where the file was written (exportOnnx only). */
    readonly path?: string,
  ) {}

  get sizeBytes(): number {
    return this.bytes.length;
  }

  /** Plain-language description of the input the graph expects. */
  get inputDescription(): string {
    return describeInputContract(this.contract);
  }

  [DISPLAY](): MimeBundle {
    const title = `ONNX export${this.path ? ` → ${this.path}` : ""}: ${(this.sizeBytes / 1024).toFixed(1)} KiB, opset ${this.model.opset_import[0].version}`;
    const io = `${this.inputName} [${this.inputShape.join(", ")}] float32 → ${this.outputName} [${this.outputShape.join(", ")}] ${this.appendedSoftmax ? "(softmax added)" : "probabilities"}`;
    const rows = this.layers.map((l) => [l.name, l.className, l.ops.join(", ") || "(folded or dropped)"]);
    return {
      "text/plain": `${title}\n${io}\n${this.inputDescription}\n` + rows.map((r) => `  ${r[0]} (${r[1]}): ${r[2]}`).join("\n"),
      "text/html": `<p><b>${escapeHtml(title)}</b><br>${escapeHtml(io)}<br>${escapeHtml(this.inputDescription)}</p>` + htmlTable(["Keras layer", "class", "ONNX operators"], rows),
    };
  }
}

const DEFAULT_OPSET = 13;

/** Converts `model` to ONNX in memory. */
export function toOnnx(model: tf.LayersModel, options: ExportOnnxOptions = {}): OnnxExport {
  const opset = options.opset ?? DEFAULT_OPSET;
  if (!Number.isInteger(opset) || opset < 13 || opset > 21) {
    throw new Error(`opset must be an integer from 13 to 21 (got ${opset}); 13 is what TensorRT 8.2+ and jetson-inference accept.`);
  }
  const inputName = options.inputName ?? "input_0";
  const outputName = options.outputName ?? "output_0";
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new Error(`exportOnnx writes models with one input and one output; this model has ${model.inputs.length} input(s) and ${model.outputs.length} output(s).`);
  }
  const inputShape = model.inputs[0].shape;
  if (inputShape.length !== 4 || inputShape.slice(1).some((d) => d === null)) {
    throw new Error(`exportOnnx needs an image input of fixed size [batch, height, width, channels]; this model's input is [${inputShape.map(String).join(", ")}].`);
  }
  const [, height, width, modelChannels] = inputShape as number[];
  const normalization = options.normalization ? resolveNormalization(options.normalization, height, width, modelChannels) : undefined;
  const device = options.device;
  if (device && (device.mean.length !== device.channels || device.std.length !== device.channels)) {
    throw new Error(`device preprocessing "${device.name ?? ""}" needs ${device.channels} mean and std values, one per channel.`);
  }
  const contract: InputContract = { height, width, modelChannels, inputChannels: device ? device.channels : modelChannels, normalization, device };

  const builder = new OnnxGraphBuilder([inputName, outputName]);
  const batch: number | string = options.dynamicBatch ? "batch" : 1;
  const graphInputShape = [batch, contract.inputChannels, height, width];
  const transformed = bakeInputTransform(builder, inputName, contract);
  const layerOps: { name: string; className: string; ops: string[] }[] = [];
  if (builder.nodes.length) layerOps.push({ name: "(input)", className: "preprocessing", ops: builder.nodes.map((n) => n.op_type) });

  const converted = convertLayers(model, builder, { name: transformed, shape: [null, modelChannels, height, width] }, options.foldBatchNorm ?? true);
  layerOps.push(...converted.layers);

  let output = converted.output;
  if (output.shape.length !== 2) {
    throw new Error(`exportOnnx writes classifiers: the model's output must be [batch, classes], but it has rank ${output.shape.length}.`);
  }
  const before = builder.nodes.length;
  output = materialize(builder, output, "output");
  let appendedSoftmax = false;
  if (!output.isSoftmax && (options.outputSoftmax ?? "auto") === "auto") {
    output = { name: builder.add1("Softmax", [output.name], { name: "output_softmax", attributes: { axis: 1 } }), shape: output.shape, isSoftmax: true };
    appendedSoftmax = true;
  }
  renameOutput(builder, output.name, outputName);
  if (builder.nodes.length > before) layerOps.push({ name: "(output)", className: "postprocessing", ops: builder.nodes.slice(before).map((n) => n.op_type) });
  const classes = output.shape[1] as number;
  if (options.labels && options.labels.length !== classes) {
    throw new Error(`labels has ${options.labels.length} names but the model outputs ${classes} classes; give one label per output, in class order.`);
  }

  const outputShape = [batch, classes];
  const graph = builder.graph(
    model.name || "convlab_model",
    [tensorValueInfo(inputName, DataType.FLOAT, graphInputShape)],
    [tensorValueInfo(outputName, DataType.FLOAT, outputShape)],
    describeInputContract(contract),
  );
  const metadata: Record<string, string> = {
    "convlab.input_contract": JSON.stringify(contract),
    "convlab.appended_softmax": String(appendedSoftmax),
  };
  if (options.labels) metadata["convlab.labels"] = JSON.stringify(options.labels);
  const onnxModel = makeModel(graph, { opset, producerVersion: producerVersion(), metadata, docString: `Exported by convlab from tfjs model "${model.name}".` });
  return new OnnxExport(encodeModel(onnxModel), onnxModel, inputName, outputName, graphInputShape, outputShape, contract, appendedSoftmax, layerOps);
}

/**
 * Converts `model` to ONNX and writes it to `path` (folders are created). A
 * classifier gets imagenet's contract; a SingleShotDetector detectnet's and
 * a Segmenter segnet's (export-contracts.ts).
 */
export function exportOnnx(model: SingleShotDetector | Segmenter, path: string, options?: ContractExportOptions): ContractExport;
export function exportOnnx(model: tf.LayersModel, path: string, options?: ExportOnnxOptions): OnnxExport;
export function exportOnnx(model: tf.LayersModel | SingleShotDetector | Segmenter, path: string, options: ExportOnnxOptions | ContractExportOptions = {}): OnnxExport | ContractExport {
  if (model instanceof SingleShotDetector) return toDetectorOnnx(model, options as ContractExportOptions).writeTo(path);
  if (model instanceof Segmenter) return toSegmenterOnnx(model, options as ContractExportOptions).writeTo(path);
  const result = toOnnx(model, options as ExportOnnxOptions);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, result.bytes);
  return new OnnxExport(
    result.bytes,
    result.model,
    result.inputName,
    result.outputName,
    result.inputShape,
    result.outputShape,
    result.contract,
    result.appendedSoftmax,
    result.layers,
    path,
  );
}

