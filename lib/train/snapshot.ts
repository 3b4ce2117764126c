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
 * interrupted write never leaves a half snapshot behind. Reading one back
 * (and naming what is wrong with a damaged one) is read-snapshot.ts.
 */
import { readdirSync } from "node:fs";
import { mkdir, rename, rm, stat, writeFile } from "node:fs/promises";
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
