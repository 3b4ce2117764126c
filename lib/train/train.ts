/**
 * train(model, data, options): DIGITS's training, in a notebook.
 *
 *     const model = lenet({ seed: 1 });
 *     const run = await train(model, mnist, { epochs: 30, randomSeed: 1 });
 *
 * Each epoch visits the training split in a seeded order, one batch per
 * step, with the learning rate of the lrPolicy at that step; validates every
 * validationInterval epochs; writes a snapshot every snapshotInterval epochs.
 * A live chart and a progress line show how it goes. Interrupting (the
 * notebook's stop button) ends training at the next batch and keeps the
 * model as it is, the history, and a final snapshot to resume from; train()
 * then throws TrainingInterrupted, so the cell ends as interrupted.
 *
 * As in Keras, train() is a short loop (loop.ts) and everything around it is
 * a callback: the display (live.ts), snapshots (snapshot-callback.ts), the
 * NaN guard (stop-on-nan.ts) and the learner's own. Resuming is resume.ts;
 * the run's length and learning rates are planRun's (plan.ts).
 */
import type * as tf from "@tensorflow/tfjs";
import type { Dataset } from "../data";
import { ensureBackend } from "../backend";
import { interruptSignal } from "../display";
import { backendReady } from "../models/backend-ready";
import { checkBeforeTraining, checkData, checkModel } from "./check-inputs";
import { TrainingInterrupted } from "./interrupted";
import { runEpochs } from "./loop";
import { TrainingDisplay } from "./live";
import type { TrainOptions } from "./options";
import { planRun } from "./plan";
import { TrainingResult } from "./result";
import { restoreRun, runOptions } from "./resume";
import { TrainingRun } from "./run";
import { runFolder } from "./run-folder";
import { readSnapshot } from "./read-snapshot";
import { SnapshotWriter } from "./snapshot-callback";
import { describeSolver } from "./solvers";
import { TrainStep } from "./step";
import { stopOnNaN } from "./stop-on-nan";

const lastRuns = new WeakMap<tf.LayersModel, TrainingResult>();

/**
 * The latest training run of `model`: in progress, finished, or stopped by
 * an interrupt. After interrupting a cell that ran `await train(...)`, the
 * result was never assigned; it is here:
 *
 *     const run = lastTraining(model);
 *     await run.done;           // the final snapshot is written
 *     run.history, run.interrupted, run.lastSnapshot
 */
export function lastTraining(model: tf.LayersModel): TrainingResult | undefined {
  return lastRuns.get(model);
}

/** Trains `model` on `data`'s train split. See TrainOptions for every option and its DIGITS default. */
export async function train(model: tf.LayersModel, data: Dataset, options: TrainOptions = {}): Promise<TrainingResult> {
  checkModel(model);
  checkData(data);
  // This cell's signal: an interrupt during the checks below must stop this run, not a later cell's.
  const signal = interruptSignal();
  // A model exists, so a backend ran once; make sure it is ready (the first
  // call after a kernel restart may come before useBackend()).
  if (!backendReady()) await ensureBackend();
  const snapshot = options.resumeFrom ? await readSnapshot(options.resumeFrom) : undefined;
  const notes: string[] = [];
  const resolved = runOptions(model, data, options, snapshot, notes);
  await checkBeforeTraining(model, data, resolved, snapshot, notes);
  const plan = planRun(resolved, data.size("train"));
  const runDir = runFolder(resolved, model, snapshot, notes);
  const result = new TrainingResult(model, resolved, runDir, describeSolver(resolved), plan.schedule.describe());
  result.notes.push(...notes);
  lastRuns.set(model, result);

  const run = new TrainingRun(model, data, resolved, plan, result, [...(options.callbacks ?? [])], options.objective, signal);
  if (options.objective) result.notes.push(`Trained on ${run.forward.description}.`);
  if (snapshot) await restoreRun(run, snapshot);
  result.steps = run.position.step;
  run.trainStep = new TrainStep(model, run.forward, run.optimizer, resolved.weightDecay, resolved.biasLearningRateMultiplier, resolved.randomSeed);
  run.epoch = run.position.epochsDone + 1;
  run.startStep = run.position.step;
  run.startLearningRate();
  const nanGuard = resolved.stopOnNaN ? stopOnNaN() : undefined;
  const display = resolved.live ? new TrainingDisplay(run) : undefined;
  const snapshots = runDir ? new SnapshotWriter(run, runDir, nanGuard) : undefined;
  run.addCallbacks([display], [nanGuard, snapshots]);
  run.started = performance.now();

  try {
    await runEpochs(run);
    if (run.status === "interrupted") {
      const { step, batchInEpoch } = run.position;
      result.interruptedAt = { epoch: run.epoch, batch: batchInEpoch, step };
      run.stopReason = `Interrupted at step ${step} (epoch ${run.epoch}, batch ${batchInEpoch} of ${plan.stepsPerEpoch}).`;
    }
    await snapshots?.finish();
  } catch (error) {
    run.status = "failed";
    result.error = error as Error;
  } finally {
    await endRun(run);
    await display?.finish();
  }
  if (result.error) throw result.error;
  if (result.status === "interrupted") throw new TrainingInterrupted(result);
  return result;
}

/** Fills in how the run ended, lets the callbacks finish, frees the solver and settles the result. */
async function endRun(run: TrainingRun): Promise<void> {
  const { result } = run;
  result.stopReason = run.stopReason;
  const timing = result.timing;
  timing.seconds = (performance.now() - run.started) / 1000;
  timing.trainSeconds = run.trainMs / 1000;
  timing.images = run.images;
  timing.imagesPerSecond = run.trainMs > 0 ? run.images / (run.trainMs / 1000) : 0;
  timing.totalSeconds = run.position.priorSeconds + run.trainMs / 1000;
  result.status = run.status === "completed" ? "running" : run.status;
  try {
    await run.runHook((cb) => cb.onTrainEnd?.(result, run.context));
  } catch (error) {
    if (!result.error) {
      run.status = "failed";
      result.error = error as Error;
    }
  }
  run.dispose();
  result.finish(run.status);
}
