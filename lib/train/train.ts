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
 * model as it is, the history, and a final snapshot to resume from.
 *
 * The hot loop reads two numbers per step (the batch's loss and correct
 * count); everything else (charts, progress, callbacks) is throttled or cheap.
 */
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { liveChart, type LiveChart } from "../charts/live";
import type { EpochRecord } from "../charts/history-analysis";
import type { Dataset } from "../data/dataset";
import { passOrder } from "../data/batches";
import { interruptSignal, wasInterrupted } from "../display";
import { notebookHost } from "../display/protocol";
import { checkKernelsNotConstant, freshSeed } from "../models/initializers";
import { modelInfo } from "../models/model-info";
import { backendReady } from "../models/backend-ready";
import { ensureBackend } from "../backend/select";
import { settle, type BatchLog, type Callback, type CallbackState, type TrainingContext, type ValidationLog } from "./callbacks";
import { forwardFor } from "./forward";
import { trainingChart, TrainingProgress } from "./live";
import { resolveTrainOptions, SAVED_OPTION_KEYS, type ResolvedTrainOptions, type TrainOptions } from "./options";
import { TrainingResult } from "./result";
import { LearningRateSchedule } from "./schedule";
import { modelMeta, readSnapshot, writeSnapshot, type LivePoint, type LoadedSnapshot, type PartialEpoch } from "./snapshot";
import { createOptimizer, describeSolver, disposeOptimizer, restoreSolverState, setLearningRate, solverState } from "./solvers";
import { TrainStep } from "./step";
import { stopOnNaN, type StopOnNaNCallback } from "./stop-on-nan";
import { scoreSplit } from "./validate";

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

/** Validation batches are larger: no gradients, so memory allows it. */
const VALIDATION_BATCH = 256;
/** Points on the live chart per epoch (DIGITS displays 8 times an epoch). */
const POINTS_PER_EPOCH = 8;
/**
 * Longest time between two yields to the event loop. The kernel hears an
 * interrupt as an event; if that waits more than its grace period (1 s) the
 * kernel breaks off whatever runs, so training yields after about every batch.
 */
const YIELD_MS = 20;

function checkModel(model: unknown): asserts model is tf.LayersModel {
  const m = model as tf.LayersModel;
  if (!m || typeof m.apply !== "function" || !Array.isArray(m.trainableWeights) || !Array.isArray(m.layers)) {
    throw new Error("train() needs a tfjs Layers model as its first argument, e.g. train(lenet(), data) or a tf.sequential() model.");
  }
}

function checkData(data: unknown): asserts data is Dataset {
  const d = data as Dataset;
  if (!d || typeof d.batches !== "function" || !Array.isArray(d.shape) || typeof d.size !== "function") {
    throw new Error(
      "train() needs a convlab Dataset as its second argument, e.g. train(model, await loadMnist()). " +
        "Tensors can be turned into one with new Dataset({...}); see lib/data.",
    );
  }
}

function checkFit(model: tf.LayersModel, data: Dataset): void {
  const input = (model.inputs[0].shape as (number | null)[]).slice(1);
  if (input.length !== 3 || input.some((d, i) => d !== null && d !== data.shape[i])) {
    throw new Error(
      `The model takes inputs of ${input.join("×")}, but ${data.name}'s images are ${data.shape.join("×")}. ` +
        `Build the model with inputShape: dataset.shape (e.g. lenet({ inputShape: data.shape, numClasses: data.numClasses })).`,
    );
  }
  const output = model.outputs[0].shape as (number | null)[];
  const classes = output[output.length - 1];
  if (output.length !== 2 || classes !== data.numClasses) {
    throw new Error(
      `The model gives ${output.slice(1).join("×")} outputs per image, but ${data.name} has ${data.numClasses} classes: ` +
        `the last layer needs ${data.numClasses} units (numClasses: data.numClasses).`,
    );
  }
  if (data.size("train") === 0) {
    throw new Error(`The train split of ${data.name} is empty. Use split(dataset, { train: 0.6, validation: 0.2, test: 0.2 }) first.`);
  }
}

