/**
 * Layer and tensor fusion, as a measured fact: onnxruntime rewrites a graph
 * before running it, more at each optimisation level, and can save the
 * rewritten graph (the session option `optimizedModelFilePath`). Reading the
 * saved graphs back shows what each level did, node by node, and timing each
 * level in interleaved rounds shows what it was worth. TensorRT's builder does
 * the same kind of rewriting (and more) when it builds an engine on the Jetson.
 *
 * Levels (onnxruntime's graph optimizations documentation):
 * - "disabled": the graph as written;
 * - "basic": semantics-preserving rewrites any device can run: constant
 *   folding, removing redundant nodes, folding Add/Mul/BatchNormalization into
 *   the preceding Conv;
 * - "extended": fusions into onnxruntime's own kernels (Conv or Gemm with
 *   their activation in one kernel, FusedConv/FusedGemm, ...);
 * - "layout" and "all": besides, convolutions in a blocked channel layout
 *   (NCHWc) that fits the CPU's vector registers, with reorder nodes at the edges.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import * as ort from "onnxruntime-node";
import { DISPLAY, MimeBundle } from "../display";
import { Engine, measureInterleaved } from "./benchmark-inference";
import { escapeHtml, htmlTable, textTable } from "../display/html";
import { OnnxSource, onnxBytes, sessionOptions } from "./onnx-runner";
import { ModelProto, NodeProto, decodeModel } from "./onnx/proto";
import { readFloats } from "./onnx/tensors";

export type OptimizationLevel = "disabled" | "basic" | "extended" | "layout" | "all";
export const OPTIMIZATION_LEVELS: readonly OptimizationLevel[] = ["disabled", "basic", "extended", "layout", "all"];

export interface CompareOptimizationOptions {
  /** Levels to compare, in order. Default all five. */
  levels?: OptimizationLevel[];
  /** Folder the optimised graphs are saved to (`<level>.onnx`). Default: a temporary folder, removed afterwards. */
  saveDir?: string;
  /** Batch sizes to time. Default [1, 32]. */
  batchSizes?: number[];
  /** Seconds of timing per level and batch size, over all rounds. Default 1. */
  seconds?: number;
  /** Interleaved rounds; the median round counts. Default 3. */
  rounds?: number;
  /** onnxruntime intra-op threads. Default: onnxruntime's choice. */
  threads?: number;
}

/** New nodes of an optimised graph (one, or a few joined by new tensors) and the nodes they stand for. */
export interface RewrittenNode {
  /** op_type, with its domain when it is not ONNX's own ("com.microsoft.FusedGemm"); " + " between several. */
  op: string;
  name: string;
  /** Nodes of the previous graph it replaces, as "op name". */
  replaces: string[];
  /** A sentence on what it is. */
  explanation: string;
}

export interface LevelResult {
  level: OptimizationLevel;
  /** Where the optimised graph was saved (gone when saveDir was not given). */
  path: string;
  nodes: number;
  /** Operator counts, "Conv": 2 ... */
  opCounts: Record<string, number>;
  /** What this level rewrote, compared with the level before it (the first level: with the graph as written). */
  rewritten: RewrittenNode[];
  /** Nodes of the level before that are simply gone (constants folded, no-ops removed). */
  removed: string[];
  /** Median images/s and p50 latency (ms) per batch size. */
  timing: { batch: number; imagesPerSecond: number; latencyP50Ms: number }[];
}

export class OptimizationComparison {
  constructor(
    readonly original: { nodes: number; opCounts: Record<string, number> },
    readonly levels: LevelResult[],
  ) {}

  level(level: OptimizationLevel): LevelResult {
    const found = this.levels.find((l) => l.level === level);
    if (!found) throw new Error(`The level "${level}" was not compared; compared: ${this.levels.map((l) => l.level).join(", ")}.`);
    return found;
  }

