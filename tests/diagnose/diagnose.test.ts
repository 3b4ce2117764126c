/**
 * Diagnosis and hyperparameter tools on 600 MNIST digits: verdicts on known
 * histories, trials within budgets and interrupts, sweeps, seed variance,
 * learning curves, capacity and regularization comparisons, sanity checks and
 * the learning-rate range test.
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { DISPLAY } from "../../lib/display";
import { Dataset, MemoryPixelStore } from "../../lib/data";
import { conv, dense, dropout, maxPool, mlp, sequential, softmax } from "../../lib/models";
import { callback } from "../../lib/train";
import {
  capacitySweep,
  compareRegularization,
  findDuplicates,
  findLearningRate,
  gridPoints,
  lastTrials,
  learningCurves,
  overfitOneBatch,
  overfittingVerdict,
  randomPoints,
  runTrials,
  sanityChecks,
  seedVariance,
  shuffledLabels,
  sweep,
  withShuffledTrainLabels,
} from "../../lib/diagnose";
import { replayEarlyStopping } from "../../lib/history";
import { FakeNotebookHost } from "../charts/fake-host";
import { assertValidVegaLite } from "../charts/helpers";
import { smallCnn, smallMnist, weightsOf, maxDifference } from "../train/helpers";

const net = (seed: number, rate = 0.25) =>
  sequential([conv({ filters: 6, kernel: 5, activation: "relu" }), maxPool(2), dropout(rate), dense({ units: 32, activation: "relu" }), dense({ units: 10 }), softmax()], {
    inputShape: [28, 28, 1],
    seed,
  });

/** A history that overfits from epoch 5: training loss keeps falling, validation loss turns up. */
const overfitting = [0.9, 0.6, 0.45, 0.38, 0.3, 0.24, 0.18, 0.13, 0.1, 0.07].map((loss, i) => ({
  epoch: i + 1,
  loss,
  valLoss: [0.95, 0.64, 0.5, 0.43, 0.4, 0.41, 0.42, 0.45, 0.47, 0.5][i],
}));

