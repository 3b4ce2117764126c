/**
 * INT8 in TensorRT's explicit-quantization form: QuantizeLinear →
 * DequantizeLinear pairs in front of every Conv and Gemm, symmetric, signed,
 * zero-point 0; weights per output channel (scale = max|w| / 127),
 * activations per tensor with a calibrated range. TensorRT builds an INT8
 * engine from exactly these scales (trtexec --int8 uses them, no calibrator
 * runs on the device); onnxruntime runs the same graph on the CPU.
 */
import { GraphEditor, cloneModel } from "./onnx/graph-edit";
import { encodeModel, NodeProto } from "./onnx/proto";
import { floatTensor, int8Tensor, readFloats } from "./onnx/tensors";
import { CalibrationOptions, DEFAULT_CALIBRATION, chooseThreshold, collectStatistics } from "./calibration";
import { ActivationRange, OnnxModelFile } from "./quantized-model";
import { OnnxSource, onnxBytes } from "./onnx-runner";
import { LabelledSamples } from "./samples";

export interface Int8Options extends CalibrationOptions {
  /**
   * How quantized weights are stored:
   * - "float" (default): FP32 weights followed by QuantizeLinear →
   *   DequantizeLinear, the form quantization-aware-training exports produce,
   *   which every TensorRT 8.x accepts. The file stays FP32-sized; the engine
   *   stores INT8.
   * - "int8": INT8 weights followed by DequantizeLinear: a file ~4× smaller,
   *   the form current TensorRT documents for pre-quantized weights.
   */
  weightStorage?: "float" | "int8";
  /** Quantize only these Conv/Gemm nodes (by node name), to see what each layer costs. Default: all of them. */
  layers?: string[];
}

const QUANTIZED_OPS = new Set(["Conv", "Gemm"]);
const INT8_MAX = 127;

/** The nodes INT8 quantization rewrites: every Conv and Gemm (their input activation and their weights). */
export function quantizationTargets(graph: { node: NodeProto[] }): NodeProto[] {
  return graph.node.filter((n) => QUANTIZED_OPS.has(n.op_type));
}

/**
 * Quantizes an FP32 convlab export to INT8, calibrating activation ranges on
 * `calibration` (model inputs, as for verifyOnnx: a few hundred training
 * images are plenty).
 */
