/**
 * Reading snapshots back. A snapshot can be damaged in several ways: a file
 * missing or cut short (a full disk, an interrupted copy), JSON that does not
 * parse, or weights that are NaN because the run had already broken down
 * when it was written. Each is a SnapshotError that names the file and says
 * what to do, usually: resume from another snapshot of the run, which the
 * message lists.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import * as tf from "@tensorflow/tfjs";
import type { CallbackState } from "./callbacks";
import { describeNonFinite, firstFew } from "./non-finite";
import { SNAPSHOT_FORMAT, SNAPSHOT_VERSION, type SnapshotState } from "./snapshot";
import type { SolverState } from "./solvers";

/** A snapshot that cannot be used; `file` is the damaged file (or folder). */
export class SnapshotError extends Error {
  constructor(
    message: string,
    readonly file: string,
  ) {
    super(message);
    this.name = "SnapshotError";
  }
}

const SNAPSHOT_NAME = /^epoch-(\d+)(?:-batch-(\d+))?$/;

interface Listed {
  path: string;
  step: number;
}

/** A run folder's snapshots: readable ones by step, and those whose training.json is damaged. */
function scanRunFolder(runDir: string): { healthy: Listed[]; damaged: string[] } {
  const dir = resolve(runDir);
  const healthy: Listed[] = [];
  const damaged: string[] = [];
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return { healthy, damaged };
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (!SNAPSHOT_NAME.test(entry) || !existsSync(join(path, "training.json"))) continue;
    try {
      const step = (JSON.parse(readFileSync(join(path, "training.json"), "utf8")) as SnapshotState).step;
      if (typeof step === "number") healthy.push({ path, step });
      else damaged.push(path);
    } catch {
      damaged.push(path);
    }
  }
  // Ordered by the step recorded inside, which the names only approximate.
  return { healthy: healthy.sort((a, b) => a.step - b.step), damaged };
}

/** The readable snapshots in a run folder, oldest first. */
export function listSnapshots(runDir: string): Listed[] {
  return scanRunFolder(runDir).healthy;
}

/** What to do instead of using the damaged snapshot in `dir`: the run's other snapshots, newest first. */
function alternatives(dir: string): string {
  const others = scanRunFolder(dirname(dir)).healthy.filter((s) => s.path !== dir).reverse();
  if (others.length === 0) return "The run folder holds no other snapshot to resume from; train again from the start.";
  const latest = others[0].path;
  const names = others.slice(0, 5).map((s) => `${basename(s.path)} (step ${s.step})`).join(", ");
  return `Resume from another snapshot of the run (${names}${others.length > 5 ? ", …" : ""}), e.g. train(model, data, { resumeFrom: ${JSON.stringify(latest)} }).`;
}

function damaged(dir: string, file: string, what: string): SnapshotError {
  const path = join(dir, file);
  return new SnapshotError(`The snapshot file ${path} ${what}, so this snapshot cannot be used. ${alternatives(dir)}`, path);
}

/** The snapshot folder `path` names: a snapshot itself, or the latest one in a run folder. */
export function findSnapshot(path: string): string {
  const full = resolve(path);
  if (!existsSync(full)) {
    throw new SnapshotError(
      `There is no snapshot at ${full}. Snapshots are in the run's folder, e.g. runs/lenet-20250101-120000/epoch-010 (see result.snapshots).`,
      full,
    );
  }
  if (existsSync(join(full, "training.json"))) return full;
  const { healthy, damaged: broken } = scanRunFolder(full);
  if (broken.length) {
    // The damaged one may be the latest: never fall back silently to an older one.
    const list = healthy.length ? `Its readable snapshots: ${healthy.map((s) => basename(s.path)).join(", ")}; pass one of them as resumeFrom.` : "It holds no readable snapshot.";
    throw new SnapshotError(`In the run folder ${full}, the snapshot ${broken.map((b) => basename(b)).join(", ")} is damaged (its training.json does not parse). ${list}`, broken[0]);
  }
  if (healthy.length === 0) {
    throw new SnapshotError(`${full} holds no snapshots (folders with a training.json). Pass a run folder or one of its epoch-NNN folders.`, full);
  }
  return healthy[healthy.length - 1].path;
}

async function readJson<T>(dir: string, file: string): Promise<T> {
  let text: string;
  try {
    text = await readFile(join(dir, file), "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw damaged(dir, file, code === "ENOENT" ? "is missing" : `cannot be read (${code ?? (error as Error).message})`);
  }
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw damaged(dir, file, `is not valid JSON (${(error as Error).message}); it was probably cut short while being written or copied`);
  }
}

async function readBinary(dir: string, file: string): Promise<ArrayBuffer> {
  try {
    const b = await readFile(join(dir, file));
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw damaged(dir, file, code === "ENOENT" ? "is missing" : `cannot be read (${code ?? (error as Error).message})`);
  }
}

const BYTES_PER: Record<string, number> = { float32: 4, int32: 4, bool: 1 };

/**
 * Decodes `file`'s tensors in the order of their specs (names may repeat
 * across groups, positions do not), after checking its size against them and
 * that no float value is NaN or infinite.
 */