describe("diagnose", function () {
  this.timeout(300_000);
  before(async () => {
    await smallMnist();
  });
  afterEach(() => FakeNotebookHost.uninstall());

  describe("overfittingVerdict", () => {
    it("names the best epoch, where the gap opens and what early stopping would have done", () => {
      const verdict = overfittingVerdict(overfitting, { patience: 3 });
      assert.equal(verdict.kind, "overfitting");
      assert.equal(verdict.best!.epoch, 5);
      // (valLoss − loss) / loss > 10% from epoch 3 on: 0.5/0.45, 0.43/0.38 ...
      assert.equal(verdict.gap!.epoch, 3);
      assert.deepEqual(verdict.earlyStopping, { patience: 3, stopEpoch: 8, keptEpoch: 5, valLoss: 0.4, epochsSaved: 2 });
      assert.match(verdict.toString(), /The best epoch is 5 of 10 \(validation loss 0.4\)/);
      assert.match(verdict.toString(), /Early stopping with patience 3 would have stopped at epoch 8 with validation loss 0.4 \(the weights of epoch 5\), 2 epochs sooner/);
      assert.match(String(verdict[DISPLAY]()["text/html"]), /Verdict: overfitting[\s\S]*<svg/);
    });

    it("tells a run still improving from a good fit, and says when there is no validation", () => {
      const improving = overfitting.slice(0, 4).map((r) => ({ ...r, valLoss: r.loss * 1.05 }));
      assert.equal(overfittingVerdict(improving).kind, "still improving");
      const flat = [1, 0.5, 0.4, 0.39, 0.39, 0.39].map((l, i) => ({ epoch: i + 1, loss: l, valLoss: [1.02, 0.52, 0.41, 0.4, 0.405, 0.41][i] }));
      assert.equal(overfittingVerdict(flat).kind, "good fit");
      assert.match(overfittingVerdict([{ epoch: 1, loss: 1 }]).toString(), /no validation loss/);
      assert.equal(replayEarlyStopping(flat, 10)!.stopEpoch, undefined);
      assert.throws(() => overfittingVerdict("x" as never), /takes a training history/);
    });
  });

  describe("trials", () => {
    it("run within an epoch budget, cutting the last trial short and skipping the rest", async () => {
      const data = await smallMnist();
      const trial = (name: string) => ({ name, params: { name }, build: () => smallCnn(1), options: { epochs: 3 } });
      const results = await runTrials([trial("a"), trial("b"), trial("c")], data, { budget: { epochs: 5 } });
      assert.deepEqual(results.trials.map((t) => [t.status, t.epochs]), [["done", 3], ["cut short", 2], ["skipped", 0]]);
      assert.match(results.trials[1].note!, /budget of 5 epochs ran out/);
      assert.match(results.trials[2].note!, /budget of 5 epochs was spent/);
      assert.equal(lastTrials(), results);
      assert.match(results.toString(), /Trials: 2 of 3 trials trained/);
    });

    it("run within a time budget", async () => {
      const data = await smallMnist();
      const trial = (name: string) => ({ name, params: {}, build: () => smallCnn(1), options: { epochs: 200 } });
      const started = performance.now();
      const results = await runTrials([trial("a"), trial("b")], data, { budget: { seconds: 1 } });
      assert.ok(performance.now() - started < 10_000);
      assert.equal(results.trials[0].status, "cut short");
      assert.match(results.trials[0].note!, /time budget \(1 s\) ran out/);
      assert.equal(results.trials[1].status, "skipped");
    });

    it("keep the finished trials when interrupted, and show a table that fills in", async () => {
      const data = await smallMnist();
      const host = new FakeNotebookHost(false).install();
      const trial = (name: string, stop = false) => ({
        name,
        params: { which: name },
        build: () => smallCnn(2),
        options: { epochs: 2, callbacks: stop ? [callback({ onBatchEnd: (log) => void (log.step === 12 && host.controller.abort()) })] : [] },
      });
      const results = await runTrials([trial("first"), trial("second", true), trial("third")], data);
      assert.equal(results.interrupted, true);
      assert.deepEqual(results.trials.map((t) => t.status), ["done", "interrupted", "skipped"]);
      assert.equal(results.trials[0].history.length, 2);
      assert.equal(results.trials[1].history.length, 1, "the interrupted trial keeps its completed epoch");
      assert.equal(await results.done, results);
      const kept = host.keptOutputs();
      assert.equal(kept.length, 1, "one table, updated in place");
      assert.match(String(kept[0]["text/plain"]), /2 of 3 trials trained \(interrupted\)/);
    });
  });

  describe("sweep", () => {
    it("makes grids and seeded random draws", () => {
      assert.deepEqual(gridPoints({ a: [1, 2], b: ["x", "y"] }), [
        { a: 1, b: "x" },
        { a: 1, b: "y" },
        { a: 2, b: "x" },
        { a: 2, b: "y" },
      ]);
      const draws = randomPoints({ lr: { logUniform: [1e-4, 1e-1] }, units: { int: [8, 16] }, act: ["relu", "tanh"] }, 20, 3);
      assert.deepEqual(draws, randomPoints({ lr: { logUniform: [1e-4, 1e-1] }, units: { int: [8, 16] }, act: ["relu", "tanh"] }, 20, 3));
      assert.ok(draws.every((d) => (d.lr as number) >= 1e-4 && (d.lr as number) <= 0.1 && Number.isInteger(d.units) && (d.units as number) >= 8 && (d.units as number) <= 16));
      assert.ok(new Set(draws.map((d) => d.act)).size === 2);
    });

    it("passes train() settings to train and the rest to build, with a table, parallel coordinates and curves", async () => {
      const data = await smallMnist();
      const built: unknown[] = [];
      const results = await sweep({
        space: { learningRate: [0.01, 0.05], hidden: [16, 64] },
        build: (p, seed) => {
          built.push(p.hidden);
          return mlp({ hidden: [p.hidden as number], seed });
        },
        data,
        options: { epochs: 2, lrPolicy: "fixed" },
      });
      assert.deepEqual(built, [16, 64, 16, 64]);
      assert.equal(results.trials.length, 4);
      assert.ok(results.trials.every((t) => t.status === "done" && t.epochs === 2));
      assert.ok(results.trials.every((t) => t.history[0].lr === t.params.learningRate), "learningRate reached train()");
      assert.ok(results.best!.bestValAccuracy! >= Math.max(...results.trials.map((t) => t.bestValAccuracy!)));
      assertValidVegaLite(results.parallelChart().spec, "sweep parallel coordinates");
      assertValidVegaLite(results.curves().spec, "sweep curves");
      assert.match(String(results[DISPLAY]()["text/html"]), /<table[\s\S]*learningRate[\s\S]*<svg/);
      await assert.rejects(sweep({ space: { lr: { uniform: [1, 0] } }, build: () => mlp(), data }), /low < high/);
      await assert.rejects(sweep({ space: { lr: { uniform: [0, 1] } }, build: () => mlp(), data, search: "grid" }), /grid search needs a list/);
    });
  });

  describe("seedVariance", () => {
    it("draws mean ± std bands per setting and says whether a difference exceeds the noise", async () => {
      const data = await smallMnist();
      const variance = await seedVariance((seed) => smallCnn(seed), data, {
        seeds: [1, 2, 3],
        options: { epochs: 2, lrPolicy: "fixed" },
        settings: { "lr 0.05": { learningRate: 0.05 }, "lr 0.0001": { learningRate: 0.0001 } },
      });
      assert.equal(variance.spreads.length, 2);
      assert.ok(variance.spreads.every((s) => s.runs === 3 && s.std > 0));
      assert.match(variance.conclusion, /lr 0.05 and lr 0.0001 differ by [\d.]+ in valLoss, more than twice the seed-to-seed spread/);
      assertValidVegaLite(variance.chart().spec, "seed variance bands");
    });
  });

  describe("learningCurves", () => {
    it("trains on growing fractions with several seeds", async () => {
      const data = await smallMnist();
      const curves = await learningCurves((seed) => smallCnn(seed), data, { fractions: [0.25, 1], seeds: [1, 2], options: { epochs: 3, lrPolicy: "fixed", learningRate: 0.05 } });
      assert.deepEqual(curves.points.map((p) => [p.images, p.runs]), [[150, 2], [599, 2]]);
      assert.ok(curves.points[1].valLoss < curves.points[0].valLoss, "more data, lower validation loss");
      assert.match(curves.conclusion, /Validation loss still falls from 150 to 599 images/);
      assertValidVegaLite(curves.chart().spec, "learning curves");
    });
  });

  describe("capacity and regularization", () => {
    it("capacitySweep compares networks by size", async () => {
      const data = await smallMnist();
      const results = await capacitySweep({ tiny: (s) => mlp({ hidden: [4], seed: s }), wide: (s) => mlp({ hidden: [128], seed: s }) }, data, { options: { epochs: 2 } });
      assert.deepEqual(results.trials.map((t) => t.params.parameters), [784 * 4 + 4 + 4 * 10 + 10, 784 * 128 + 128 + 1290]);
      assertValidVegaLite(results.chart().spec, "capacity");
    });

    it("compareRegularization trains none, dropout, weight decay and augmentation side by side", async () => {
      const data = await smallMnist();
      const rates: number[] = [];
      const results = await compareRegularization(
        ({ dropout: rate, seed }) => {
          rates.push(rate);
          return net(seed, rate);
        },
        data,
        { options: { epochs: 2 } },
      );
      assert.deepEqual(results.trials.map((t) => t.name), ["none", "dropout 0.5", "weight decay 0.0005", "augmentation"]);
      assert.deepEqual(rates, [0, 0.5, 0, 0]);
      assert.ok(results.trials.every((t) => t.status === "done"));
      assert.match(results.toString(), /final valLoss vs loss/);
    });
  });

  describe("sanity checks", () => {
    it("a working network learns one batch by heart; one with a broken rate does not", async () => {
      const data = await smallMnist();
      const good = await overfitOneBatch((s) => smallCnn(s), data, { options: { learningRate: 0.05 } });
      assert.equal(good.passed, true, good.message);
      const bad = await overfitOneBatch((s) => smallCnn(s), data, { steps: 20, options: { learningRate: 1e-7 } });
      assert.equal(bad.passed, false);
      assert.match(bad.message, /a network should learn one batch by heart/);
    });

    it("shuffled labels leave validation accuracy at chance", async () => {
      const data = await smallMnist();
      const shuffled = withShuffledTrainLabels(data, 1);
      assert.deepEqual(shuffled.classCounts("train"), data.classCounts("train"), "same labels, other images");
      assert.deepEqual(Array.from(shuffled.splitLabels("validation")), Array.from(data.splitLabels("validation")));
      assert.notDeepEqual(Array.from(shuffled.splitLabels("train")), Array.from(data.splitLabels("train")));
      const check = await shuffledLabels((s) => smallCnn(s), data, { options: { epochs: 2 } });
      assert.equal(check.passed, true, check.message);
    });

    it("finds images shared between splits", async () => {
      const pixels = new Uint8Array(5 * 4);
      pixels.set([1, 2, 3, 4], 0);
      pixels.set([1, 2, 3, 4], 12); // image 3 = image 0
      pixels.set([9, 9, 9, 9], 4);
      pixels.set([9, 9, 9, 9], 8); // image 2 = image 1, same split
      pixels.set([7, 7, 7, 7], 16);
      const tiny = new Dataset({
        name: "tiny",
        shape: [2, 2, 1],
        classNames: ["a", "b"],
        pixels: new MemoryPixelStore(pixels, 4),
        labels: Int32Array.from([0, 1, 1, 0, 1]),
        splits: { train: Int32Array.from([0, 1, 2]), validation: Int32Array.from([3, 4]) },
      });
      const report = await findDuplicates(tiny);
      assert.equal(report.passed, false);
      assert.deepEqual(report.groups.map((g) => [g.indices, g.splits]), [[[0, 3], ["train", "validation"]], [[1, 2], ["train"]]]);
      assert.match(report.message, /1 image appears in more than one split/);
      const clean = await findDuplicates(await smallMnist());
      assert.ok(clean.details.acrossSplits !== undefined);
    });

    it("sanityChecks runs all three and displays them", async () => {
      const data = await smallMnist();
      const report = await sanityChecks((s) => smallCnn(s), data, { options: { learningRate: 0.05, epochs: 2 } });
      assert.equal(report.checks.length, 3);
      assert.match(report.toString(), /duplicates across splits[\s\S]*overfit one batch[\s\S]*shuffled labels/);
    });
  });

  describe("findLearningRate", () => {
    it("suggests a rate where the loss falls fastest, and leaves the model's weights as they were", async () => {
      const data = await smallMnist();
      const model = smallCnn(31);
      const before = weightsOf(model);
      const finder = await findLearningRate(model, data, { steps: 60, start: 1e-5, end: 10, options: { solver: "sgd", batchSize: 32 } });
      assert.equal(maxDifference(weightsOf(model), before), 0);
      assert.ok(finder.suggested! > 1e-4 && finder.suggested! < 5, `suggested ${finder.suggested}`);
      assert.ok(finder.points.length <= 60 && finder.points.length > 20);
      assert.ok(finder.points.every((p, i) => i === 0 || p.lr > finder.points[i - 1].lr));
      assertValidVegaLite(finder.chart().spec, "lr finder");
      assert.match(finder.toString(), /Suggested learning rate: /);
      await assert.rejects(findLearningRate(model, data, { start: 1, end: 0.1 }), /need 0 < start < end/);
      assert.equal(tf.memory().numTensors > 0, true);
      model.dispose();
    });
  });
});