export async function quantizeInt8(source: OnnxSource, calibration: LabelledSamples, options: Int8Options = {}): Promise<OnnxModelFile> {
  const bytes = onnxBytes(source);
  const model = cloneModel(bytes);
  const editor = new GraphEditor(model);
  const precision = editor.metadata("convlab.precision");
  if (precision && precision !== "fp32") throw new Error(`This model is already ${precision}; quantize the FP32 export instead.`);
  const graph = model.graph;
  const all = quantizationTargets(graph);
  if (all.length === 0) throw new Error("The model has no Conv or Gemm (Dense) layers to quantize.");
  const unknown = (options.layers ?? []).filter((name) => !all.some((n) => n.name === name));
  if (unknown.length) throw new Error(`No Conv or Gemm node is named ${unknown.map((n) => `"${n}"`).join(", ")}; the nodes that can be quantized are ${all.map((n) => `"${n.name}"`).join(", ")}.`);
  const targets = options.layers ? all.filter((n) => options.layers!.includes(n.name)) : all;

  const activations = [...new Set(targets.map((n) => n.input[0]))];
  const stats = await collectStatistics(bytes, activations, calibration, options);
  const ranges: ActivationRange[] = activations.map((tensor) => {
    const s = stats.get(tensor)!;
    return { tensor, absMax: s.absMax, threshold: chooseThreshold(s, options) };
  });

  const zeroPoint = editor.addInitializer(int8Tensor(editor.uniqueName("zero_point_int8"), [], [0]));
  const inserted: NodeProto[] = [];
  // Activations: one Q/DQ pair per tensor, shared by all its quantized readers.
  const dequantizedActivation = new Map<string, string>();
  for (const range of ranges) {
    const scale = editor.addInitializer(floatTensor(editor.uniqueName(`${range.tensor}_scale`), [], [range.threshold / INT8_MAX]));
    const quantized = editor.uniqueName(`${range.tensor}_quantized`);
    const dequantized = editor.uniqueName(`${range.tensor}_dequantized`);
    inserted.push(editor.makeNode("QuantizeLinear", [range.tensor, scale, zeroPoint], [quantized], {}, `${range.tensor}_QuantizeLinear`));
    inserted.push(editor.makeNode("DequantizeLinear", [quantized, scale, zeroPoint], [dequantized], {}, `${range.tensor}_DequantizeLinear`));
    dequantizedActivation.set(range.tensor, dequantized);
  }
  // Weights: per output channel (axis 0 of Conv's OIHW and of Gemm's transposed B).
  for (const node of targets) {
    if (node.op_type === "Gemm" && !node.attribute.some((a) => a.name === "transB" && Number(a.i) === 1)) {
      throw new Error(`Gemm node ${node.name} is not in the transB = 1 form convlab writes; quantize convlab exports only.`);
    }
    node.input[0] = dequantizedActivation.get(node.input[0]) as string;
    const weightName = node.input[1];
    const weight = editor.initializer(weightName);
    if (!weight) throw new Error(`The weights of ${node.name} are not constant; cannot quantize them.`);
    const dims = weight.dims.map(Number);
    const values = readFloats(weight);
    const channels = dims[0];
    const per = values.length / channels;
    const scales = new Float32Array(channels);
    for (let c = 0; c < channels; c++) {
      let m = 0;
      for (let i = 0; i < per; i++) m = Math.max(m, Math.abs(values[c * per + i]));
      scales[c] = m > 0 ? m / INT8_MAX : 1;
    }
    const scale = editor.addInitializer(floatTensor(editor.uniqueName(`${weightName}_scale`), [channels], scales));
    const zeros = editor.addInitializer(int8Tensor(editor.uniqueName(`${weightName}_zero_point`), [channels], new Int8Array(channels)));
    const dequantized = editor.uniqueName(`${weightName}_dequantized`);
    if (options.weightStorage === "int8") {
      const q = new Int8Array(values.length);
      for (let c = 0; c < channels; c++) {
        for (let i = 0; i < per; i++) q[c * per + i] = Math.max(-INT8_MAX, Math.min(INT8_MAX, Math.round(values[c * per + i] / scales[c])));
      }
      editor.removeInitializer(weightName);
      const stored = editor.addInitializer(int8Tensor(editor.uniqueName(`${weightName}_int8`), dims, q));
      inserted.push(editor.makeNode("DequantizeLinear", [stored, scale, zeros], [dequantized], { axis: 0 }, `${weightName}_DequantizeLinear`));
    } else {
      const quantized = editor.uniqueName(`${weightName}_quantized`);
      inserted.push(editor.makeNode("QuantizeLinear", [weightName, scale, zeros], [quantized], { axis: 0 }, `${weightName}_QuantizeLinear`));
      inserted.push(editor.makeNode("DequantizeLinear", [quantized, scale, zeros], [dequantized], { axis: 0 }, `${weightName}_DequantizeLinear`));
    }
    node.input[1] = dequantized;
  }
  graph.node = topologicalOrder([...inserted, ...graph.node], graph.input.map((i) => i.name), graph.initializer.map((t) => t.name));
  editor.setMetadata("convlab.precision", "int8");
  const method = options.method ?? DEFAULT_CALIBRATION;
  editor.setMetadata("convlab.int8_calibration", JSON.stringify({ method, percentile: method === "percentile" ? options.percentile ?? 99.99 : undefined, images: calibration.x.shape[0] }));
  return new OnnxModelFile(
    encodeModel(model),
    "int8",
    ranges,
    `Q/DQ INT8 (symmetric, zero-point 0, per-channel weights stored as ${options.weightStorage ?? "float"}), activations calibrated with "${method}" on ${calibration.x.shape[0]} images.`,
  );
}

/** ONNX requires nodes in an order where every input exists before it is read. */
function topologicalOrder(nodes: NodeProto[], inputs: string[], initializers: string[]): NodeProto[] {
  const available = new Set<string>([...inputs, ...initializers, ""]);
  const remaining = nodes.slice();
  const ordered: NodeProto[] = [];
  while (remaining.length) {
    const index = remaining.findIndex((n) => n.input.every((i) => available.has(i)));
    if (index < 0) throw new Error(`Internal error: the graph has a cycle or a missing tensor near ${remaining[0].name}.`);
    const [node] = remaining.splice(index, 1);
    ordered.push(node);
    for (const o of node.output) available.add(o);
  }
  return ordered;
}