  /** The level with the most images/s at this batch size. */
  fastest(batch: number): LevelResult {
    const speed = (l: LevelResult) => l.timing.find((t) => t.batch === batch)?.imagesPerSecond ?? -Infinity;
    return this.levels.reduce((best, l) => (speed(l) > speed(best) ? l : best));
  }

  /** Images/s of `level` over images/s of "disabled" (or the first level) at `batch`. */
  speedup(level: OptimizationLevel, batch: number): number {
    const base = (this.levels.find((l) => l.level === "disabled") ?? this.levels[0]).timing.find((t) => t.batch === batch);
    const at = this.level(level).timing.find((t) => t.batch === batch);
    return base && at ? at.imagesPerSecond / base.imagesPerSecond : NaN;
  }

  private rows(): (string | number)[][] {
    const batches = this.levels[0]?.timing.map((t) => t.batch) ?? [];
    return this.levels.map((l) => [
      l.level,
      l.nodes,
      describeChanges(l) || (l === this.levels[0] ? "(the graph as written)" : "nothing more"),
      ...batches.flatMap((b) => {
        const t = l.timing.find((x) => x.batch === b)!;
        return [Math.round(t.imagesPerSecond), t.latencyP50Ms.toFixed(3)];
      }),
    ]);
  }

  private header(): string[] {
    const batches = this.levels[0]?.timing.map((t) => t.batch) ?? [];
    return ["level", "nodes", "what changed", ...batches.flatMap((b) => [`images/s (batch ${b})`, `ms per call (batch ${b})`])];
  }

  [DISPLAY](): MimeBundle {
    const note = `onnxruntime on this CPU, levels timed in interleaved rounds (median round). The original graph has ${this.original.nodes} nodes.`;
    return {
      "text/plain": `${textTable(this.header(), this.rows())}\n${note}`,
      "text/html": `${htmlTable(this.header(), this.rows())}<p>${escapeHtml(note)}</p>`,
    };
  }
}

/** One line for a level: "Gemm + Relu → FusedGemm; removed Add". */
export function describeChanges(level: LevelResult): string {
  const parts = level.rewritten.map((r) => `${r.replaces.map((x) => x.split(" ")[0]).join(" + ") || "(new)"} → ${r.op.split(" + ").map(shortOp).join(" + ")}`);
  if (level.removed.length) parts.push(`removed ${level.removed.map((x) => x.replace(/^(\S+) \S+/, "$1")).join(", ")}`);
  return parts.join("; ");
}

function shortOp(op: string): string {
  return op.replace(/^com\.microsoft\.nchwc\./, "NCHWc ").replace(/^com\.microsoft\./, "");
}

const EXPLANATIONS: Record<string, string> = {
  "com.microsoft.FusedGemm": "a matrix multiply with its activation applied in the same kernel: the intermediate result never goes back to memory",
  "com.microsoft.FusedConv": "a convolution with its activation applied in the same kernel",
  "com.microsoft.nchwc.Conv": "a convolution on channels stored in blocks that fit the CPU's vector registers (NCHWc)",
  "com.microsoft.nchwc.ReorderInput": "converts a tensor into the blocked NCHWc layout",
  "com.microsoft.nchwc.ReorderOutput": "converts a tensor back from the blocked NCHWc layout",
  "com.microsoft.nchwc.MaxPool": "max pooling on the blocked NCHWc layout",
};

const opName = (node: NodeProto) => (node.domain && node.domain !== "ai.onnx" ? `${node.domain}.${node.op_type}` : node.op_type);

function opCounts(model: ModelProto): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const node of model.graph.node) counts[shortOp(opName(node))] = (counts[shortOp(opName(node))] ?? 0) + 1;
  return counts;
}

/**
 * What changed from one graph to the next. The nodes that are new (not in
 * `before` by name, operator and outputs) are grouped when they pass tensors
 * only among themselves; each group stands for the nodes of `before` between
 * the tensors it reads and the tensors it writes.
 */
