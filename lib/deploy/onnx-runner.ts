/**
 * Running an exported model in onnxruntime-node (CPU), fed with the tfjs
 * model's own inputs: the runner maps them through the graph's recorded input
 * contract (device preprocessing, normalization, NCHW) so that tfjs and
 * onnxruntime are compared on the same images.
 */
import { readFileSync } from "node:fs";
import * as ort from "onnxruntime-node";
import { InputContract, modelInputToGraphInput } from "./input-transform";
import { float16ToFloat32, float32ToFloat16 } from "./onnx/float16";
import { DataType, ModelProto, ValueInfoProto, decodeModel } from "./onnx/proto";
import type { OnnxExport } from "./export-onnx";
import type { ContractExport } from "./contract-export";
import { concatFloat32 } from "./samples";

/** A model to run: a path to an .onnx file, its bytes, or an export. */
export type OnnxSource = string | Uint8Array | OnnxExport | ContractExport;

export interface RunnerOptions {
  /** onnxruntime's intra-op threads. Default: onnxruntime's choice (all cores). */
  threads?: number;
  /**
   * onnxruntime graph optimization level. Default "all", which includes the
   * blocked NCHWc layout that speeds up most CNNs on x86; for very small nets
   * with few channels (LeNet's 1 → 20 → 50) "extended" can be faster.
   * "auto" times both on the model and keeps the faster (what the benchmarks use).
   */
  optimization?: "disabled" | "basic" | "extended" | "layout" | "all" | "auto";
  /**
   * Let idle onnxruntime threads spin waiting for work. Default false: on a
   * shared lab server, or next to tfjs in the same notebook, spinning threads
   * take the cores other work needs (measured here: 2 spinning threads ran
   * LeNet at half the speed of 1 thread on a busy 2-core machine).
   */
  allowSpinning?: boolean;
}

export function sessionOptions(options: RunnerOptions): ort.InferenceSession.SessionOptions {
  const result: ort.InferenceSession.SessionOptions = {
    graphOptimizationLevel: options.optimization === "auto" || options.optimization === undefined ? "all" : options.optimization,
    // onnxruntime_session_options_config_keys.h: "session.intra_op.allow_spinning"
    extra: { session: { "intra_op.allow_spinning": options.allowSpinning ? "1" : "0" } },
  };
  if (options.threads !== undefined) result.intraOpNumThreads = options.threads;
  return result;
}

export function onnxBytes(source: OnnxSource): Uint8Array {
  if (typeof source === "string") return new Uint8Array(readFileSync(source));
  if (source instanceof Uint8Array) return source;
  return source.bytes;
}

export class OnnxRunner {
  private constructor(
    readonly session: ort.InferenceSession,
    readonly model: ModelProto,
    readonly bytes: Uint8Array,
    readonly inputName: string,
    readonly outputName: string,
    /** Fixed batch size of the graph input, or undefined when dynamic. */
    readonly fixedBatch: number | undefined,
    readonly float16Input: boolean,
    readonly float16Output: boolean,
    readonly contract: InputContract,
    readonly appendedSoftmax: boolean,
  ) {}

  static async load(source: OnnxSource, options: RunnerOptions = {}): Promise<OnnxRunner> {
    const bytes = onnxBytes(source);
    const model = decodeModel(bytes);
    const graph = model.graph;
    if (graph.input.length !== 1 || graph.output.length !== 1) {
      throw new Error(`Expected an ONNX model with one input and one output; this one has ${graph.input.length} and ${graph.output.length}.`);
    }
    const meta = new Map((model.metadata_props ?? []).map((p) => [p.key, p.value]));
    const contractJson = meta.get("convlab.input_contract");
    if (!contractJson) throw new Error("This ONNX file was not written by convlab's exportOnnx (it has no input contract in its metadata), so its input cannot be prepared from tfjs samples.");
    const input = graph.input[0];
    const output = graph.output[0];
    const batchDim = input.type.tensor_type.shape?.dim[0];
    const batch = batchDim?.dim_value ? Number(batchDim.dim_value) : 8;
    const session =
      options.optimization === "auto"
        ? await fasterSession(bytes, options, input.name, input.type.tensor_type, batch)
        : await ort.InferenceSession.create(bytes, sessionOptions(options));
    return new OnnxRunner(
      session,
      model,
      bytes,
      input.name,
      output.name,
      batchDim?.dim_value ? Number(batchDim.dim_value) : undefined,
      input.type.tensor_type.elem_type === DataType.FLOAT16,
      output.type.tensor_type.elem_type === DataType.FLOAT16,
      JSON.parse(contractJson) as InputContract,
      meta.get("convlab.appended_softmax") === "true",
    );
  }