function decodeFile(dir: string, file: string, buffer: ArrayBuffer, specs: tf.io.WeightsManifestEntry[]): tf.Tensor[] {
  const sizes = specs.map((spec) => {
    if (spec.quantization) throw damaged(dir, file, `describes "${spec.name}" as quantized, which convlab snapshots never are (is this a convlab snapshot?)`);
    return spec.shape.reduce((a, b) => a * b, 1) * (BYTES_PER[spec.dtype] ?? 4);
  });
  const needed = sizes.reduce((a, b) => a + b, 0);
  if (needed !== buffer.byteLength) {
    const how = buffer.byteLength < needed ? "cut short" : "longer than it should be";
    throw damaged(dir, file, `holds ${buffer.byteLength.toLocaleString("en-US")} bytes where its description needs ${needed.toLocaleString("en-US")} (${how})`);
  }
  const broken: string[] = [];
  let offset = 0;
  const arrays = specs.map((spec, i) => {
    const slice = buffer.slice(offset, offset + sizes[i]);
    offset += sizes[i];
    if (spec.dtype === "int32") return new Int32Array(slice);
    if (spec.dtype === "bool") return new Uint8Array(slice);
    const values = new Float32Array(slice);
    const found = describeNonFinite(spec.name, values);
    if (found) broken.push(found);
    return values;
  });
  if (broken.length) {
    throw damaged(
      dir,
      file,
      `holds NaN or infinite values: ${firstFew(broken)}. ` +
        "The run had already broken down (its loss became NaN) when this was written, and training cannot continue from it",
    );
  }
  return specs.map((spec, i) => tf.tensor(arrays[i], spec.shape, spec.dtype as tf.DataType));
}

export interface LoadedSnapshot {
  path: string;
  state: SnapshotState;
  modelJson: { modelTopology: object; weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[] };
  /** Model weights, in the model's weight order (the caller owns them). */
  weights: tf.Tensor[];
  solver: SolverState;
  /** Callback states in the saved order, with their tensors (the caller owns them). */
  callbacks: { name: string; state: CallbackState }[];
}

/** training.json, checked to be a snapshot this convlab can read. */
async function readState(dir: string): Promise<SnapshotState> {
  const state = await readJson<SnapshotState>(dir, "training.json");
  if (state?.format !== SNAPSHOT_FORMAT) throw new SnapshotError(`${join(dir, "training.json")} is not a convlab training snapshot.`, join(dir, "training.json"));
  if (state.version > SNAPSHOT_VERSION) {
    throw new SnapshotError(`The snapshot at ${dir} was written by a newer convlab (format ${state.version}); update convlab to read it.`, dir);
  }
  const described = Array.isArray(state.solver?.specs) && Array.isArray(state.callbackSpecs) && Array.isArray(state.callbacks) && typeof state.step === "number";
  if (!described) throw damaged(dir, "training.json", "lacks parts every snapshot has (step, solver, callbacks)");
  return state;
}

/** Reads a snapshot (a snapshot folder or a run folder: then its latest snapshot). */
export async function readSnapshot(path: string): Promise<LoadedSnapshot> {
  const dir = findSnapshot(path);
  const state = await readState(dir);
  const modelJson = await readJson<LoadedSnapshot["modelJson"]>(dir, "model.json");
  const weightSpecs = modelJson?.weightsManifest?.[0]?.weights;
  if (!modelJson?.modelTopology || !Array.isArray(weightSpecs)) throw damaged(dir, "model.json", "does not describe a model and its weights");
  const [weightBytes, solverBytes, callbackBytes] = await Promise.all(["weights.bin", "optimizer.bin", "callbacks.bin"].map((f) => readBinary(dir, f)));
  const decoded: tf.Tensor[][] = [];
  try {
    decoded.push(decodeFile(dir, "weights.bin", weightBytes, weightSpecs));
    decoded.push(decodeFile(dir, "optimizer.bin", solverBytes, state.solver.specs));
    decoded.push(decodeFile(dir, "callbacks.bin", callbackBytes, state.callbackSpecs));
  } catch (error) {
    tf.dispose(decoded.flat());
    throw error;
  }
  const [weights, solverTensors, callbackTensors] = decoded;
  let next = 0;
  const callbacks = state.callbacks.map((c) => {
    const tensors = callbackTensors.slice(next, next + c.tensors);
    next += c.tensors;
    return { name: c.name, state: { values: c.values, tensors } };
  });
  return {
    path: dir,
    state,
    modelJson,
    weights,
    solver: {
      weights: state.solver.specs.map((spec, i) => ({ name: spec.name, tensor: solverTensors[i] })),
      adamPowers: state.solver.adamPowers,
    },
    callbacks,
  };
}

/** Frees a read snapshot's tensors (weights, solver state, callbacks' tensors) that nothing took over. */
export function disposeSnapshot(snapshot: LoadedSnapshot): void {
  tf.dispose(snapshot.weights);
  tf.dispose(snapshot.solver.weights.map((w) => w.tensor));
  for (const c of snapshot.callbacks) tf.dispose(c.state.tensors ?? []);
}
