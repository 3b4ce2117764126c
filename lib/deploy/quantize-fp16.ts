/**
 * FP16: every weight and every computation in half precision, as TensorRT
 * runs with --fp16 on a Jetson. Halves the file; the accuracy cost is usually
 * nil for classifiers.
 */
import { GraphEditor, cloneModel } from "./onnx/graph-edit";
import { DataType, encodeModel } from "./onnx/proto";
import { float16Tensor, readFloats } from "./onnx/tensors";
import { OnnxModelFile } from "./quantized-model";
import { OnnxSource, onnxBytes } from "./onnx-runner";

export interface Fp16Options {
  /**
   * Keep the graph's input and output float32 (Cast nodes inside the graph),
   * so callers such as jetson-inference, which feed float32, need no change.
   * Default true. False makes input and output float16 too.
   */
  keepIoFloat32?: boolean;
}

export function quantizeFp16(source: OnnxSource, options: Fp16Options = {}): OnnxModelFile {
  const keepIo = options.keepIoFloat32 ?? true;
  const model = cloneModel(onnxBytes(source));
  const editor = new GraphEditor(model);
  const graph = model.graph;
  if (editor.metadata("convlab.precision") && editor.metadata("convlab.precision") !== "fp32") {
    throw new Error(`This model is already ${editor.metadata("convlab.precision")}; convert the FP32 export instead.`);
  }

  graph.initializer = graph.initializer.map((t) => (t.data_type === DataType.FLOAT ? float16Tensor(t.name, t.dims.map(Number), readFloats(t)) : t));

  const input = graph.input[0];
  const output = graph.output[0];
  if (keepIo) {
    const halfInput = editor.uniqueName(`${input.name}_fp16`);
    editor.replaceUses(input.name, halfInput);
    graph.node.unshift(editor.makeNode("Cast", [input.name], [halfInput], { to: DataType.FLOAT16 }, "input_to_fp16"));
    const halfOutput = editor.uniqueName(`${output.name}_fp16`);
    const producer = editor.producer(output.name);
    if (!producer) throw new Error(`Internal error: no node produces ${output.name}.`);
    producer.output = producer.output.map((o) => (o === output.name ? halfOutput : o));
    editor.replaceUses(output.name, halfOutput);
    graph.node.push(editor.makeNode("Cast", [halfOutput], [output.name], { to: DataType.FLOAT }, "output_to_fp32"));
  } else {
    input.type.tensor_type.elem_type = DataType.FLOAT16;
    output.type.tensor_type.elem_type = DataType.FLOAT16;
  }
  editor.setMetadata("convlab.precision", "fp16");
  return new OnnxModelFile(
    encodeModel(model),
    "fp16",
    [],
    keepIo ? "Weights and arithmetic in FP16; input and output FP32." : "Weights, arithmetic, input and output in FP16.",
  );
}
