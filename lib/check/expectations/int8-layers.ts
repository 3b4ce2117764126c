/**
 * A mixed-precision model: INT8 everywhere except the layer whose
 * quantization alone hurts most, as quantizationErrorByLayer measured it.
 * The quantized layers are read from the model file itself (a Conv or Gemm
 * whose weights come through a DequantizeLinear).
 */
import type { Expectation } from "../exercise";
import { AnswerProblem, readInstance, readKind } from "../answers";
import { LayerErrors, OnnxModelFile } from "../../deploy";
import { decodeModel } from "../../deploy/onnx/proto";

export interface AllButWorstLayerOptions {
  /** The per-layer measurement (a LayerErrors answer). */
  errors: string;
}

/** Names of the Conv/Gemm nodes of an ONNX file whose weights are quantized. */
export function quantizedLayers(bytes: Uint8Array): { quantized: string[]; all: string[] } {
  const graph = decodeModel(bytes).graph;
  const producers = new Map(graph.node.flatMap((n) => n.output.map((o) => [o, n] as const)));
  const layers = graph.node.filter((n) => n.op_type === "Conv" || n.op_type === "Gemm");
  return { all: layers.map((n) => n.name), quantized: layers.filter((n) => producers.get(n.input[1])?.op_type === "DequantizeLinear").map((n) => n.name) };
}

export function allButWorstLayerInt8(name: string, options: AllButWorstLayerOptions): Expectation {
  return {
    describe: `\`${name}\`: every layer INT8 except the one that hurts most`,
    evaluate(answers) {
      const errors = readInstance(answers, options.errors, LayerErrors, "what quantizationErrorByLayer returns");
      if (errors instanceof AnswerProblem) return errors.finding;
      const isInt8 = (value: unknown): value is OnnxModelFile => value instanceof OnnxModelFile && value.precision === "int8";
      const model = readKind(answers, name, isInt8, "what quantizeInt8 returns");
      if (model instanceof AnswerProblem) return model.finding;
      const { quantized, all } = quantizedLayers(model.bytes);
      const worst = errors.worst.layer;
      const others = all.filter((layer) => layer !== worst);
      if (quantized.includes(worst)) {
        return { passed: false, message: `Not yet: \`${name}\` quantizes ${quantized.length} of the ${all.length} layers, the one that hurts most among them. Read the table above: which layer moves the probabilities most on its own? Leave it out with the option \`layers\`.` };
      }
      const missing = others.filter((layer) => !quantized.includes(layer));
      if (missing.length) {
        return { passed: false, message: `Not yet: the layer that hurts most stays in full precision, but so ${missing.length === 1 ? "does 1 other layer" : `do ${missing.length} other layers`}. The exercise quantizes every other layer: list them all in \`layers\`.` };
      }
      return { passed: true, message: `${quantized.length} of ${all.length} layers INT8; ${worst} stays in full precision, as TensorRT keeps a layer in FP16 when INT8 costs it too much.` };
    },
  };
}
