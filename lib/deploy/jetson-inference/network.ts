/**
 * Which jetson-inference program runs an ONNX network, read from its inputs
 * and outputs:
 *
 * - imagenet: one output of class scores, [1, C] (or [1, C, 1, 1]);
 *   imageNet::init takes the class count from the output's channels.
 * - detectnet: two outputs, `scores` [1, N, C] and `boxes` [1, N, 4], the
 *   ONNX SSD layout of jetson-inference's pytorch-ssd (detectNet::init reads C
 *   and N from the confidence output, OUTPUT_CONF first, OUTPUT_BBOX second).
 * - segnet: one output of class scores per position, [1, C, H, W]
 *   (c/segNet.cpp reads C, H and W from it, lines 273-275).
 */
import { Dimension, ModelProto, ValueInfoProto } from "../onnx/proto";

export type JetsonProgram = "imagenet" | "detectnet" | "segnet";

export interface TensorDescription {
  name: string;
  /** Dimension sizes; a string for a named (free) dimension, 0 for an unknown one. */
  dims: (number | string)[];
  elemType: number;
}

export interface NetworkDescription {
  /** The program that can run it, or undefined when the outputs fit neither. */
  program: JetsonProgram | undefined;
  inputs: TensorDescription[];
  outputs: TensorDescription[];
  /** Number of classes the program will report (background included for detectnet and segnet). */
  classes: number | undefined;
  /** detectnet: the score and box outputs. */
  scoresOutput?: string;
  boxesOutput?: string;
}

function dimension(d: Dimension): number | string {
  if (d.dim_value !== undefined && Number(d.dim_value) > 0) return Number(d.dim_value);
  return d.dim_param ? d.dim_param : 0;
}

export function describeTensor(value: ValueInfoProto): TensorDescription {
  const type = value.type?.tensor_type;
  return { name: value.name, dims: (type?.shape?.dim ?? []).map(dimension), elemType: type?.elem_type ?? 0 };
}

export function describeNetwork(model: ModelProto): NetworkDescription {
  const inputs = model.graph.input.filter((i) => !model.graph.initializer.some((t) => t.name === i.name)).map(describeTensor);
  const outputs = model.graph.output.map(describeTensor);
  if (outputs.length === 1) {
    const dims = outputs[0].dims;
    const classOutput = (dims.length === 2 || (dims.length === 4 && dims[2] === 1 && dims[3] === 1)) && typeof dims[1] === "number";
    if (classOutput) return { program: "imagenet", inputs, outputs, classes: dims[1] as number };
    const classMap = dims.length === 4 && typeof dims[1] === "number" && ((dims[2] as number) > 1 || (dims[3] as number) > 1);
    if (classMap) return { program: "segnet", inputs, outputs, classes: dims[1] as number };
  }
  if (outputs.length === 2) {
    const boxes = outputs.find((o) => o.dims.length === 3 && o.dims[2] === 4);
    const scores = outputs.find((o) => o !== boxes && o.dims.length === 3);
    if (boxes && scores && typeof scores.dims[2] === "number") {
      return { program: "detectnet", inputs, outputs, classes: scores.dims[2], scoresOutput: scores.name, boxesOutput: boxes.name };
    }
  }
  return { program: undefined, inputs, outputs, classes: undefined };
}

export function formatDims(dims: (number | string)[]): string {
  return `[${dims.map((d) => (d === 0 ? "?" : String(d))).join(", ")}]`;
}
