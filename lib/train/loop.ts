/**
 * The training loop: epochs of batches, validation when it is due, and the
 * callbacks' hooks in between. Everything else (showing progress, writing
 * snapshots, stopping on NaN) is a callback.
 *
 * The hot loop reads two numbers per step (the batch's loss and correct
 * count); everything else (charts, progress, callbacks) is throttled or cheap.
 */
import { passOrder } from "../data";
import type { BatchLog } from "./callbacks";
import type { TrainingRun } from "./run";

/** Points on the live chart per epoch (DIGITS displays 8 times an epoch). */
const POINTS_PER_EPOCH = 8;
/**
 * Longest time between two yields to the event loop. The kernel hears an
 * interrupt as an event; if that waits more than its grace period (1 s) the
 * kernel breaks off whatever runs, so training yields after about every batch.
 */
const YIELD_MS = 20;

/**
 * When validation runs. Below one epoch, every `withinEpoch` batches and at
 * each epoch's end; from one epoch up, at the end of each epoch that crosses
 * a multiple of the interval (and always after the last one).
 */
function validationTimes(run: TrainingRun): { withinEpoch: number; afterEpoch: (epoch: number) => boolean } {
  const interval = run.options.validationInterval;
  const withinEpoch = run.validating && interval < 1 ? Math.max(1, Math.round(interval * run.plan.stepsPerEpoch)) : 0;
  const afterEpoch = (e: number) =>
    run.validating && (interval < 1 || e === run.options.epochs || Math.floor(e / interval + 1e-9) > Math.floor((e - 1) / interval + 1e-9));
  return { withinEpoch, afterEpoch };
}

/** Trains from the run's position to its last epoch, or until a callback stops it or the learner interrupts. */
export async function runEpochs(run: TrainingRun): Promise<void> {
  const { options, plan, position } = run;
  const validation = validationTimes(run);
  await run.runHook((cb) => cb.onTrainBegin?.(run.context));
  for (; run.epoch <= options.epochs && position.step < plan.maxIter; run.epoch++) {
    await run.runHook((cb) => cb.onEpochBegin?.(run.epoch, run.context));
    if (!(await runBatches(run, validation.withinEpoch))) return;
    if (validation.afterEpoch(run.epoch)) {
      const log = await run.validate();
      if (!log && run.interrupted()) {
        run.status = "interrupted";
        return;
      }
    }
    const record = run.recordEpoch();
    await run.runHook((cb) => cb.onEpochEnd?.(record, run.context));
    if (run.stopReason) {
      run.status = "stopped";
      return;
    }
  }
}

/** One epoch's batches (from where a resumed run left off); false when training must end now. */
async function runBatches(run: TrainingRun, validateEvery: number): Promise<boolean> {
  const { options, plan, position, data } = run;
  const epoch = run.epoch;
  const order = passOrder(data, { split: "train", shuffle: options.shuffle, seed: options.randomSeed, epoch });
  const view = data.withSplits({ train: order.subarray(position.batchInEpoch * options.batchSize) });
  const partial = (position.partial ??= { lossSum: 0, correct: 0, seen: 0 });
  const segmentSteps = Math.max(1, Math.floor(plan.stepsPerEpoch / POINTS_PER_EPOCH));
  let segment = { loss: 0, correct: 0, seen: 0 };
  let lastYield = performance.now();
  const batches = view.batches({ batchSize: options.batchSize, shuffle: false, seed: options.randomSeed, epoch, augment: options.augment, labels: "one-hot" });
  for await (const batch of batches) {
    const t0 = performance.now();
    if (run.interrupted()) {
      batch.dispose();
      run.status = "interrupted";
      return false;
    }
    const lr = run.applyLearningRate();
    let loss: number;
    let correct: number;
    const ys = run.forward.targets(batch);
    try {
      const sums = run.trainStep!.run(batch.xs, ys, position.step);
      [loss, correct] = sums.dataSync();
      sums.dispose();
    } finally {
      if (ys !== batch.ys) ys.dispose();
      batch.dispose();
    }
    const size = batch.size;
    position.step++;
    position.batchInEpoch++;
    run.images += size;
    partial.lossSum += loss * size;
    partial.correct += correct;
    partial.seen += size;
    segment.loss += loss * size;
    segment.correct += correct;
    segment.seen += size;
    const now = performance.now();
    run.trainMs += now - t0;
    run.result.steps = position.step;

    if (position.batchInEpoch % segmentSteps === 0 || position.batchInEpoch === plan.stepsPerEpoch) {
      run.addPoint({ epoch: run.epochProgress, loss: segment.loss / segment.seen, accuracy: segment.correct / segment.seen, lr });
      segment = { loss: 0, correct: 0, seen: 0 };
    }
    if (run.hasCallbacks) {
      const log: BatchLog = { epoch, batch: position.batchInEpoch - 1, step: position.step - 1, size, loss, accuracy: correct / size, lr };
      await run.runHook((cb) => cb.onBatchEnd?.(log, run.context));
    }
    if (run.stopReason) {
      run.status = "stopped";
      return false;
    }
    if (validateEvery && position.batchInEpoch % validateEvery === 0 && position.batchInEpoch < plan.stepsPerEpoch) await run.validate();
    if (now - lastYield > YIELD_MS) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      lastYield = performance.now();
    }
  }
  return true;
}
