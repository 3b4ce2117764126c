/** Helpers for rewriting a decoded ONNX model (quantization passes). */
import { ModelProto, NodeProto, TensorProto } from "./proto";
import { decodeModel } from "./proto";
import { makeAttribute, AttributeValue } from "./graph-builder";

/** A deep, independent copy of a model (re-decoded from its bytes). */
export function cloneModel(bytes: Uint8Array): ModelProto {
  return decodeModel(bytes);
}

export class GraphEditor {
  private readonly used = new Set<string>();

  constructor(readonly model: ModelProto) {
    const g = model.graph;
    for (const n of g.node) {
      this.used.add(n.name);
      for (const o of n.output) this.used.add(o);
      for (const i of n.input) this.used.add(i);
    }
    for (const t of g.initializer) this.used.add(t.name);
    for (const v of [...g.input, ...g.output]) this.used.add(v.name);
  }

  uniqueName(base: string): string {
    let name = base;
    for (let i = 1; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }

  initializer(name: string): TensorProto | undefined {
    return this.model.graph.initializer.find((t) => t.name === name);
  }

  addInitializer(tensor: TensorProto): string {
    this.used.add(tensor.name);
    this.model.graph.initializer.push(tensor);
    return tensor.name;
  }

  removeInitializer(name: string): void {
    this.model.graph.initializer = this.model.graph.initializer.filter((t) => t.name !== name);
  }

  makeNode(opType: string, inputs: string[], outputs: string[], attributes: Record<string, AttributeValue> = {}, name?: string): NodeProto {
    return {
      name: this.uniqueName(name ?? opType),
      op_type: opType,
      input: inputs,
      output: outputs,
      attribute: Object.entries(attributes).map(([k, v]) => makeAttribute(k, v)),
    };
  }

  /** Makes every node read `to` where it read `from`. */
  replaceUses(from: string, to: string, except?: NodeProto): void {
    for (const node of this.model.graph.node) {
      if (node === except) continue;
      node.input = node.input.map((i) => (i === from ? to : i));
    }
  }

  consumers(name: string): NodeProto[] {
    return this.model.graph.node.filter((n) => n.input.includes(name));
  }

  producer(name: string): NodeProto | undefined {
    return this.model.graph.node.find((n) => n.output.includes(name));
  }

  setMetadata(key: string, value: string): void {
    const props = (this.model.metadata_props ??= []);
    const existing = props.find((p) => p.key === key);
    if (existing) existing.value = value;
    else props.push({ key, value });
  }

  metadata(key: string): string | undefined {
    return this.model.metadata_props?.find((p) => p.key === key)?.value;
  }
}