export function diffGraphs(before: ModelProto, after: ModelProto): { rewritten: RewrittenNode[]; removed: string[] } {
  // A node is the same when it computes the same tensors with the same operator (optimisers rename nodes freely).
  const key = (n: NodeProto) => `${opName(n)}|${n.output.join(",")}`;
  const beforeByKey = new Map(before.graph.node.map((n) => [key(n), n]));
  const producer = new Map<string, NodeProto>();
  for (const node of before.graph.node) for (const o of node.output) producer.set(o, node);
  const beforeTensors = new Set([...producer.keys(), ...before.graph.input.map((i) => i.name)]);
  const present = new Set<string>(after.graph.input.map((i) => i.name));
  for (const node of after.graph.node) for (const t of [...node.input, ...node.output]) present.add(t);

  const covered = new Set<NodeProto>();
  const fresh: NodeProto[] = [];
  for (const node of after.graph.node) {
    const same = beforeByKey.get(key(node));
    if (same) covered.add(same);
    else fresh.push(node);
  }
  // Groups of new nodes joined by tensors that did not exist before.
  const groups: NodeProto[][] = [];
  const groupOf = new Map<NodeProto, NodeProto[]>();
  for (const node of fresh) {
    const joined = fresh.filter((other) => other !== node && groupOf.has(other) && other.output.some((o) => node.input.includes(o) && !beforeTensors.has(o)));
    const target = joined.length ? (groupOf.get(joined[0]) as NodeProto[]) : [];
    if (!joined.length) groups.push(target);
    target.push(node);
    groupOf.set(node, target);
  }
  const rewritten: RewrittenNode[] = [];
  for (const group of groups) {
    const reads = new Set(group.flatMap((n) => n.input));
    const replaces: NodeProto[] = [];
    const stack = group.flatMap((n) => n.output).map((o) => producer.get(o)).filter((n): n is NodeProto => n !== undefined);
    while (stack.length) {
      const n = stack.pop() as NodeProto;
      if (replaces.includes(n)) continue;
      replaces.push(n);
      for (const input of n.input) {
        const from = producer.get(input);
        // Stop at what the group reads and at tensors the new graph still has (they belong to other nodes).
        if (from && !reads.has(input) && !present.has(input)) stack.push(from);
      }
    }
    for (const n of replaces) covered.add(n);
    const replacedNames = before.graph.node.filter((n) => replaces.includes(n)).map((n) => `${opName(n)} ${n.name}`);
    const op = group.map(opName).join(" + ");
    rewritten.push({ op, name: group.map((n) => n.name).join(" + "), replaces: replacedNames, explanation: group.map((n) => EXPLANATIONS[opName(n)] ?? explainPlain(opName(n), replacedNames)).join("; ") });
  }
  const removed = before.graph.node.filter((n) => !covered.has(n)).map((n) => `${opName(n)} ${n.name}${whyRemoved(n, before)}`);
  return { rewritten, removed };
}

/** " (adds zero)" and the like, for nodes that did nothing. */
function whyRemoved(node: NodeProto, model: ModelProto): string {
  if (node.op_type === "Identity" || node.op_type === "Dropout") return " (does nothing at inference)";
  const constant = model.graph.initializer.find((t) => t.name === node.input[1]);
  if (!constant || !["Add", "Sub", "Mul", "Div"].includes(node.op_type)) return "";
  let values: Float32Array;
  try {
    values = readFloats(constant);
  } catch {
    return "";
  }
  const neutral = node.op_type === "Add" || node.op_type === "Sub" ? 0 : 1;
  if (!values.every((v) => v === neutral)) return "";
  return node.op_type === "Add" || node.op_type === "Sub" ? " (adds zero)" : " (multiplies by one)";
}

function explainPlain(op: string, replaces: string[]): string {
  if (replaces.length > 1) return `${replaces.map((r) => r.split(" ")[0]).join(" and ")} computed as one ${op}: the later ones folded into its weights or bias`;
  return `${op}, rewritten by onnxruntime`;
}