function timestamp(date = new Date()): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}${p(date.getMonth() + 1)}${p(date.getDate())}-${p(date.getHours())}${p(date.getMinutes())}${p(date.getSeconds())}`;
}

function defaultRunDir(model: tf.LayersModel): string {
  const base = resolve("runs", `${model.name.replace(/[^\w.-]+/g, "_")}-${timestamp()}`);
  let dir = base;
  for (let n = 2; existsSync(dir); n++) dir = `${base}-${n}`;
  return dir;
}

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

function checkSnapshotFits(snapshot: LoadedSnapshot, model: tf.LayersModel): void {
  const expected = snapshot.state.model.weights;
  const actual = modelMeta(model).weights;
  const mismatch =
    expected.length !== actual.length ||
    expected.some((w, i) => w.shape.join("×") !== actual[i].shape.join("×"));
  if (mismatch) {
    const describe = (ws: { name: string; shape: number[] }[]) => ws.map((w) => `${w.name} ${w.shape.join("×")}`).join(", ");
    throw new Error(
      `The snapshot at ${snapshot.path} is of a different network than this model.\n` +
        `  snapshot: ${describe(expected)}\n  model:    ${describe(actual)}\n` +
        `Build the same architecture (see the snapshot's model.json), or load it with loadSnapshot().`,
    );
  }
}

