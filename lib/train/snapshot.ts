/**
 * Snapshots: everything needed to continue a run exactly, on disk.
 *
 *     runs/lenet-20250101-120000/
 *       epoch-002/                    a snapshot after epoch 2
 *         model.json, weights.bin     the model in tfjs's own format (tf.loadLayersModel reads it)
 *         optimizer.bin               the solver's state (momentum, moments, iteration count)
 *         callbacks.bin               tensors callbacks keep (early stopping's best weights)
 *         training.json               options, history, step, schedule state, callbacks' state
 *       epoch-003-batch-0041/         taken mid-epoch, when training was interrupted
 *
 * A snapshot is written to a temporary folder and renamed into place, so an
 * interrupted write never leaves a half snapshot behind.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import * as tf from "@tensorflow/tfjs";
import type { NamedTensor } from "@tensorflow/tfjs-core/dist/tensor_types";
import type { EpochRecord } from "../history";
import type { CallbackState } from "./callbacks";
import type { ResolvedTrainOptions } from "./options";
import type { SolverState } from "./solvers";

export const SNAPSHOT_FORMAT = "convlab-training-snapshot";
export const SNAPSHOT_VERSION = 1;

/** A point of the live chart: training loss between validations, or a validation. */
export interface LivePoint {
  epoch: number;
  loss?: number;
  accuracy?: number;
  valLoss?: number;
  valAccuracy?: number;
  lr?: number;
  [metric: string]: number | undefined;
}

/** Sums of the epoch in progress, so a mid-epoch resume reports the same epoch loss. */
export interface PartialEpoch {
  lossSum: number;
  correct: number;
  seen: number;
  /** The last validation run in this epoch, if validation runs more than once an epoch. */
  valLoss?: number;
  valAccuracy?: number;
}

export interface SnapshotState {
  format: typeof SNAPSHOT_FORMAT;
  version: number;
  createdAt: string;
  /** Epochs completed. */
  epochsCompleted: number;
  /** Batches of the next epoch already trained (0 at an epoch boundary). */
  batchInEpoch: number;
  /** Steps trained in all. */
  step: number;
  partial?: PartialEpoch;
  options: Omit<ResolvedTrainOptions, "snapshots" | "snapshotDir" | "live">;
  history: EpochRecord[];
  points: LivePoint[];
  lrScale: number;
  callbacks: { name: string; values: unknown; tensors: number }[];
  callbackSpecs: tf.io.WeightsManifestEntry[];
  solver: { className: string; specs: tf.io.WeightsManifestEntry[]; adamPowers?: [number, number] };
  model: { name: string; architecture?: string; seed?: number; inputShape: number[]; weights: { name: string; shape: number[] }[] };
  dataset: { name: string; shape: number[]; classNames: string[]; trainSize: number };
  /** Seconds of training before this snapshot (all runs that led to it). */
  elapsedSeconds: number;
  /** Images trained on before this snapshot. */
  images: number;
}

export interface SnapshotInfo {
  /** The snapshot's folder. */
  path: string;
  epochsCompleted: number;
  batchInEpoch: number;
  step: number;
  /** Size on disk. */
  bytes: number;
}

/** "epoch-002", or "epoch-003-batch-0041" for a snapshot taken 41 batches into epoch 3. */
export function snapshotName(epochsCompleted: number, batchInEpoch: number): string {
  const epoch = String(epochsCompleted).padStart(3, "0");
  if (batchInEpoch === 0) return `epoch-${epoch}`;
  return `epoch-${String(epochsCompleted + 1).padStart(3, "0")}-batch-${String(batchInEpoch).padStart(4, "0")}`;
}

async function modelArtifacts(model: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
    }),
  );
  return saved!;
}

function joined(data: tf.io.WeightData | undefined): ArrayBuffer {
  if (!data) return new ArrayBuffer(0);
  return tf.io.CompositeArrayBuffer.join(data as ArrayBuffer | ArrayBuffer[]);
}

/** Decodes tensors in the order of their specs (names may repeat across groups, positions do not). */
export function decodeInOrder(buffer: ArrayBuffer, specs: tf.io.WeightsManifestEntry[]): tf.Tensor[] {
  const tensors: tf.Tensor[] = [];
  let offset = 0;
  const bytesPer: Record<string, number> = { float32: 4, int32: 4, bool: 1 };
  for (const spec of specs) {
    if (spec.quantization) throw new Error(`Snapshot weight "${spec.name}" is quantized; convlab snapshots never are. Is this a convlab snapshot?`);
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const bytes = size * (bytesPer[spec.dtype] ?? 4);
    const slice = buffer.slice(offset, offset + bytes);
    offset += bytes;
    const values =
      spec.dtype === "int32" ? new Int32Array(slice) : spec.dtype === "bool" ? new Uint8Array(slice) : new Float32Array(slice);
    tensors.push(tf.tensor(values, spec.shape, spec.dtype as tf.DataType));
  }
  if (offset !== buffer.byteLength) {
    tf.dispose(tensors);
    throw new Error(`A snapshot file holds ${buffer.byteLength} bytes but its description accounts for ${offset}; the snapshot is damaged.`);
  }
  return tensors;
}

export interface SnapshotContent {
  model: tf.LayersModel;
  /** What convlab recorded when it built the model, if it did. */
  modelInfo: { architecture?: string; seed?: number };
  solver: SolverState;
  solverClassName: string;
  callbacks: { name: string; state: CallbackState | undefined }[];
  state: Omit<SnapshotState, "format" | "version" | "createdAt" | "callbacks" | "callbackSpecs" | "solver" | "model">;
}