/** Optimises `source` at each level, saves the graphs, counts what changed and times each level. */
export async function compareOptimizationLevels(source: OnnxSource, options: CompareOptimizationOptions = {}): Promise<OptimizationComparison> {
  const bytes = onnxBytes(source);
  const original = decodeModel(bytes);
  const levels = options.levels ?? [...OPTIMIZATION_LEVELS];
  for (const level of levels) if (!OPTIMIZATION_LEVELS.includes(level)) throw new Error(`Unknown optimization level "${level}"; the levels are ${OPTIMIZATION_LEVELS.join(", ")}.`);
  const batchSizes = options.batchSizes ?? [1, 32];
  const temporary = options.saveDir ? undefined : mkdtempSync(join(tmpdir(), "convlab-optimized-"));
  const dir = resolve(options.saveDir ?? (temporary as string));
  mkdirSync(dir, { recursive: true });
  const input = original.graph.input[0];
  const dims = (input.type.tensor_type.shape?.dim ?? []).map((d) => Number(d.dim_value ?? 0));
  const fixedBatch = dims[0] > 0 ? dims[0] : undefined;
  if (fixedBatch !== undefined && batchSizes.some((b) => b !== fixedBatch)) {
    throw new Error(`This model has a fixed batch of ${fixedBatch}; export it with dynamicBatch: true to time other batch sizes, or pass batchSizes: [${fixedBatch}].`);
  }
  const engines: Engine[] = [];
  const results: Omit<LevelResult, "timing">[] = [];
  try {
    let previous = original;
    for (const level of levels) {
      const path = join(dir, `${level}.onnx`);
      // Log level 3 (errors only): "all" warns that its saved graph is specific to this CPU, which is the point here.
      const session = await ort.InferenceSession.create(bytes, { ...sessionOptions({ optimization: level, threads: options.threads }), optimizedModelFilePath: path, logSeverityLevel: 3 });
      const optimized = decodeModel(readFileSync(path));
      const diff = diffGraphs(previous, optimized);
      previous = optimized;
      results.push({ level, path, nodes: optimized.graph.node.length, opCounts: opCounts(optimized), ...diff });
      engines.push(sessionEngine(session, input.name, dims, level, batchSizes));
    }
    const rows = await measureInterleaved(engines, batchSizes, (options.seconds ?? 1) / (options.rounds ?? 3), options.rounds ?? 3);
    const levelResults = results.map((r): LevelResult => ({
      ...r,
      timing: rows.filter((row) => row.label === r.level).map((row) => ({ batch: row.batch, imagesPerSecond: row.imagesPerSecond, latencyP50Ms: row.latencyP50Ms })),
    }));
    return new OptimizationComparison({ nodes: original.graph.node.length, opCounts: opCounts(original) }, levelResults);
  } finally {
    for (const engine of engines) await engine.release();
    if (temporary) rmSync(temporary, { recursive: true, force: true });
  }
}

/** An engine over an existing session, fed fixed pseudo-random input of each batch size. */
function sessionEngine(session: ort.InferenceSession, inputName: string, dims: number[], label: string, batchSizes: number[]): Engine {
  const per = dims.slice(1).reduce((a, b) => a * b, 1);
  let state = 7;
  const feeds = new Map(
    batchSizes.map((b) => {
      const data = new Float32Array(b * per);
      for (let i = 0; i < data.length; i++) data[i] = (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
      return [b, { [inputName]: new ort.Tensor("float32", data, [b, ...dims.slice(1)]) }];
    }),
  );
  return {
    engine: "onnxruntime (CPU)",
    precision: "fp32",
    label,
    call: async (batch) => {
      await session.run(feeds.get(batch) as Record<string, ort.Tensor>);
    },
    release: () => session.release(),
  };
}
