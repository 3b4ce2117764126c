/**
 * Per-layer learning rates in train() (learningRateMultipliers): a layer at
 * ×0.1 steps a tenth as far as at ×1, with plain SGD (scaled steps) and with
 * Adam (where a scaled gradient would change nothing); a run with them
 * resumes exactly; bad names and values are refused.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { callback, train, type TrainOptions } from "../../lib/train";
import { backboneRates, modelLayers } from "../../lib/transfer";
import { maxDifference, smallCnn, smallMnist, tempDir, weightsOf } from "../train/helpers";

/** Mean absolute change of one layer's kernel. */
function kernelChange(before: tf.LayersModel, after: tf.LayersModel, layer: string): number {
  const a = before.getLayer(layer).getWeights()[0].dataSync();
  const b = after.getLayer(layer).getWeights()[0].dataSync();
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
  return sum / a.length;
}

/** One step of training from the same start, with the given options. */
async function oneStep(options: TrainOptions): Promise<{ start: tf.LayersModel; trained: tf.LayersModel }> {
  const data = await smallMnist();
  const one = data.withSplits({ train: data.indices("train").slice(0, 32) });
  const start = smallCnn(11);
  const trained = smallCnn(11);
  await train(trained, one, { epochs: 1, batchSize: 32, randomSeed: 1, snapshots: false, live: false, validationInterval: 0, weightDecay: 0, ...options });
  return { start, trained };
}

describe("train: per-layer learning rates (learningRateMultipliers)", function () {
  this.timeout(120_000);

  for (const solver of ["sgd", "adam"] as const) {
    it(`a layer at ×0.1 moves a tenth as far (${solver})`, async () => {
      const base: TrainOptions = { solver, learningRate: solver === "sgd" ? 0.5 : 0.01, lrPolicy: "fixed", ...(solver === "sgd" ? { biasLearningRateMultiplier: 1 } : {}) };
      const plain = await oneStep(base);
      const slow = await oneStep({ ...base, learningRateMultipliers: { conv1: 0.1 } });
      const ratio = kernelChange(slow.start, slow.trained, "conv1") / kernelChange(plain.start, plain.trained, "conv1");
      assert.ok(Math.abs(ratio - 0.1) < 0.005, `conv1 moved ${ratio.toFixed(4)} times as far`);
      // The other layers are untouched by the multiplier: the same step as without it.
      assert.ok(maxDifference(weightsOf(slow.trained).slice(2), weightsOf(plain.trained).slice(2)) < 1e-6, "fc1 and fc2 step as before");
    });
  }

  it("backboneRates slows every layer but the head, and the run says so", async () => {
    const data = await smallMnist();
    const model = smallCnn(12);
    assert.deepEqual(backboneRates(model, 0.1), { conv1: 0.1, fc1: 0.1 });
    const run = await train(model, data, { epochs: 1, solver: "adam", learningRate: 0.001, randomSeed: 1, snapshots: false, live: false, validationInterval: 0, learningRateMultipliers: backboneRates(model, 0.1) });
    assert.match(run.solver, /Adam.*; conv1, fc1 at ×0\.1/);
    assert.throws(() => backboneRates(model, 0), /must be a positive number/);
  });

  it("a run with layer rates resumes from a snapshot exactly as if never stopped (Adam)", async () => {
    const data = await smallMnist();
    const folder = tempDir("layer-rates");
    try {
      const options: TrainOptions = { live: false, epochs: 3, randomSeed: 3, solver: "adam", learningRate: 0.003, learningRateMultipliers: { conv1: 0.1, fc1: 0.5 } };
      const straight = smallCnn(13);
      await train(straight, data, { ...options, snapshots: false });
      const stopped = smallCnn(13);
      const dir = join(folder.path, "run");
      await train(stopped, data, { ...options, snapshotDir: dir, callbacks: [callback({ name: "stop", onEpochEnd: (r, ctx) => void (r.epoch === 1 && ctx.stop("after 1")) })] });
      const resumed = smallCnn(77);
      const rest = await train(resumed, data, { live: false, resumeFrom: join(dir, "epoch-001"), snapshots: false });
      assert.deepEqual(rest.options.learningRateMultipliers, { conv1: 0.1, fc1: 0.5 });
      assert.equal(maxDifference(weightsOf(resumed), weightsOf(straight)), 0);
    } finally {
      folder.remove();
    }
  });

  it("refuses unknown layers and multipliers that are not positive", async () => {
    const data = await smallMnist();
    const model = smallCnn(14);
    await assert.rejects(
      train(model, data, { epochs: 1, live: false, snapshots: false, learningRateMultipliers: { conv9: 0.1 } }),
      /learningRateMultipliers names "conv9", which model "small-cnn" does not have\. Its layers with weights: conv1, fc1, fc2/,
    );
    await assert.rejects(train(model, data, { epochs: 1, live: false, snapshots: false, learningRateMultipliers: { conv1: 0 } }), /use a positive number .* freeze\(model, "conv1"\)/);
    assert.equal(modelLayers(model).length, 7);
  });
});
