/**
 * The part of every ONNX export that is the same for classifiers, detectors
 * and segmenters: each Keras layer of the model written as ONNX nodes, in
 * order, plus small helpers for naming the graph's outputs.
 */
import type * as tf from "@tensorflow/tfjs";
import { ConversionContext, OnnxValue, converterFor } from "./layer-converters";
import type { OnnxGraphBuilder } from "./onnx/graph-builder";

/**
 * Writes every layer of `model` into `builder`, reading the graph value
 * `input` (the model's input in NCHW, after any input transform). Shared by
 * the classifier, detector and segmenter contracts.
 */
export function convertLayers(
  model: tf.LayersModel,
  builder: OnnxGraphBuilder,
  input: OnnxValue,
  foldBatchNorm: boolean,
): { output: OnnxValue; layers: { name: string; className: string; ops: string[] }[] } {
  const layerOps: { name: string; className: string; ops: string[] }[] = [];
  const values = new Map<string, OnnxValue>();
  values.set(model.inputs[0].sourceLayer.name, input);

  const consumers = countConsumers(model);
  for (const layer of model.layers) {
    const className = layer.getClassName();
    if (className === "InputLayer") continue;
    if (className === "Sequential" || className === "Model" || className === "Functional") {
      throw new Error(`Layer "${layer.name}" is a whole model nested inside this one; exportOnnx needs a flat model. Rebuild it from the inner model's layers.`);
    }
    const convert = converterFor(className, layer.name);
    const inbound = inboundLayerNames(layer);
    const inputs = inbound.map((name) => {
      const value = values.get(name);
      if (!value) throw new Error(`Internal error: layer "${layer.name}" reads "${name}", which has not been converted yet.`);
      return value;
    });
    const before = builder.nodes.length;
    const ctx: ConversionContext = {
      builder,
      layer,
      config: layer.getConfig() as Record<string, unknown>,
      inputs,
      inputConsumers: inbound.map((name) => consumers.get(name) ?? 0),
      foldBatchNorm,
    };
    values.set(layer.name, convert(ctx));
    layerOps.push({ name: layer.name, className, ops: builder.nodes.slice(before).map((n) => n.op_type) });
  }

  const output = values.get(model.outputs[0].sourceLayer.name);
  if (!output) throw new Error("Internal error: the model's output was not converted.");
  return { output, layers: layerOps };
}

function inboundLayerNames(layer: tf.layers.Layer): string[] {
  const nodes = layer.inboundNodes;
  if (nodes.length !== 1) {
    throw new Error(`Layer "${layer.name}" is used ${nodes.length} times (a shared layer); exportOnnx supports layers used once.`);
  }
  return nodes[0].inboundLayers.map((l) => l.name);
}

function countConsumers(model: tf.LayersModel): Map<string, number> {
  const counts = new Map<string, number>();
  const bump = (name: string) => counts.set(name, (counts.get(name) ?? 0) + 1);
  for (const layer of model.layers) {
    if (layer.getClassName() === "InputLayer") continue;
    for (const node of layer.inboundNodes) for (const l of node.inboundLayers) bump(l.name);
  }
  for (const output of model.outputs) bump(output.sourceLayer.name);
  return counts;
}

export function renameOutput(builder: OnnxGraphBuilder, from: string, to: string): void {
  const producer = builder.nodes.find((n) => n.output.includes(from));
  if (!producer) {
    builder.add("Identity", [from], { name: "output_identity", outputs: [to] });
    return;
  }
  producer.output = producer.output.map((o) => (o === from ? to : o));
  for (const node of builder.nodes) node.input = node.input.map((i) => (i === from ? to : i));
}

export function producerVersion(): string {
  try {
    return String(require("../../../package.json").version);
  } catch {
    return "0";
  }
}
