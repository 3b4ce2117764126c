/**
 * ONNX exports of detectors and segmenters in the form jetson-inference
 * reads (see jetson-inference/{preprocess,detectnet,segnet}.ts for the sources):
 *
 * - a single-shot detector → input `input_0` [1, 3, H, W] as detectnet
 *   prepares it; outputs `scores` [1, N, C] (softmax, class 0 = background)
 *   and `boxes` [1, N, 4] (x1, y1, x2, y2 normalised to 0–1), pytorch-ssd's
 *   form: the anchors' decoding is part of the graph;
 * - a segmenter → input `input_0` [1, 3, H, W] as segnet prepares it; output
 *   `output_0` [1, C, H', W'] of class scores.
 *
 * Both graphs begin by undoing the device's normalization and applying the
 * training one (and, for one-channel models, mixing RGB to gray), so the
 * network sees what it saw in training.
 */
import type { Normalization } from "../data";
import type { Segmenter, SingleShotDetector } from "../detect";
import { ContractExport } from "./contract-export";
import { DETECTNET_BLOBS } from "./jetson-inference/detectnet";
import { DETECTNET_PREPROCESSING, SEGNET_PREPROCESSING } from "./jetson-inference/preprocess";
import { SEGNET_BLOBS } from "./jetson-inference/segnet";
import { convertLayers, producerVersion, renameOutput } from "./convert-model";
import { bakeInputTransform, describeInputContract, resolveNormalization, type DevicePreprocessing, type InputContract, type InputNormalization } from "./input-transform";
import { materialize, type OnnxValue } from "./layer-converters";
import { OnnxGraphBuilder, makeModel, tensorValueInfo } from "./onnx/graph-builder";
import { DataType, encodeModel } from "./onnx/proto";

export interface ContractExportOptions {
  /** ONNX opset, 13 to 21. Default 13 (TensorRT 8.2+). */
  opset?: number;
  /** What the device feeds the graph. Default: detectnet's or segnet's preprocessing. */
  device?: DevicePreprocessing;
}

/** lib/data's Normalization as the input transform takes it. */
export function inputNormalization(n: Normalization): InputNormalization {
  return { scale: n.scale, mean: n.mean ?? 0, std: n.std ?? 1 };
}

function checkOpset(opset: number): number {
  if (!Number.isInteger(opset) || opset < 13 || opset > 21) throw new Error(`opset must be an integer from 13 to 21 (got ${opset}); 13 is what TensorRT 8.2+ and jetson-inference accept.`);
  return opset;
}

/** The input transform and the converted network, shared by both contracts. */
function graphBody(
  model: Segmenter["model"],
  inputShape: [number, number, number],
  normalization: Normalization,
  device: DevicePreprocessing,
  reserved: string[],
): { builder: OnnxGraphBuilder; contract: InputContract; output: OnnxValue; layers: ContractExport["layers"] } {
  const [height, width, modelChannels] = inputShape;
  const contract: InputContract = {
    height,
    width,
    modelChannels,
    inputChannels: device.channels,
    normalization: resolveNormalization(inputNormalization(normalization), height, width, modelChannels),
    device,
  };
  const builder = new OnnxGraphBuilder(reserved);
  const transformed = bakeInputTransform(builder, reserved[0], contract);
  const layers: ContractExport["layers"] = builder.nodes.length ? [{ name: "(input)", className: "preprocessing", ops: builder.nodes.map((n) => n.op_type) }] : [];
  const converted = convertLayers(model, builder, { name: transformed, shape: [null, modelChannels, height, width] }, true);
  layers.push(...converted.layers);
  return { builder, contract, output: materialize(builder, converted.output, "head"), layers };
}

function finish(
  kind: ContractExport["kind"],
  builder: OnnxGraphBuilder,
  name: string,
  inputShape: number[],
  outputs: ContractExport["outputs"],
  contract: InputContract,
  labels: string[],
  layers: ContractExport["layers"],
  opset: number,
  extra: Record<string, string>,
): ContractExport {
  const graph = builder.graph(
    name,
    [tensorValueInfo(DETECTNET_BLOBS.input, DataType.FLOAT, inputShape)],
    outputs.map((o) => tensorValueInfo(o.name, DataType.FLOAT, o.shape)),
    describeInputContract(contract),
  );
  const metadata = { "convlab.input_contract": JSON.stringify(contract), "convlab.contract": kind, "convlab.labels": JSON.stringify(labels), ...extra };
  const model = makeModel(graph, { opset, producerVersion: producerVersion(), metadata, docString: `Exported by convlab: a ${kind} for jetson-inference.` });
  return new ContractExport(kind, encodeModel(model), model, DETECTNET_BLOBS.input, inputShape, outputs, contract, labels, layers);
}