/** Trains `model` on `data`'s train split. See TrainOptions for every option and its DIGITS default. */
export async function train(model: tf.LayersModel, data: Dataset, options: TrainOptions = {}): Promise<TrainingResult> {
  checkModel(model);
  checkData(data);
  // A model exists, so a backend ran once; make sure it is ready (the first
  // call after a kernel restart may come before useBackend()).
  if (!backendReady()) await ensureBackend();
  const notes: string[] = [];
  const snapshot = options.resumeFrom ? await readSnapshot(options.resumeFrom) : undefined;
  let resolved: ResolvedTrainOptions;
  try {
    const merged = snapshot ? mergeResumeOptions(snapshot.state.options, options, notes) : options;
    resolved = resolveTrainOptions({ ...merged, live: options.live ?? notebookHost() !== undefined }, freshSeed);
    checkFit(model, data);
    if (snapshot) {
      checkSnapshotFits(snapshot, model);
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
    } else {
      checkKernelsNotConstant(model);
    }
  } catch (error) {
    if (snapshot) disposeSnapshot(snapshot);
    throw error;
  }
  const validating = resolved.validationInterval > 0 && data.size(resolved.validationSplit) > 0;
  if (resolved.validationInterval > 0 && !validating) {
    notes.push(`${data.name} has no ${resolved.validationSplit} split, so there is no validation; split(dataset) makes one.`);
  }

  const trainSize = data.size("train");
  const stepsPerEpoch = Math.ceil(trainSize / resolved.batchSize);
  const maxIter = stepsPerEpoch * resolved.epochs;
  const schedule = new LearningRateSchedule(resolved.lrPolicy, resolved.learningRate, maxIter);
  const runDir = resolved.snapshots ? (resolved.snapshotDir ? resolve(resolved.snapshotDir) : snapshot ? dirname(snapshot.path) : defaultRunDir(model)) : undefined;
  const result = new TrainingResult(model, resolved, runDir, describeSolver(resolved), schedule.describe());
  result.notes.push(...notes);
  lastRuns.set(model, result);

  // Where this call starts.
  let epochsDone = 0;
  let batchInEpoch = 0;
  let step = 0;
  let lrScale = 1;
  let partial: PartialEpoch | undefined;
  let priorSeconds = 0;
  const forward = forwardFor(model);
  const optimizer = createOptimizer(resolved, schedule.at(0));
  const userCallbacks: Callback[] = [...(options.callbacks ?? [])];
  const nanGuard: StopOnNaNCallback | undefined = resolved.stopOnNaN ? stopOnNaN() : undefined;
  const callbacks = nanGuard ? [...userCallbacks, nanGuard] : userCallbacks;
  const callbackName = (cb: Callback, i: number) => cb.name ?? `callback${i}`;

  if (snapshot) {
    try {
      model.setWeights(snapshot.weights);
      if (snapshot.state.solver.className !== optimizer.getClassName()) {
        throw new Error(`The snapshot's solver state is for ${snapshot.state.solver.className}, but this run uses ${optimizer.getClassName()}.`);
      }
      await restoreSolverState(optimizer, snapshot.solver);
      const s = snapshot.state;
      epochsDone = s.epochsCompleted;
      batchInEpoch = s.batchInEpoch;
      step = s.step;
      lrScale = s.lrScale;
      partial = s.partial;
      priorSeconds = s.elapsedSeconds;
      result.history.push(...s.history);
      result.points.push(...s.points);
      result.resumedFrom = snapshot.path;
      userCallbacks.forEach((cb, i) => {
        const saved = snapshot.callbacks[i];
        if (!cb.loadState) return;
        if (!saved || saved.name !== callbackName(cb, i)) {
          result.notes.push(`The snapshot has no state for callback "${callbackName(cb, i)}"; it starts afresh.`);
          return;
        }
        cb.loadState(saved.state);
        saved.state.tensors = [];
      });
      if (step >= maxIter) result.notes.push(`The snapshot already trained all ${resolved.epochs} epochs; raise epochs to train further.`);
    } catch (error) {
      disposeOptimizer(optimizer);
      throw error;
    } finally {
      disposeSnapshot(snapshot);
    }
  }
  result.steps = step;

  const trainStep = new TrainStep(model, forward, optimizer, resolved.weightDecay, resolved.biasLearningRateMultiplier, resolved.randomSeed);
  const signal = interruptSignal();
  const interrupted = () => signal.aborted || wasInterrupted();
  let stopReason: string | undefined;
  let epoch = epochsDone + 1;
  let currentLr = schedule.at(step) * lrScale;
  setLearningRate(optimizer, currentLr);

  const context: TrainingContext = {
    model,
    options: resolved,
    history: result.history,
    get epoch() {
      return epoch;
    },
    get step() {
      return step;
    },
    stepsPerEpoch,
    get learningRate() {
      return schedule.at(step) * lrScale;
    },
    get lrScale() {
      return lrScale;
    },
    set lrScale(value: number) {
      if (!(value > 0 && Number.isFinite(value))) throw new Error(`lrScale must be a positive number (got ${value}).`);
      lrScale = value;
    },
    get interrupted() {
      return result.status === "interrupted" || interrupted();
    },
    stop(reason: string) {
      if (!stopReason) stopReason = reason;
    },
    get stopRequested() {
      return stopReason !== undefined;
    },
    note(text: string) {
      result.notes.push(text);
    },
  };

  const started = performance.now();
  let chart: LiveChart<LivePoint> | undefined;
  let progress: TrainingProgress | undefined;
  const timing = result.timing;
  let trainMs = 0;
  let images = 0;
  // Below one epoch, validation runs every `withinEpoch` batches and at each
  // epoch's end; from one epoch up, at the end of each epoch that crosses a
  // multiple of the interval (and always after the last one).
  const interval = resolved.validationInterval;
  const withinEpoch = validating && interval < 1 ? Math.max(1, Math.round(interval * stepsPerEpoch)) : 0;
  const validateAfterEpoch = (e: number) =>
    validating && (interval < 1 || e === resolved.epochs || Math.floor(e / interval + 1e-9) > Math.floor((e - 1) / interval + 1e-9));
  const startStep = step;
  const segmentSteps = Math.max(1, Math.floor(stepsPerEpoch / POINTS_PER_EPOCH));

  const progressState = (batch: number, loss: number | undefined, phase?: string) => {
    const elapsed = (performance.now() - started) / 1000;
    const doneHere = step - startStep;
    return {
      epoch: Math.min(epoch, resolved.epochs),
      epochs: resolved.epochs,
      batch,
      batches: stepsPerEpoch,
      step,
      totalSteps: maxIter,
      imagesPerSecond: trainMs > 0 ? images / (trainMs / 1000) : 0,
      secondsLeft: doneHere > 0 ? (elapsed / doneHere) * (maxIter - step) : NaN,
      loss,
      lr: currentLr,
      phase,
    };
  };

  if (resolved.live) {
    // The progress line first, the chart under it.
    progress = new TrainingProgress();
    progress.update(() => progressState(batchInEpoch, undefined, "starting"), true);
    chart = liveChart<LivePoint>((points) => trainingChart(points), { initial: result.points });
  }

  const runHook = async (hook: (cb: Callback) => void | Promise<void>) => {
    for (const cb of callbacks) {
      const pending = settle(hook(cb));
      if (pending) await pending;
    }
  };

  const validate = async (): Promise<ValidationLog | undefined> => {
    const t0 = performance.now();
    progress?.update(() => progressState(batchInEpoch, undefined, "validating"), true);
    const score = await scoreSplit(forward, data, resolved.validationSplit, VALIDATION_BATCH, interrupted);
    timing.validationSeconds += (performance.now() - t0) / 1000;
    if (!score) return undefined;
    const log: ValidationLog = { epoch: epochsDone + batchInEpoch / stepsPerEpoch, step, valLoss: score.loss, valAccuracy: score.accuracy };
    const last = result.points[result.points.length - 1];
    if (last && Math.abs(last.epoch - log.epoch) < 1e-9) {
      // The chart holds the same point object: marking it changed is enough.
      last.valLoss = log.valLoss;
      last.valAccuracy = log.valAccuracy;
      chart?.push();
    } else {
      const point: LivePoint = { epoch: log.epoch, valLoss: log.valLoss, valAccuracy: log.valAccuracy };
      result.points.push(point);
      // The live chart keeps its own list of points (a copy of the initial ones), so new points go to both.
      chart?.push(point);
    }
    await runHook((cb) => cb.onValidationEnd?.(log, context));
    return log;
  };

  const snapshotNow = async (): Promise<void> => {
    if (!runDir) return;
    const t0 = performance.now();
    const callbackStates = callbacks
      .map((cb, i) => ({ cb, i }))
      .filter(({ cb }) => cb !== nanGuard)
      .map(({ cb, i }) => ({ name: callbackName(cb, i), state: cb.saveState?.() as CallbackState | undefined }));
    const solver = await solverState(optimizer);
    const { snapshots: _s, snapshotDir: _d, live: _l, ...savedOptions } = resolved;
    const info = await writeSnapshot(runDir, {
      model,
      modelInfo: { architecture: modelInfo(model)?.architecture, seed: modelInfo(model)?.seed },
      solver,
      solverClassName: optimizer.getClassName(),
      callbacks: callbackStates,
      state: {
        epochsCompleted: epochsDone,
        batchInEpoch,
        step,
        partial: batchInEpoch > 0 ? partial : undefined,
        options: savedOptions,
        history: result.history,
        points: result.points,
        lrScale,
        dataset: { name: data.name, shape: [...data.shape], classNames: [...data.classNames], trainSize },
        elapsedSeconds: priorSeconds + trainMs / 1000,
        images: step * resolved.batchSize,
      },
    });
    // The iteration counter tensor getWeights() made is ours to free.
    solver.weights[0]?.tensor.dispose();
    result.snapshots.push(info);
    timing.snapshotSeconds += (performance.now() - t0) / 1000;
  };

  let status: "completed" | "stopped" | "interrupted" | "failed" = "completed";
  let lastSnapshotStep = -1;
  try {
    await runHook((cb) => cb.onTrainBegin?.(context));
    let lastYield = performance.now();
    training: for (; epoch <= resolved.epochs && step < maxIter; epoch++) {
      await runHook((cb) => cb.onEpochBegin?.(epoch, context));
      const order = passOrder(data, { split: "train", shuffle: resolved.shuffle, seed: resolved.randomSeed, epoch });
      const startBatch = batchInEpoch;
      const view = data.withSplits({ train: order.subarray(startBatch * resolved.batchSize) });
      partial = partial ?? { lossSum: 0, correct: 0, seen: 0 };
      let segment = { loss: 0, correct: 0, seen: 0 };
      let lastLoss: number | undefined;
      const batches = view.batches({
        batchSize: resolved.batchSize,
        shuffle: false,
        seed: resolved.randomSeed,
        epoch,
        augment: resolved.augment,
        labels: "one-hot",
      });
      for await (const batch of batches) {
        const t0 = performance.now();
        if (interrupted()) {
          batch.dispose();
          status = "interrupted";
          break training;
        }
        const lr = schedule.at(step) * lrScale;
        if (lr !== currentLr) {
          setLearningRate(optimizer, lr);
          currentLr = lr;
        }
        let loss: number;
        let correct: number;
        try {
          const sums = trainStep.run(batch.xs, batch.ys, step);
          [loss, correct] = sums.dataSync();
          sums.dispose();
        } finally {
          batch.dispose();
        }
        const size = batch.size;
        step++;
        batchInEpoch++;
        images += size;
        partial.lossSum += loss * size;
        partial.correct += correct;
        partial.seen += size;
        segment.loss += loss * size;
        segment.correct += correct;
        segment.seen += size;
        lastLoss = loss;
        const now = performance.now();
        trainMs += now - t0;
        result.steps = step;

        if (batchInEpoch % segmentSteps === 0 || batchInEpoch === stepsPerEpoch) {
          const point: LivePoint = {
            epoch: epochsDone + batchInEpoch / stepsPerEpoch,
            loss: segment.loss / segment.seen,
            accuracy: segment.correct / segment.seen,
            lr,
          };
          result.points.push(point);
          segment = { loss: 0, correct: 0, seen: 0 };
          chart?.push(point);
        }
        if (callbacks.length) {
          const log: BatchLog = { epoch, batch: batchInEpoch - 1, step: step - 1, size, loss, accuracy: correct / size, lr };
          await runHook((cb) => cb.onBatchEnd?.(log, context));
        }
        progress?.update(() => progressState(batchInEpoch, lastLoss));
        if (stopReason) {
          status = "stopped";
          break training;
        }
        if (withinEpoch && batchInEpoch % withinEpoch === 0 && batchInEpoch < stepsPerEpoch) {
          const log = await validate();
          if (log) {
            partial.valLoss = log.valLoss;
            partial.valAccuracy = log.valAccuracy;
          }
        }
        if (now - lastYield > YIELD_MS) {
          await new Promise<void>((resolve) => setImmediate(resolve));
          lastYield = performance.now();
        }
      }

      // The epoch is complete.
      if (validateAfterEpoch(epoch)) {
        const log = await validate();
        if (!log && interrupted()) {
          status = "interrupted";
          break training;
        }
        if (log) {
          partial.valLoss = log.valLoss;
          partial.valAccuracy = log.valAccuracy;
        }
      }
      epochsDone = epoch;
      batchInEpoch = 0;
      const record: EpochRecord = {
        epoch,
        loss: partial.lossSum / partial.seen,
        accuracy: partial.correct / partial.seen,
      };
      if (partial.valLoss !== undefined) {
        record.valLoss = partial.valLoss;
        record.valAccuracy = partial.valAccuracy;
      }
      record.lr = currentLr;
      result.history.push(record);
      partial = undefined;
      await runHook((cb) => cb.onEpochEnd?.(record, context));
      if (stopReason) status = "stopped";
      const lastEpoch = epoch === resolved.epochs || status === "stopped";
      if ((resolved.snapshotInterval > 0 && epoch % resolved.snapshotInterval === 0) || lastEpoch) {
        if (!nanGuard?.stopped) {
          await snapshotNow();
          lastSnapshotStep = step;
        }
      }
      progress?.update(() => progressState(stepsPerEpoch, record.loss), true);
      if (status === "stopped") break;
    }

    if (status === "interrupted") {
      result.interruptedAt = { epoch, batch: batchInEpoch, step };
      stopReason = `Interrupted at step ${step} (epoch ${epoch}, batch ${batchInEpoch} of ${stepsPerEpoch}).`;
    }
    // A final snapshot where training ended, unless one was just taken (or the weights broke).
    if (step !== lastSnapshotStep && !nanGuard?.stopped && step > 0) await snapshotNow();
  } catch (error) {
    status = "failed";
    result.error = error as Error;
  } finally {
    result.stopReason = stopReason;
    timing.seconds = (performance.now() - started) / 1000;
    timing.trainSeconds = trainMs / 1000;
    timing.images = images;
    timing.imagesPerSecond = trainMs > 0 ? images / (trainMs / 1000) : 0;
    timing.totalSeconds = priorSeconds + trainMs / 1000;
    result.status = status === "completed" ? "running" : status;
    try {
      await runHook((cb) => cb.onTrainEnd?.(result, context));
    } catch (error) {
      if (!result.error) {
        status = "failed";
        result.error = error as Error;
      }
    }
    trainStep.dispose();
    disposeOptimizer(optimizer);
    chart?.done();
    result.finish(status);
    progress?.finish(result.headline(), result.lines().slice(1));
  }
  if (result.error) throw result.error;
  return result;
}

function disposeSnapshot(snapshot: LoadedSnapshot): void {
  tf.dispose(snapshot.weights);
  tf.dispose(snapshot.solver.weights.map((w) => w.tensor));
  for (const c of snapshot.callbacks) tf.dispose(c.state.tensors ?? []);
}

