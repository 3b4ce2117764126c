/**
 * A small helper for writing ONNX graphs: unique names, initializers, nodes
 * with typed attributes, and the final ModelProto.
 */
import {
  AttributeProto,
  AttributeType,
  DataType,
  Dimension,
  GraphProto,
  ModelProto,
  NodeProto,
  TensorProto,
  ValueInfoProto,
} from "./proto";
import { floatTensor, int64Tensor } from "./tensors";

export type AttributeValue = number | string | number[] | { float: number } | { floats: number[] } | TensorProto;

export interface NodeOptions {
  /** Attributes; integers become INT/INTS, use { float } / { floats } for floats. */
  attributes?: Record<string, AttributeValue | undefined>;
  /** Base for the node's name and its output names. */
  name?: string;
  /** Names for the outputs instead of generated ones. */
  outputs?: string[];
  /** Number of outputs when names are generated (default 1). */
  outputCount?: number;
}

export class OnnxGraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  private readonly usedNames = new Set<string>();

  constructor(reserved: string[] = []) {
    for (const name of reserved) this.usedNames.add(name);
  }

  /** A name not used yet in this graph, derived from `base`. */
  uniqueName(base: string): string {
    const clean = base.replace(/[^A-Za-z0-9_./:-]/g, "_") || "t";
    if (!this.usedNames.has(clean)) {
      this.usedNames.add(clean);
      return clean;
    }
    for (let i = 1; ; i++) {
      const candidate = `${clean}_${i}`;
      if (!this.usedNames.has(candidate)) {
        this.usedNames.add(candidate);
        return candidate;
      }
    }
  }

  reserve(name: string): void {
    this.usedNames.add(name);
  }

  addInitializer(tensor: TensorProto): string {
    this.initializers.push(tensor);
    return tensor.name;
  }

  floatConstant(base: string, dims: number[], values: ArrayLike<number>): string {
    return this.addInitializer(floatTensor(this.uniqueName(base), dims, values));
  }

  int64Constant(base: string, dims: number[], values: ArrayLike<number>): string {
    return this.addInitializer(int64Tensor(this.uniqueName(base), dims, values));
  }

  initializer(name: string): TensorProto | undefined {
    return this.initializers.find((t) => t.name === name);
  }

  /** Adds a node; returns its output names. */
  add(opType: string, inputs: string[], options: NodeOptions = {}): string[] {
    const base = options.name ?? opType;
    const nodeName = this.uniqueName(base);
    const outputs =
      options.outputs ??
      Array.from({ length: options.outputCount ?? 1 }, (_, i) => this.uniqueName(i === 0 ? `${nodeName}_out` : `${nodeName}_out${i}`));
    for (const output of options.outputs ?? []) this.reserve(output);
    const attribute: AttributeProto[] = [];
    for (const [name, value] of Object.entries(options.attributes ?? {})) {
      if (value !== undefined) attribute.push(makeAttribute(name, value));
    }
    this.nodes.push({ name: nodeName, op_type: opType, input: inputs, output: outputs, attribute });
    return outputs;
  }

  /** Adds a single-output node and returns that output's name. */
  add1(opType: string, inputs: string[], options: NodeOptions = {}): string {
    return this.add(opType, inputs, options)[0];
  }

  graph(name: string, inputs: ValueInfoProto[], outputs: ValueInfoProto[], docString?: string): GraphProto {
    return { name, node: this.nodes, initializer: this.initializers, input: inputs, output: outputs, doc_string: docString };
  }
}

export function makeAttribute(name: string, value: AttributeValue): AttributeProto {
  if (typeof value === "number") {
    if (!Number.isInteger(value)) throw new Error(`Internal error: attribute ${name} given a non-integer ${value}; wrap floats as { float }.`);
    return { name, type: AttributeType.INT, i: value };
  }
  if (typeof value === "string") return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) return { name, type: AttributeType.INTS, ints: value };
  if ("float" in value) return { name, type: AttributeType.FLOAT, f: value.float };
  if ("floats" in value) return { name, type: AttributeType.FLOATS, floats: value.floats };
  return { name, type: AttributeType.TENSOR, t: value };
}

/** A tensor ValueInfo; `null` dimensions become the symbolic `batch`. */
export function tensorValueInfo(name: string, elemType: number, shape: (number | string | null)[] | undefined): ValueInfoProto {
  const tensorType: ValueInfoProto["type"]["tensor_type"] = { elem_type: elemType };
  if (shape) {
    tensorType.shape = {
      dim: shape.map((d): Dimension => (typeof d === "number" ? { dim_value: d } : { dim_param: d ?? "batch" })),
    };
  }
  return { name, type: { tensor_type: tensorType } };
}

export interface ModelOptions {
  opset: number;
  producerVersion: string;
  docString?: string;
  metadata?: Record<string, string>;
}

/** IR version that first shipped each opset, so older runtimes accept the file. */
export function irVersionForOpset(opset: number): number {
  if (opset <= 8) return 3;
  if (opset <= 9) return 4;
  if (opset <= 10) return 5;
  if (opset <= 11) return 6;
  if (opset <= 14) return 7;
  if (opset <= 18) return 8;
  return 9;
}

export function makeModel(graph: GraphProto, options: ModelOptions): ModelProto {
  return {
    ir_version: irVersionForOpset(options.opset),
    opset_import: [{ domain: "", version: options.opset }],
    producer_name: "convlab",
    producer_version: options.producerVersion,
    doc_string: options.docString,
    graph,
    metadata_props: Object.entries(options.metadata ?? {}).map(([key, value]) => ({ key, value })),
  };
}

export { DataType };