/** The detector as ONNX in detectnet's SSD form (see the file's comment). */
export function toDetectorOnnx(detector: SingleShotDetector, options: ContractExportOptions = {}): ContractExport {
  const opset = checkOpset(options.opset ?? 13);
  const { config, anchors } = detector;
  const device = options.device ?? DETECTNET_PREPROCESSING;
  const { builder, contract, output, layers } = graphBody(detector.model, config.inputShape, config.normalization, device, [
    DETECTNET_BLOBS.input,
    DETECTNET_BLOBS.scores,
    DETECTNET_BLOBS.boxes,
  ]);
  const before = builder.nodes.length;
  const n = anchors.length;
  const c = config.classNames.length + 1;
  const [cv, sv] = config.variances;
  // NCHW [1, A(C + 4), rows, columns] → [1, rows, columns, A(C + 4)] → one row per anchor, in SingleShotDetector's order.
  const nhwc = builder.add1("Transpose", [output.name], { name: "head_to_nhwc", attributes: { perm: [0, 2, 3, 1] } });
  const rows = builder.add1("Reshape", [nhwc, builder.int64Constant("anchor_rows_shape", [3], [1, n, c + 4])], { name: "anchor_rows" });
  const slice = (data: string, from: number, to: number, name: string) =>
    builder.add1("Slice", [data, builder.int64Constant(`${name}_starts`, [1], [from]), builder.int64Constant(`${name}_ends`, [1], [to]), builder.int64Constant(`${name}_axes`, [1], [2])], { name });
  builder.add("Softmax", [slice(rows, 0, c, "class_scores")], { name: "scores_softmax", attributes: { axis: 2 }, outputs: [DETECTNET_BLOBS.scores] });
  const offsets = slice(rows, c, c + 4, "box_offsets");
  const anchorConstant = (name: string, pick: (i: number) => [number, number]) =>
    builder.floatConstant(name, [1, n, 2], anchors.flatMap((_, i) => pick(i)));
  // As pytorch-ssd's convert_locations_to_boxes: centre = t · variance · anchor size + anchor centre; size = exp(t · variance) · anchor size.
  const centre = builder.add1("Add", [
    builder.add1("Mul", [slice(offsets, 0, 2, "centre_offsets"), anchorConstant("anchor_size_times_variance", (i) => [cv * anchors[i].w, cv * anchors[i].h])], { name: "centre_shift" }),
    anchorConstant("anchor_centre", (i) => [anchors[i].cx, anchors[i].cy]),
  ], { name: "box_centre" });
  const size = builder.add1("Mul", [
    builder.add1("Exp", [builder.add1("Mul", [slice(offsets, 2, 4, "size_offsets"), builder.floatConstant("size_variance", [1], [sv])], { name: "size_log" })], { name: "size_scale" }),
    anchorConstant("anchor_size", (i) => [anchors[i].w, anchors[i].h]),
  ], { name: "box_size" });
  const half = builder.add1("Mul", [size, builder.floatConstant("half", [1], [0.5])], { name: "box_half_size" });
  builder.add("Concat", [builder.add1("Sub", [centre, half], { name: "box_min" }), builder.add1("Add", [centre, half], { name: "box_max" })], {
    name: "boxes_corners",
    attributes: { axis: 2 },
    outputs: [DETECTNET_BLOBS.boxes],
  });
  layers.push({ name: "(output)", className: "SSD decoding", ops: builder.nodes.slice(before).map((node) => node.op_type) });
  const [height, width] = config.inputShape;
  const labels = ["BACKGROUND", ...config.classNames];
  return finish(
    "detector",
    builder,
    detector.model.name || "convlab_detector",
    [1, device.channels, height, width],
    [
      { name: DETECTNET_BLOBS.scores, shape: [1, n, c], meaning: "softmax class probabilities per box, class 0 = BACKGROUND" },
      { name: DETECTNET_BLOBS.boxes, shape: [1, n, 4], meaning: "x1, y1, x2, y2 per box, normalised to 0–1" },
    ],
    contract,
    labels,
    layers,
    opset,
    { "convlab.anchors": JSON.stringify(anchors.length) },
  );
}

/** The segmenter as ONNX in segnet's form (see the file's comment). */
export function toSegmenterOnnx(model: Segmenter, options: ContractExportOptions = {}): ContractExport {
  const opset = checkOpset(options.opset ?? 13);
  const device = options.device ?? SEGNET_PREPROCESSING;
  const { builder, contract, output, layers } = graphBody(model.model, model.config.inputShape, model.config.normalization, device, [SEGNET_BLOBS.input, SEGNET_BLOBS.output]);
  renameOutput(builder, output.name, SEGNET_BLOBS.output);
  const [classes, rows, columns] = output.shape.slice(1) as number[];
  const [height, width] = model.config.inputShape;
  return finish(
    "segmenter",
    builder,
    model.model.name || "convlab_segmenter",
    [1, device.channels, height, width],
    [{ name: SEGNET_BLOBS.output, shape: [1, classes, rows, columns], meaning: "class scores per cell (the class of a pixel is the highest), class 0 = background" }],
    contract,
    ["background", ...model.classNames],
    layers,
    opset,
    {},
  );
}