/** Writes one snapshot into `runDir`; returns where and how large. */
export async function writeSnapshot(runDir: string, content: SnapshotContent): Promise<SnapshotInfo> {
  const name = snapshotName(content.state.epochsCompleted, content.state.batchInEpoch);
  const finalPath = resolve(runDir, name);
  const temporary = `${finalPath}.partial`;
  await rm(temporary, { recursive: true, force: true });
  await mkdir(temporary, { recursive: true });

  const artifacts = await modelArtifacts(content.model);
  const modelJson = {
    format: "layers-model",
    generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
    convertedBy: "convlab train()",
    modelTopology: artifacts.modelTopology,
    weightsManifest: [{ paths: ["weights.bin"], weights: artifacts.weightSpecs ?? [] }],
  };
  const solverEncoded = await tf.io.encodeWeights(content.solver.weights);
  const callbackTensors: NamedTensor[] = [];
  const callbackMeta = content.callbacks.map(({ name, state }, i) => {
    (state?.tensors ?? []).forEach((tensor, k) => callbackTensors.push({ name: `callback${i}/${k}`, tensor }));
    return { name, values: state?.values ?? null, tensors: state?.tensors?.length ?? 0 };
  });
  const callbacksEncoded = await tf.io.encodeWeights(callbackTensors);
  const state: SnapshotState = {
    format: SNAPSHOT_FORMAT,
    version: SNAPSHOT_VERSION,
    createdAt: new Date().toISOString(),
    ...content.state,
    callbacks: callbackMeta,
    callbackSpecs: callbacksEncoded.specs,
    solver: { className: content.solverClassName, specs: solverEncoded.specs, adamPowers: content.solver.adamPowers },
    model: { name: content.model.name, ...content.modelInfo, ...modelMeta(content.model) },
  };
  await Promise.all([
    writeFile(join(temporary, "model.json"), JSON.stringify(modelJson)),
    writeFile(join(temporary, "weights.bin"), Buffer.from(joined(artifacts.weightData))),
    writeFile(join(temporary, "optimizer.bin"), Buffer.from(solverEncoded.data)),
    writeFile(join(temporary, "callbacks.bin"), Buffer.from(callbacksEncoded.data)),
    writeFile(join(temporary, "training.json"), JSON.stringify(state, null, 1)),
  ]);
  await rm(finalPath, { recursive: true, force: true });
  await rename(temporary, finalPath);
  let bytes = 0;
  for (const file of readdirSync(finalPath)) bytes += (await stat(join(finalPath, file))).size;
  return { path: finalPath, epochsCompleted: state.epochsCompleted, batchInEpoch: state.batchInEpoch, step: state.step, bytes };
}

/** Architecture facts checked when a snapshot is loaded into a model. */
export function modelMeta(model: tf.LayersModel): { inputShape: number[]; weights: { name: string; shape: number[] }[] } {
  return {
    inputShape: (model.inputs[0].shape as (number | null)[]).slice(1).map((d) => d ?? -1),
    weights: model.weights.map((w) => ({ name: w.originalName, shape: w.shape as number[] })),
  };
}

/** The snapshot folder `path` names: a snapshot itself, or the latest one in a run folder. */
export function findSnapshot(path: string): string {
  const full = resolve(path);
  if (!existsSync(full)) {
    throw new Error(`There is no snapshot at ${full}. Snapshots are in the run's folder, e.g. runs/lenet-20250101-120000/epoch-010 (see result.snapshots).`);
  }
  if (existsSync(join(full, "training.json"))) return full;
  const candidates = listSnapshots(full);
  if (candidates.length === 0) {
    throw new Error(`${full} holds no snapshots (folders with a training.json). Pass a run folder or one of its epoch-NNN folders.`);
  }
  return candidates[candidates.length - 1].path;
}

/** The snapshots in a run folder, oldest first. */
export function listSnapshots(runDir: string): { path: string; step: number }[] {
  const dir = resolve(runDir);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return [];
  const found: { path: string; step: number }[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    const file = join(path, "training.json");
    if (entry.endsWith(".partial") || !existsSync(file)) continue;
    const match = /^epoch-(\d+)(?:-batch-(\d+))?$/.exec(entry);
    if (!match) continue;
    found.push({ path, step: -1 });
  }
  // Order by the step recorded inside, which the names only approximate.
  return found
    .map((f) => ({ path: f.path, step: (readStateSync(f.path) as SnapshotState).step }))
    .sort((a, b) => a.step - b.step);
}

function readStateSync(dir: string): unknown {
  return JSON.parse(readFileSync(join(dir, "training.json"), "utf8"));
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

/** Reads a snapshot (a snapshot folder or a run folder: then its latest snapshot). */
export async function readSnapshot(path: string): Promise<LoadedSnapshot> {
  const dir = findSnapshot(path);
  const state = JSON.parse(await readFile(join(dir, "training.json"), "utf8")) as SnapshotState;
  if (state.format !== SNAPSHOT_FORMAT) throw new Error(`${dir}/training.json is not a convlab training snapshot.`);
  if (state.version > SNAPSHOT_VERSION) {
    throw new Error(`The snapshot at ${dir} was written by a newer convlab (format ${state.version}); update convlab to read it.`);
  }
  const modelJson = JSON.parse(await readFile(join(dir, "model.json"), "utf8")) as LoadedSnapshot["modelJson"];
  const toArrayBuffer = (b: Buffer): ArrayBuffer => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
  const [weightBytes, solverBytes, callbackBytes] = await Promise.all(
    ["weights.bin", "optimizer.bin", "callbacks.bin"].map((f) => readFile(join(dir, f)).then(toArrayBuffer)),
  );
  const weights = decodeInOrder(weightBytes, modelJson.weightsManifest[0].weights);
  const solverTensors = decodeInOrder(solverBytes, state.solver.specs);
  const callbackTensors = decodeInOrder(callbackBytes, state.callbackSpecs);
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