  get channels(): number {
    return this.contract.inputChannels;
  }

  /** Runs one batch already in the graph's convention (NCHW float32); returns the outputs as float32. */
  async runGraphInput(nchw: Float32Array, batch: number): Promise<Float32Array> {
    const { height, width } = this.contract;
    const dims = [batch, this.channels, height, width];
    const tensor = this.float16Input ? new ort.Tensor("float16", float32ToFloat16(nchw), dims) : new ort.Tensor("float32", nchw, dims);
    const result = await this.session.run({ [this.inputName]: tensor });
    const data = result[this.outputName].data as Float32Array | Uint16Array;
    return this.float16Output ? float16ToFloat32(data as Uint16Array) : Float32Array.from(data as Float32Array);
  }

  /**
   * Predicts for model inputs (NHWC float32 as tfjs takes them), in batches
   * the graph accepts. Returns [n, classes] probabilities, row-major.
   */
  async predict(nhwc: Float32Array, n: number, batchSize = 32): Promise<Float32Array> {
    const { height, width, modelChannels } = this.contract;
    const per = height * width * modelChannels;
    const step = this.fixedBatch ?? batchSize;
    const outputs: Float32Array[] = [];
    for (let start = 0; start < n; start += step) {
      const count = Math.min(step, n - start);
      let chunk = nhwc.subarray(start * per, (start + count) * per);
      if (this.fixedBatch && count < this.fixedBatch) {
        const padded = new Float32Array(this.fixedBatch * per);
        padded.set(chunk);
        chunk = padded;
      }
      const graphInput = modelInputToGraphInput(this.contract, chunk, this.fixedBatch ?? count);
      const out = await this.runGraphInput(graphInput, this.fixedBatch ?? count);
      outputs.push(out.subarray(0, (out.length / (this.fixedBatch ?? count)) * count));
    }
    return concatFloat32(outputs);
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

/**
 * Creates the session at "all" and at "extended" optimization, times both
 * (interleaved, best of 15 calls, so other load hits both alike) and keeps
 * the faster: which wins depends on the model's channel counts.
 */
async function fasterSession(
  bytes: Uint8Array,
  options: RunnerOptions,
  inputName: string,
  inputType: ValueInfoProto["type"]["tensor_type"],
  batch: number,
): Promise<ort.InferenceSession> {
  const dims = (inputType.shape?.dim ?? []).map((d, i) => (i === 0 ? batch : Number(d.dim_value)));
  const size = dims.reduce((a, b) => a * b, 1);
  const feed = {
    [inputName]: inputType.elem_type === DataType.FLOAT16 ? new ort.Tensor("float16", new Uint16Array(size), dims) : new ort.Tensor("float32", new Float32Array(size), dims),
  };
  const candidates = await Promise.all(
    (["all", "extended"] as const).map(async (level) => ({ level, session: await ort.InferenceSession.create(bytes, sessionOptions({ ...options, optimization: level })), best: Infinity })),
  );
  for (let i = 0; i < 18; i++) {
    for (const c of candidates) {
      const start = performance.now();
      await c.session.run(feed);
      if (i >= 3) c.best = Math.min(c.best, performance.now() - start);
    }
  }
  candidates.sort((a, b) => a.best - b.best);
  await candidates[1].session.release();
  return candidates[0].session;
}
