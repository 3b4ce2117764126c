/**
 * Memory reuse, computed: every intermediate tensor of one inference (batch
 * 1), its size, and when it is first written and last read. Giving every
 * tensor its own buffer costs the sum of their sizes; an engine that hands a
 * buffer to the next tensor as soon as the last reader is done (TensorRT's
 * builder plans this ahead, onnxruntime's memory pattern and arena do it at
 * run time) needs only the largest set of tensors alive at the same time.
 */
import * as ort from "onnxruntime-node";
import { DISPLAY, MimeBundle } from "../display";
import { escapeHtml, htmlTable, textTable } from "../display/html";
import { OnnxSource, onnxBytes } from "./onnx-runner";
import { tensorValueInfo } from "./onnx/graph-builder";
import { DataType, decodeModel, encodeModel } from "./onnx/proto";
import { storedBytes } from "./onnx/tensors";

export interface TensorLife {
  tensor: string;
  /** The node that writes it. */
  producer: string;
  bytes: number;
  /** Index of the writing node, and of the last node that reads it (the end of the graph for outputs). */
  born: number;
  dies: number;
}

export class MemoryPlan {
  constructor(
    readonly tensors: TensorLife[],
    /** Bytes of the weights (initializers). */
    readonly weightBytes: number,
    readonly inputBytes: number,
    readonly steps: string[],
  ) {}

  /** Every intermediate tensor in its own buffer. */
  get withoutReuse(): number {
    return this.tensors.reduce((s, t) => s + t.bytes, 0);
  }

  /** The most bytes alive at once, while a node runs (its inputs and outputs both held). */
  get withReuse(): number {
    let peak = 0;
    for (let step = 0; step < this.steps.length; step++) {
      const alive = this.tensors.filter((t) => t.born <= step && t.dies >= step).reduce((s, t) => s + t.bytes, 0);
      peak = Math.max(peak, alive);
    }
    return peak;
  }

  /** The node during which the most memory is alive. */
  get peakStep(): string {
    let best = 0;
    let at = 0;
    for (let step = 0; step < this.steps.length; step++) {
      const alive = this.tensors.filter((t) => t.born <= step && t.dies >= step).reduce((s, t) => s + t.bytes, 0);
      if (alive > best) [best, at] = [alive, step];
    }
    return this.steps[at];
  }

  private rows(): (string | number)[][] {
    return this.tensors.map((t) => [t.tensor, t.producer, (t.bytes / 1024).toFixed(1), `${t.born} → ${t.dies}`]);
  }

  [DISPLAY](): MimeBundle {
    const kib = (b: number) => `${(b / 1024).toFixed(1)} KiB`;
    const verdict =
      `Activations of one image: ${kib(this.withoutReuse)} if every tensor keeps its own buffer, ${kib(this.withReuse)} with buffers reused ` +
      `(${(this.withoutReuse / this.withReuse).toFixed(1)}× less; the peak is at ${this.peakStep}). Weights: ${kib(this.weightBytes)}.`;
    const header = ["tensor", "written by", "KiB", "alive (steps)"];
    return { "text/plain": `${verdict}\n${textTable(header, this.rows())}`, "text/html": `<p><b>${escapeHtml(verdict)}</b></p>${htmlTable(header, this.rows())}` };
  }
}

/** Measures every intermediate tensor of `source` on one input of batch 1. */
export async function planMemory(source: OnnxSource): Promise<MemoryPlan> {
  const bytes = onnxBytes(source);
  const model = decodeModel(bytes);
  const graph = model.graph;
  const input = graph.input[0];
  const dims = (input.type.tensor_type.shape?.dim ?? []).map((d, i) => (i === 0 ? 1 : Number(d.dim_value)));
  if (dims.slice(1).some((d) => !(d > 0))) throw new Error("planMemory needs an input of fixed size besides the batch.");
  const intermediates = graph.node.flatMap((n) => n.output).filter((o) => o !== "");
  // Every tensor an output, batch 1, so one run reports all their sizes.
  const dim0 = input.type.tensor_type.shape!.dim[0];
  delete dim0.dim_param;
  dim0.dim_value = 1;
  graph.output = intermediates.map((t) => tensorValueInfo(t, DataType.FLOAT, undefined));
  const session = await ort.InferenceSession.create(encodeModel(model), { graphOptimizationLevel: "disabled" });
  let results: ort.InferenceSession.OnnxValueMapType;
  try {
    const size = dims.reduce((a, b) => a * b, 1);
    results = await session.run({ [input.name]: new ort.Tensor(input.type.tensor_type.elem_type === DataType.FLOAT16 ? "float16" : "float32", input.type.tensor_type.elem_type === DataType.FLOAT16 ? new Uint16Array(size) : new Float32Array(size), dims) });
  } finally {
    await session.release();
  }
  const original = decodeModel(bytes).graph;
  const outputs = new Set(original.output.map((o) => o.name));
  const steps = original.node.map((n) => `${n.op_type} ${n.name}`);
  const tensors = original.node.flatMap((node, born) =>
    node.output
      .filter((o) => o !== "")
      .map((tensor): TensorLife => {
        const readers = original.node.map((n, i) => (n.input.includes(tensor) ? i : -1)).filter((i) => i >= 0);
        const dies = outputs.has(tensor) ? original.node.length - 1 : Math.max(born, ...readers);
        const value = results[tensor] as ort.Tensor;
        return { tensor, producer: `${node.op_type} ${node.name}`, bytes: (value.data as ArrayBufferView).byteLength, born, dies };
      }),
  );
  const weightBytes = original.initializer.reduce((s, t) => s + storedBytes(t), 0);
  return new MemoryPlan(tensors, weightBytes, dims.reduce((a, b) => a * b, 4), steps);
}
