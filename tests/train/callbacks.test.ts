/**
 * Callbacks: early stopping with the best weights restored (also across a
 * snapshot), reduce-LR-on-plateau, the NaN stop and its diagnosis, and
 * custom hooks.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import type { EpochRecord } from "../../lib/history";
import {
  callback,
  diagnoseNaN,
  earlyStopping,
  reduceLROnPlateau,
  train,
  type BatchLog,
  type TrainingContext,
  type TrainOptions,
} from "../../lib/train";
import { maxDifference, smallCnn, smallMnist, tempDir, weightsOf } from "./helpers";

const quiet: TrainOptions = { live: false, snapshots: false };

/** A stand-in for train()'s context, for driving a callback by hand. */
function fakeContext(model: tf.LayersModel, learningRate = 0.01) {
  const notes: string[] = [];
  let stopReason: string | undefined;
  let lrScale = 1;
  const ctx = {
    model,
    options: { validationInterval: 1 },
    history: [],
    epoch: 1,
    step: 0,
    stepsPerEpoch: 10,
    get learningRate() {
      return learningRate * lrScale;
    },
    get lrScale() {
      return lrScale;
    },
    set lrScale(v: number) {
      lrScale = v;
    },
    interrupted: false,
    stop: (reason: string) => void (stopReason ??= reason),
    get stopRequested() {
      return stopReason !== undefined;
    },
    note: (text: string) => void notes.push(text),
  } as unknown as TrainingContext;
  return { ctx, notes, stopReason: () => stopReason };
}

/** Scores per epoch written into each record before the callbacks that watch them. */
const scoring = (scores: number[]) =>
  callback({ name: "score", onEpochEnd: (record: EpochRecord) => void (record.score = scores[record.epoch - 1]) });

