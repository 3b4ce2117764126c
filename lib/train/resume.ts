/**
 * Resuming from a snapshot: the options a resumed run uses (the snapshot's,
 * overridden by those given, with a note for each change), the checks that
 * model and data fit the snapshot, and putting the run back where it was.
 */
import * as tf from "@tensorflow/tfjs";
import type { Dataset } from "../data";
import { checkKernelsNotConstant } from "../models";
import { inNotebook } from "../display";
import { freshSeed } from "../models/initializers";
import { checkFit } from "./check-inputs";
import { resolveTrainOptions, SAVED_OPTION_KEYS, type ResolvedTrainOptions, type TrainOptions } from "./options";
import { TrainingRun } from "./run";
import { modelMeta } from "./snapshot";
import { disposeSnapshot, type LoadedSnapshot } from "./read-snapshot";
import { restoreSolverState } from "./solvers";

/** Options for a resumed run: the snapshot's, overridden by those given (with a note for each change). */
function mergeResumeOptions(saved: LoadedSnapshot["state"]["options"], given: TrainOptions, notes: string[]): TrainOptions {
  const merged: TrainOptions = { ...(saved as unknown as TrainOptions) };
  // Snapshots from before biasLearningRateMultiplier existed were trained with biases at the kernels' rate.
  if (!("biasLearningRateMultiplier" in saved)) {
    merged.biasLearningRateMultiplier = 1;
    if (given.biasLearningRateMultiplier === undefined) notes.push("The snapshot predates biasLearningRateMultiplier; biases keep the kernels' rate (1), as they were trained.");
  }
  for (const [key, value] of Object.entries(given)) {
    if (value === undefined) continue;
    const savedValue = (saved as unknown as Record<string, unknown>)[key];
    if ((SAVED_OPTION_KEYS as readonly string[]).includes(key) && JSON.stringify(savedValue) !== JSON.stringify(value)) {
      if (key === "solver") {
        throw new Error(
          `The snapshot was trained with solver "${String(savedValue)}"; its state (momentum, moments) does not carry over to "${String(value)}". ` +
            `Leave solver out to continue as it was.`,
        );
      }
      if (key === "lrPolicy" && typeof value === "object" && JSON.stringify({ ...(savedValue as object), ...value }) === JSON.stringify(savedValue)) continue;
      notes.push(`Resumed with ${key} ${JSON.stringify(value)} instead of the snapshot's ${JSON.stringify(savedValue)}: the run will differ from one never stopped.`);
    }
    (merged as Record<string, unknown>)[key] = value;
  }
  return merged;
}

/** The snapshot is of this model's architecture and was trained on this dataset's classes. */
function checkSnapshotFits(snapshot: LoadedSnapshot, model: tf.LayersModel, data: Dataset, notes: string[]): void {
  const expected = snapshot.state.model.weights;
  const actual = modelMeta(model).weights;
  const mismatch = expected.length !== actual.length || expected.some((w, i) => w.shape.join("×") !== actual[i].shape.join("×"));
  if (mismatch) {
    const describe = (ws: { name: string; shape: number[] }[]) => ws.map((w) => `${w.name} ${w.shape.join("×")}`).join(", ");
    throw new Error(
      `The snapshot at ${snapshot.path} is of a different network than this model.\n` +
        `  snapshot: ${describe(expected)}\n  model:    ${describe(actual)}\n` +
        `Build the same architecture (see the snapshot's model.json), or load it with loadSnapshot().`,
    );
  }
  const saved = snapshot.state.dataset;
  if (saved.classNames.join("\u0000") !== data.classNames.join("\u0000")) {
    throw new Error(
      `The snapshot was trained on ${saved.name} with classes ${saved.classNames.join(", ")}; ` +
        `${data.name} has ${data.classNames.join(", ")}. Resume with the same dataset.`,
    );
  }
  if (saved.trainSize !== data.size("train")) {
    notes.push(
      `The snapshot's run trained on ${saved.trainSize} images, this dataset's train split has ${data.size("train")}: ` +
        `batches and schedule differ from a run never stopped.`,
    );
  }
}

/**
 * The options the run will use (the given ones, or the snapshot's overridden
 * by them), once model, data and snapshot are known to fit. The snapshot is
 * freed if they do not.
 */
export function runOptions(
  model: tf.LayersModel,
  data: Dataset,
  options: TrainOptions,
  snapshot: LoadedSnapshot | undefined,
  notes: string[],
): ResolvedTrainOptions {
  try {
    const merged = snapshot ? mergeResumeOptions(snapshot.state.options, options, notes) : options;
    const resolved = resolveTrainOptions({ ...merged, live: options.live ?? inNotebook() }, freshSeed);
    checkFit(model, data, options.objective);
    if (snapshot) checkSnapshotFits(snapshot, model, data, notes);
    else checkKernelsNotConstant(model);
    return resolved;
  } catch (error) {
    if (snapshot) disposeSnapshot(snapshot);
    throw error;
  }
}

/** Puts the run where the snapshot left off: weights, solver state, position, records and callbacks' states. Frees the snapshot. */
export async function restoreRun(run: TrainingRun, snapshot: LoadedSnapshot): Promise<void> {
  const { result, position } = run;
  try {
    run.model.setWeights(snapshot.weights);
    if (snapshot.state.solver.className !== run.optimizer.getClassName()) {
      throw new Error(`The snapshot's solver state is for ${snapshot.state.solver.className}, but this run uses ${run.optimizer.getClassName()}.`);
    }
    await restoreSolverState(run.optimizer, snapshot.solver);
    const s = snapshot.state;
    Object.assign(position, {
      epochsDone: s.epochsCompleted,
      batchInEpoch: s.batchInEpoch,
      step: s.step,
      lrScale: s.lrScale,
      partial: s.partial,
      priorSeconds: s.elapsedSeconds,
    });
    result.history.push(...s.history);
    result.points.push(...s.points);
    result.resumedFrom = snapshot.path;
    run.userCallbacks.forEach((cb, i) => {
      const saved = snapshot.callbacks[i];
      const name = TrainingRun.callbackName(cb, i);
      if (!cb.loadState) return;
      if (!saved || saved.name !== name) {
        result.notes.push(`The snapshot has no state for callback "${name}"; it starts afresh.`);
        return;
      }
      cb.loadState(saved.state);
      saved.state.tensors = [];
    });
    if (position.step >= run.plan.maxIter) result.notes.push(`The snapshot already trained all ${run.options.epochs} epochs; raise epochs to train further.`);
  } catch (error) {
    run.dispose();
    throw error;
  } finally {
    disposeSnapshot(snapshot);
  }
}
