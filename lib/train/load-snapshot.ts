/**
 * loadSnapshot(path): a model back from a snapshot folder (or the latest
 * snapshot of a run folder), e.g. in a new session, with what the run had
 * recorded. To continue training it: train(model, data, { resumeFrom: path }).
 */
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import type { EpochRecord } from "../history";
import { disposeSnapshot, readSnapshot, SnapshotError } from "./read-snapshot";
import type { SnapshotState } from "./snapshot";

export interface LoadedModel {
  model: tf.LayersModel;
  /** The snapshot folder read. */
  path: string;
  /** Epochs completed when it was taken. */
  epochsCompleted: number;
  step: number;
  history: EpochRecord[];
  /** Everything training.json holds. */
  state: SnapshotState;
}

export async function loadSnapshot(path: string): Promise<LoadedModel> {
  const snapshot = await readSnapshot(path);
  try {
    let model: tf.LayersModel;
    try {
      model = await tf.models.modelFromJSON({ modelTopology: snapshot.modelJson.modelTopology as never });
    } catch (error) {
      const file = join(snapshot.path, "model.json");
      throw new SnapshotError(`The network in ${file} cannot be rebuilt (${(error as Error).message}); the file is damaged or not from convlab. Use another snapshot of the run.`, file);
    }
    model.setWeights(snapshot.weights);
    return {
      model,
      path: snapshot.path,
      epochsCompleted: snapshot.state.epochsCompleted,
      step: snapshot.state.step,
      history: snapshot.state.history,
      state: snapshot.state,
    };
  } finally {
    disposeSnapshot(snapshot);
  }
}