describe("callbacks", function () {
  this.timeout(300_000);
  let folder: { path: string; remove(): void };
  before(async () => {
    await smallMnist();
    folder = tempDir("callbacks");
  });
  after(() => folder.remove());

  describe("earlyStopping", () => {
    it("stops after `patience` epochs without improvement and restores the best epoch's weights", async () => {
      const data = await smallMnist();
      const model = smallCnn(21);
      const atEpochEnd: Float32Array[][] = [];
      const stopper = earlyStopping({ monitor: "score", mode: "min", patience: 2 });
      const run = await train(model, data, {
        ...quiet,
        epochs: 10,
        randomSeed: 1,
        callbacks: [scoring([0.5, 0.4, 0.45, 0.41, 0.3]), stopper, callback({ onEpochEnd: () => void atEpochEnd.push(weightsOf(model)) })],
      });
      assert.equal(run.status, "stopped");
      assert.equal(run.history.length, 4, "epochs 3 and 4 did not beat epoch 2");
      assert.equal(stopper.stoppedEpoch, 4);
      assert.deepEqual(stopper.best, { value: 0.4, epoch: 2 });
      assert.match(run.stopReason!, /early stopping: score has not improved for 2 epochs \(best 0.4 at epoch 2\)/);
      assert.ok(run.notes.some((n) => /restored the weights of epoch 2/.test(n)));
      assert.equal(maxDifference(weightsOf(model), atEpochEnd[1]), 0, "the model ends with epoch 2's weights");
      model.dispose();
    });

    it("uses Keras's monitor, mode and minDelta rules, and defaults to valLoss", () => {
      const model = smallCnn(22);
      const { ctx, stopReason } = fakeContext(model);
      const stopper = earlyStopping({ patience: 1, minDelta: 0.05 });
      stopper.onEpochEnd!({ epoch: 1, valLoss: 1.0 }, ctx);
      stopper.onEpochEnd!({ epoch: 2, valLoss: 0.97 }, ctx);
      assert.match(stopReason()!, /valLoss has not improved for 1 epoch \(best 1 at epoch 1\)/, "0.03 < minDelta is no improvement");
      const accuracy = earlyStopping({ monitor: "valAccuracy", patience: 1 });
      const second = fakeContext(model);
      accuracy.onEpochEnd!({ epoch: 1, valAccuracy: 0.9 }, second.ctx);
      accuracy.onEpochEnd!({ epoch: 2, valAccuracy: 0.95 }, second.ctx);
      assert.equal(second.stopReason(), undefined, "accuracy is maximized");
      assert.deepEqual(accuracy.best, { value: 0.95, epoch: 2 });
      accuracy.onTrainEnd!(undefined as never, second.ctx);
      assert.throws(() => earlyStopping({ patience: -1 }), /patience is a whole number of epochs/);
      assert.throws(() => earlyStopping({ mode: "lowest" as never }), /mode must be "min", "max" or "auto"/);
      stopper.onTrainEnd!(undefined as never, ctx);
      model.dispose();
    });

    it("carries its best value and weights through a snapshot", async () => {
      const data = await smallMnist();
      const options: TrainOptions = { live: false, epochs: 4, randomSeed: 3 };
      const scores = [0.5, 0.4, 0.45, 0.5];
      const straight = smallCnn(23);
      await train(straight, data, { ...options, snapshots: false, callbacks: [scoring(scores), earlyStopping({ monitor: "score", patience: 5 })] });

      const first = smallCnn(23);
      const dir = join(folder.path, "early");
      await train(first, data, {
        ...options,
        snapshotDir: dir,
        callbacks: [scoring(scores), earlyStopping({ monitor: "score", patience: 5 }), callback({ name: "halt", onEpochEnd: (r, ctx) => void (r.epoch === 3 && ctx.stop("halt")) })],
      });
      const resumed = smallCnn(77);
      const rest = await train(resumed, data, {
        live: false,
        snapshots: false,
        resumeFrom: join(dir, "epoch-003"),
        callbacks: [scoring(scores), earlyStopping({ monitor: "score", patience: 5 }), callback({ name: "halt" })],
      });
      assert.ok(rest.notes.some((n) => /restored the weights of epoch 2/.test(n)), rest.notes.join("\n"));
      assert.equal(maxDifference(weightsOf(resumed), weightsOf(straight)), 0);
      for (const m of [straight, first, resumed]) m.dispose();
    });
  });

  describe("reduceLROnPlateau", () => {
    it("multiplies the rate by `factor` after `patience` epochs without improvement, then cools down", () => {
      const model = smallCnn(24);
      const { ctx, notes } = fakeContext(model, 0.1);
      const reducer = reduceLROnPlateau({ patience: 2, factor: 0.5, cooldown: 1, minLr: 0.02 });
      const losses = [1.0, 0.9, 0.95, 0.92, 0.93, 0.94, 0.96, 0.97];
      losses.forEach((valLoss, i) => reducer.onEpochEnd!({ epoch: i + 1, valLoss }, ctx));
      // Epochs 3 and 4 are no better than 0.9: halve after 4. Epoch 5 ends the
      // one-epoch cooldown and (as in Keras) counts; 6 stalls too: halve again.
      // Same after 8, but not below minLr.
      assert.deepEqual(reducer.reductions, [
        { epoch: 4, lr: 0.05 },
        { epoch: 6, lr: 0.025 },
        { epoch: 8, lr: 0.02 },
      ]);
      assert.ok(Math.abs(ctx.learningRate - 0.02) < 1e-12);
      assert.match(notes[0], /valLoss stalled for 2 epochs; learning rate 0.1 → 0.05 after epoch 4/);
      model.dispose();
    });

    it("changes the rate train() uses, on top of the lrPolicy", async () => {
      const data = await smallMnist();
      const model = smallCnn(25);
      const rates: number[] = [];
      const run = await train(model, data, {
        ...quiet,
        epochs: 4,
        lrPolicy: "fixed",
        callbacks: [
          scoring([1, 1, 1, 1]),
          reduceLROnPlateau({ monitor: "score", patience: 1, factor: 0.1 }),
          callback({ onBatchEnd: (log: BatchLog) => void (log.batch === 0 && rates.push(log.lr)) }),
        ],
      });
      assert.deepEqual(rates.map((r) => +r.toPrecision(6)), [0.01, 0.01, 0.001, 0.0001]);
      assert.deepEqual(run.history.map((r) => +r.lr!.toPrecision(6)), [0.01, 0.01, 0.001, 0.0001]);
      model.dispose();
    });
  });

  describe("stop on NaN", () => {
    it("stops when the loss explodes, says the learning rate is too high, and puts back the epoch's starting weights", async () => {
      const data = await smallMnist();
      const model = smallCnn(26);
      const atEpochStart: Float32Array[][] = [];
      const run = await train(model, data, {
        live: false,
        snapshotDir: join(folder.path, "nan"),
        solver: "sgd",
        learningRate: 50,
        lrPolicy: "fixed",
        epochs: 5,
        callbacks: [callback({ onEpochBegin: () => void atEpochStart.push(weightsOf(model)) })],
      });
      assert.equal(run.status, "stopped");
      assert.match(run.stopReason!, /The loss (exploded|became NaN) at step \d+ \(epoch \d, batch \d+\)/);
      assert.match(run.stopReason!, /The learning rate 50 is probably too high: try 5\./);
      assert.match(run.stopReason!, /The weights were put back as they were at the start of epoch \d/);
      const weights = weightsOf(model);
      assert.ok(weights.every((w) => w.every(Number.isFinite)), "the model's weights are finite again");
      assert.equal(maxDifference(weights, atEpochStart[atEpochStart.length - 1]), 0);
      assert.ok(run.snapshots.every((s) => s.step < run.steps), "no snapshot of the broken state");
      model.dispose();
    });

    it("points at the data when the learning rate is already small", () => {
      const log: BatchLog = { epoch: 1, batch: 5, step: 5, size: 64, loss: NaN, accuracy: 0, lr: 1e-4 };
      assert.match(diagnoseNaN(log, 2.3, 2.2), /The loss became NaN at step 5.*already small, so look at the data: inputs must be finite/);
      // NaN from the very first step: no learning rate has acted yet, so none is blamed.
      const first = diagnoseNaN({ ...log, batch: 0, step: 0, lr: 0.5 }, undefined, undefined);
      assert.match(first, /from the very first step of this run \(step 0\), before the learning rate could change anything/);
      assert.doesNotMatch(first, /too high/);
      const exploded = diagnoseNaN({ ...log, batch: 0, step: 40, loss: Infinity, lr: 0.5 }, 2.3, 1.2e4);
      assert.match(exploded, /^The loss exploded at step 40 \(epoch 1, batch 1\): it climbed from 2.3 to 12000 and then became infinite. The learning rate 0.5 is probably too high: try 0.05./);
    });
  });

  describe("custom callbacks", () => {
    it("get every hook in order, and can stop training or scale the rate", async () => {
      const data = await smallMnist();
      const model = smallCnn(27);
      const calls: string[] = [];
      let lastLog: BatchLog | undefined;
      const spy = callback({
        name: "spy",
        onTrainBegin: () => void calls.push("trainBegin"),
        onEpochBegin: (epoch) => void calls.push(`epochBegin ${epoch}`),
        onBatchEnd: (log) => {
          if (log.batch === 0) calls.push(`batchEnd ${log.epoch}.${log.batch}`);
          lastLog = log;
        },
        onValidationEnd: (log) => void calls.push(`validation ${log.epoch}`),
        onEpochEnd: (record, ctx) => {
          calls.push(`epochEnd ${record.epoch}`);
          if (record.epoch === 1) ctx.lrScale = 0.5;
        },
        onTrainEnd: (result) => void calls.push(`trainEnd ${result.history.length}`),
      });
      const run = await train(model, data, { ...quiet, epochs: 2, lrPolicy: "fixed", callbacks: [spy] });
      assert.deepEqual(calls, [
        "trainBegin",
        "epochBegin 1",
        "batchEnd 1.0",
        "validation 1",
        "epochEnd 1",
        "epochBegin 2",
        "batchEnd 2.0",
        "validation 2",
        "epochEnd 2",
        "trainEnd 2",
      ]);
      assert.equal(lastLog!.lr, 0.005, "lrScale halved the rate");
      assert.equal(lastLog!.step, run.steps - 1);
      assert.ok(lastLog!.loss > 0 && lastLog!.accuracy >= 0 && lastLog!.accuracy <= 1);
      model.dispose();
    });

    it("are checked when made", () => {
      assert.throws(() => callback({ onEpochEnds() {} } as never), /unknown hook "onEpochEnds". The hooks are onTrainBegin/);
      assert.throws(() => callback({ onEpochEnd: 3 } as never), /onEpochEnd must be a function/);
    });
  });
});
