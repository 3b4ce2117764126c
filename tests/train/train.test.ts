/**
 * train(): seeds, snapshots and exact resumption, interrupts, the live
 * display, solvers and their learning rates, weight decay, memory, and the
 * errors a learner may meet. On 600 MNIST digits and a small CNN, so each
 * run takes a second or two.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { DISPLAY } from "../../lib/display";
import { VEGA_LITE_MIME } from "../../lib/charts";
import { lenet, mlp } from "../../lib/models";
import { callback, lastTraining, TrainingInterrupted, listSnapshots, loadSnapshot, train, trainingChart, type BatchLog, type TrainOptions } from "../../lib/train";
import { FakeNotebookHost } from "../charts/fake-host";
import { assertValidVegaLite } from "../charts/helpers";
import { AdaDeltaOptimizer } from "../../lib/train/adadelta";
import { maxDifference, smallCnn, smallMnist, tempDir, weightsOf } from "./helpers";

const quiet: TrainOptions = { live: false, snapshots: false };

describe("train", function () {
  this.timeout(300_000);
  let folder: { path: string; remove(): void };

  before(async () => {
    await smallMnist();
    folder = tempDir("train");
  });
  after(() => folder.remove());
  afterEach(() => FakeNotebookHost.uninstall());

  describe("seeds", () => {
    it("gives identical histories for the same seed, and different ones for another seed", async () => {
      const data = await smallMnist();
      const options: TrainOptions = { ...quiet, epochs: 3, learningRate: 0.05, lrPolicy: "fixed" };
      const run = async (modelSeed: number, randomSeed: number) => {
        const model = smallCnn(modelSeed);
        const result = await train(model, data, { ...options, randomSeed });
        const weights = weightsOf(model);
        model.dispose();
        return { history: result.history, weights };
      };
      const first = await run(1, 1);
      const again = await run(1, 1);
      assert.deepEqual(again.history, first.history, "same seeds, same curves");
      assert.equal(maxDifference(again.weights, first.weights), 0, "same seeds, same weights");
      const otherOrder = await run(1, 2);
      assert.notDeepEqual(otherOrder.history.map((r) => r.loss), first.history.map((r) => r.loss), "randomSeed changes batch order and dropout");
      const otherInit = await run(2, 1);
      assert.notDeepEqual(otherInit.history.map((r) => r.loss), first.history.map((r) => r.loss), "the model's seed changes the initial weights");
      assert.ok(first.history[2].valAccuracy! > 0.6, `the small CNN learns (validation accuracy ${first.history[2].valAccuracy})`);
      assert.deepEqual(Object.keys(first.history[0]).sort(), ["accuracy", "epoch", "loss", "lr", "valAccuracy", "valLoss"]);
    });

    it("records a fresh seed when none is given, which reproduces the run", async () => {
      const data = await smallMnist();
      const a = smallCnn(4);
      const drawn = await train(a, data, { ...quiet, epochs: 1 });
      assert.equal(typeof drawn.randomSeed, "number");
      const b = smallCnn(4);
      const again = await train(b, data, { ...quiet, epochs: 1, randomSeed: drawn.randomSeed });
      assert.deepEqual(again.history, drawn.history);
      a.dispose();
      b.dispose();
    });
  });

  describe("snapshots", () => {
    it("resuming from any snapshot ends with exactly the weights of a run never stopped", async () => {
      const data = await smallMnist();
      // DIGITS's default policy (step at 33%) and dropout: the schedule, the
      // batch order and the masks must all continue where they left off.
      const options: TrainOptions = { live: false, epochs: 4, randomSeed: 5, learningRate: 0.02 };
      const straight = smallCnn(3);
      const whole = await train(straight, data, { ...options, snapshots: false });

      const stopped = smallCnn(3);
      const dir = join(folder.path, "four-epochs");
      const twice = await train(stopped, data, {
        ...options,
        snapshotDir: dir,
        callbacks: [callback({ name: "stop after 2", onEpochEnd: (record, ctx) => void (record.epoch === 2 && ctx.stop("stopped after epoch 2")) })],
      });
      assert.equal(twice.status, "stopped");
      assert.deepEqual(twice.snapshots.map((s) => s.path.split(/[\\/]/).pop()), ["epoch-001", "epoch-002"]);
      const files = readdirSync(twice.snapshots[1].path).sort();
      assert.deepEqual(files, ["callbacks.bin", "model.json", "optimizer.bin", "training.json", "weights.bin"]);
      assert.deepEqual(twice.history, whole.history.slice(0, 2));

      for (const from of ["epoch-001", "epoch-002"]) {
        // A model with other initial weights: everything must come from the snapshot.
        const resumed = smallCnn(99);
        const rest = await train(resumed, data, { live: false, resumeFrom: join(dir, from), snapshots: false });
        assert.equal(maxDifference(weightsOf(resumed), weightsOf(straight)), 0, `resumed from ${from}`);
        assert.deepEqual(rest.history, whole.history, `history resumed from ${from}`);
        assert.equal(rest.resumedFrom, join(dir, from));
        resumed.dispose();
      }
      // A run folder resumes from its latest snapshot.
      assert.equal(listSnapshots(dir).length, 2);
      const latest = smallCnn(98);
      await train(latest, data, { live: false, resumeFrom: dir, snapshotDir: join(folder.path, "continued") });
      assert.equal(maxDifference(weightsOf(latest), weightsOf(straight)), 0);
      for (const m of [straight, stopped, latest]) m.dispose();
    });

    it("resumes a snapshot written before biasLearningRateMultiplier existed with biases at the kernels' rate, and says so", async () => {
      const data = await smallMnist();
      const dir = join(folder.path, "older");
      await train(smallCnn(4), data, { live: false, epochs: 1, randomSeed: 2, snapshotDir: dir });
      const file = join(dir, "epoch-001", "training.json");
      const state = JSON.parse(readFileSync(file, "utf8"));
      delete state.options.biasLearningRateMultiplier;
      writeFileSync(file, JSON.stringify(state));
      const rest = await train(smallCnn(4), data, { live: false, resumeFrom: join(dir, "epoch-001"), epochs: 2, snapshots: false });
      assert.equal(rest.options.biasLearningRateMultiplier, 1);
      assert.ok(rest.notes.some((n) => /predates biasLearningRateMultiplier/.test(n)), rest.notes.join(" | "));
    });

    it("is a tfjs model folder that loadSnapshot (and tf.loadLayersModel) read back", async () => {
      const data = await smallMnist();
      const model = smallCnn(6);
      const run = await train(model, data, { live: false, epochs: 1, randomSeed: 1, snapshotDir: join(folder.path, "load") });
      const loaded = await loadSnapshot(run.lastSnapshot!.path);
      assert.equal(maxDifference(weightsOf(loaded.model), weightsOf(model)), 0);
      assert.equal(loaded.epochsCompleted, 1);
      assert.deepEqual(loaded.history, run.history);
      const json = JSON.parse(readFileSync(join(run.lastSnapshot!.path, "model.json"), "utf8"));
      assert.equal(json.format, "layers-model");
      assert.deepEqual(json.weightsManifest[0].paths, ["weights.bin"]);
      const bytes = readFileSync(join(run.lastSnapshot!.path, "weights.bin"));
      const plain = await tf.loadLayersModel(
        tf.io.fromMemory({
          modelTopology: json.modelTopology,
          weightSpecs: json.weightsManifest[0].weights,
          weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
        }),
      );
      assert.equal(maxDifference(weightsOf(plain), weightsOf(model)), 0);
      plain.dispose();
      const state = JSON.parse(readFileSync(join(run.lastSnapshot!.path, "training.json"), "utf8"));
      assert.equal(state.options.randomSeed, 1);
      assert.equal(state.model.architecture, "custom");
      loaded.model.dispose();
      model.dispose();
    });

    it("refuses a snapshot of another network, or a different solver, with the reason", async () => {
      const data = await smallMnist();
      const model = smallCnn(7);
      const run = await train(model, data, { live: false, epochs: 1, snapshotDir: join(folder.path, "refuse") });
      const other = mlp({ seed: 1 });
      await assert.rejects(train(other, data, { live: false, resumeFrom: run.lastSnapshot!.path }), /is of a different network than this model/);
      await assert.rejects(train(model, data, { live: false, resumeFrom: run.lastSnapshot!.path, solver: "adam" }), /trained with solver "momentum"/);
      await assert.rejects(train(model, data, { live: false, resumeFrom: join(folder.path, "nowhere") }), /There is no snapshot at/);
      model.dispose();
      other.dispose();
    });
  });

  describe("interrupting", () => {
    it("stops at the next batch and keeps the model, the history and a final snapshot that resumes exactly", async () => {
      const data = await smallMnist();
      const options: TrainOptions = { epochs: 3, randomSeed: 9, learningRate: 0.02 };
      const straight = smallCnn(8);
      await train(straight, data, { ...options, ...quiet });

      const host = new FakeNotebookHost(false).install();
      const model = smallCnn(8);
      let stepsSeen = 0;
      const pressInterrupt = callback({
        onBatchEnd(log: BatchLog) {
          stepsSeen = log.step + 1;
          if (log.epoch === 2 && log.batch === 3) host.controller.abort();
        },
      });
      const dir = join(folder.path, "interrupted");
      // train() ends as interrupted (so the cell does too), keeping the run on the error and in lastTraining.
      const stopped = await train(model, data, { ...options, live: true, snapshotDir: dir, callbacks: [pressInterrupt] }).then(
        () => assert.fail("train() returned normally after an interrupt"),
        (error: unknown) => error,
      );
      assert.ok(stopped instanceof TrainingInterrupted, String(stopped));
      assert.equal(stopped.name, "Interrupted");
      assert.match(stopped.message, /interrupted at step 14 \(epoch 2, batch 4\).*lastTraining\(model\)/);
      const run = stopped.result;
      assert.equal(run.status, "interrupted");
      assert.equal(run.interrupted, true);
      assert.equal(stepsSeen, 14, "no step after the one during which interrupt was pressed");
      assert.deepEqual(run.interruptedAt, { epoch: 2, batch: 4, step: 14 });
      assert.equal(run.history.length, 1, "the completed epoch is kept");
      assert.equal(lastTraining(model), run);
      assert.equal(await lastTraining(model)!.done, run);
      assert.equal(run.lastSnapshot!.path, join(dir, "epoch-002-batch-0004"));
      assert.ok(existsSync(join(run.lastSnapshot!.path, "weights.bin")));
      assert.match(run.toString(), /Interrupted after 1 epoch/);
      assert.match(run.toString(), /resume with train\(model, data, \{ resumeFrom: ".*epoch-002-batch-0004" \}\)/);
      // The model keeps the weights it has (the snapshot holds the same).
      const loaded = await loadSnapshot(run.lastSnapshot!.path);
      assert.equal(maxDifference(weightsOf(loaded.model), weightsOf(model)), 0);
      loaded.model.dispose();
      // The live outputs end with the state at the interrupt.
      const kept = host.keptOutputs();
      assert.equal(kept.length, 2, "one progress line and one chart");
      assert.match(String(kept[0]["text/plain"]), /Interrupted after 1 epoch/);
      FakeNotebookHost.uninstall();

      // Resuming mid-epoch continues with batch 5 of epoch 2, exactly.
      const resumed = smallCnn(50);
      const rest = await train(resumed, data, { ...quiet, resumeFrom: run.lastSnapshot!.path });
      assert.equal(maxDifference(weightsOf(resumed), weightsOf(straight)), 0);
      assert.equal(rest.history.length, 3);
      for (const m of [straight, model, resumed]) m.dispose();
    });
  });

  describe("live display", () => {
    it("shows a progress line and a chart of loss, accuracy and learning rate, updated in place", async () => {
      const data = await smallMnist();
      const host = new FakeNotebookHost(false).install();
      const model = smallCnn(10);
      const run = await train(model, data, { epochs: 2, randomSeed: 1, snapshots: false, validationInterval: 0.5 });
      const kept = host.keptOutputs();
      assert.equal(kept.length, 2, `two outputs, replaced in place (sent ${host.sent.length})`);
      const [progress, chart] = kept;
      assert.match(String(progress["text/plain"]), /^Trained 2 epochs in .*img\/s, validation accuracy \d+\.\d\d%/);
      const updates = host.sent.filter((s) => s.options.update && s.bundle["text/html"] && String(s.bundle["text/html"]).includes("<progress"));
      assert.ok(updates.length >= 1, "progress updates while training");
      assert.match(String(updates[0].bundle["text/plain"]), /^Epoch \d\/2 · batch \d+\/10 · [\d,]+ img\/s · .* left · (loss [\d.]+ · )?lr 0\.01/);
      const spec = chart[VEGA_LITE_MIME] as Record<string, unknown>;
      assertValidVegaLite(spec, "live training chart");
      assert.equal((spec.vconcat as unknown[]).length, 2, "history above, learning rate below");
      assert.match(String(chart["image/svg+xml"]), /^<svg/);
      // The chart left in the notebook draws the whole run (the live chart keeps its own list of points).
      const drawn = { train: new Set<number>(), validation: new Set<number>() };
      JSON.stringify(spec, (key, value: unknown) => {
        const row = value as { epoch?: unknown; split?: unknown; metric?: unknown };
        if (row && typeof row.epoch === "number" && row.metric === "loss" && (row.split === "train" || row.split === "validation")) drawn[row.split].add(row.epoch);
        return value;
      });
      assert.equal(drawn.train.size, 20, `training-loss points drawn at epochs ${[...drawn.train].join(", ")}`);
      assert.deepEqual([...drawn.validation].sort(), [0.5, 1, 1.5, 2]);
      // The chart kept in the notebook is the final one, drawn from every point of the run.
      assert.equal(String(chart["text/plain"]), trainingChart(run.points, { history: run.history }).summary);
      assert.doesNotMatch(String(chart["text/plain"]), /history: 0 epochs/);
      // Eight points an epoch (10 batches: every batch) and validation twice an epoch.
      assert.equal(run.points.filter((p) => p.loss !== undefined).length, 20);
      assert.deepEqual(run.points.filter((p) => p.valLoss !== undefined).map((p) => p.epoch), [0.5, 1, 1.5, 2]);
      model.dispose();
    });

    it("shows nothing outside a notebook unless asked, and the result displays as a summary with its chart", async () => {
      const data = await smallMnist();
      const model = smallCnn(11);
      const run = await train(model, data, { ...quiet, epochs: 2, randomSeed: 2 });
      assert.equal(run.options.live, false);
      const bundle = run[DISPLAY]();
      assert.match(String(bundle["text/html"]), /Trained 2 epochs[\s\S]*<svg[\s\S]*<table/);
      assert.match(String(bundle["text/html"]), /SGD with momentum 0.9; learning rate step: ×0.1 every 33% of training \(every 7 steps\); batch 64; weight decay 0.0001; biases learn ×2; seed 2/);
      assert.equal(bundle["text/plain"], run.toString());
      assert.equal(run.best!.epoch, run.history.reduce((b, r) => (r.valLoss! < b.valLoss! ? r : b)).epoch);
      assert.ok(run.timing.imagesPerSecond > 0, `${run.timing.imagesPerSecond} img/s`);
      assert.equal(run.timing.images, 2 * data.size("train"));
      model.dispose();
    });
  });

  describe("solvers", () => {
    const solvers = ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adadelta", "adam"] as const;

    /** Weights after steps 1 and 2 of a run on one batch (all 600 images, in a fixed order). */
    async function twoSteps(solver: (typeof solvers)[number], lrPolicy: TrainOptions["lrPolicy"]) {
      const data = await smallMnist();
      const model = smallCnn(12);
      const after: Float32Array[][] = [];
      await train(model, data, {
        ...quiet,
        solver,
        lrPolicy,
        learningRate: 0.01,
        weightDecay: 0,
        epochs: 2,
        batchSize: 600,
        shuffle: false,
        randomSeed: 1,
        validationInterval: 0,
        callbacks: [callback({ onBatchEnd: () => void after.push(weightsOf(model)) })],
      });
      model.dispose();
      return after;
    }

    it("each trains, and a learning rate changed between steps takes effect in every one", async () => {
      for (const solver of solvers) {
        const fixed = await twoSteps(solver, "fixed");
        // 2 steps in all; stepSize 50% → the rate drops ×0.1 before step 2.
        const stepped = await twoSteps(solver, { policy: "step", stepSize: 50, gamma: 0.1 });
        assert.equal(maxDifference(fixed[0], stepped[0]), 0, `${solver}: step 1 is the same`);
        // Same weights and batch before step 2, so the same gradient and solver
        // state: step 2's update is proportional to the rate.
        let ratioSum = 0;
        let count = 0;
        fixed[1].forEach((w, i) => {
          for (let k = 0; k < w.length; k++) {
            const full = w[k] - fixed[0][i][k];
            if (Math.abs(full) < 1e-6) continue;
            ratioSum += (stepped[1][i][k] - stepped[0][i][k]) / full;
            count++;
          }
        });
        assert.ok(count > 100, `${solver}: step 2 moved the weights (${count} moved)`);
        const ratio = ratioSum / count;
        assert.ok(Math.abs(ratio - 0.1) < 0.01, `${solver}: step 2 moved ${ratio.toFixed(4)}× as far at a tenth of the rate`);
      }
    });

    it("AdaDelta divides by the gradient RMS including the current gradient, as Caffe and Zeiler's paper", () => {
      const w = tf.variable(tf.tensor1d([1, -3]));
      const optimizer = new AdaDeltaOptimizer(1, 0.95, 1e-6);
      optimizer.minimize(() => tf.sum(tf.square(w)) as tf.Scalar);
      // g = 2w; E[g²] = 0.05·g²; Δ = √(0 + 1e-6) / √(E[g²] + 1e-6) · g
      const expected = [1, -3].map((x) => {
        const g = 2 * x;
        return x - (Math.sqrt(1e-6) / Math.sqrt(0.05 * g * g + 1e-6)) * g;
      });
      const actual = Array.from(w.dataSync());
      actual.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-6, `w[${i}] = ${v}, expected ${expected[i]}`));
      // tfjs's own first step would be w − 1·g: [-1, 3].
      assert.ok(Math.abs(actual[0] - 1) < 0.01);
      w.dispose();
      optimizer.dispose();
    });

    it("nesterov and momentum differ, and every solver lowers the loss", async () => {
      const data = await smallMnist();
      const losses: Record<string, number[]> = {};
      for (const solver of solvers) {
        const model = smallCnn(13);
        const learningRate = solver === "adadelta" ? 1 : solver === "adam" || solver === "rmsprop" ? 0.002 : 0.05;
        // Caffe's MNIST AdaDelta example: rate 1, decay 0.95, delta 1e-6.
        const adadelta = solver === "adadelta" ? { delta: 1e-6, momentum: 0.95 } : {};
        const run = await train(model, data, { ...quiet, solver, learningRate, ...adadelta, lrPolicy: "fixed", epochs: 3, randomSeed: 1, stopOnNaN: false });
        losses[solver] = run.history.map((r) => r.loss!);
        assert.ok(losses[solver][2] < losses[solver][0] * 0.9, `${solver}: loss ${losses[solver].map((l) => l.toFixed(3)).join(" → ")}`);
        model.dispose();
      }
      assert.notDeepEqual(losses.nesterov, losses.momentum);
    });
  });

  describe("bias learning rate", () => {
    it("biases step twice as far as with multiplier 1 (Caffe's lr_mult 2, the SGD solvers' default); kernels are unchanged", async () => {
      const data = await smallMnist();
      const step = async (biasLearningRateMultiplier: number) => {
        const model = smallCnn(16);
        const run = await train(model, data, { ...quiet, solver: "sgd", learningRate: 0.1, weightDecay: 0, biasLearningRateMultiplier, lrPolicy: "fixed", epochs: 1, batchSize: 600, shuffle: false, randomSeed: 1, validationInterval: 0 });
        const after = weightsOf(model);
        const names = model.weights.map((w) => w.originalName);
        model.dispose();
        return { after, names, used: run.options.biasLearningRateMultiplier };
      };
      const single = await step(1);
      const double = await step(2);
      assert.equal(double.used, 2);
      let biases = 0;
      single.names.forEach((name, i) => {
        // Biases start at 0, so after one step each is −rate × multiplier × gradient.
        const factor = name.endsWith("bias") ? 2 : 1;
        if (factor === 2) biases++;
        let worst = 0;
        for (let k = 0; k < single.after[i].length; k++) worst = Math.max(worst, Math.abs(double.after[i][k] - factor * single.after[i][k]));
        assert.ok(worst < 1e-6, `${name}: off by ${worst}`);
      });
      assert.ok(biases >= 2, "the model has biases");
    });

    it("defaults to 2 for the SGD solvers and 1 for the adaptive ones, and refuses a multiplier the solver would ignore", async () => {
      const data = await smallMnist();
      const model = smallCnn(17);
      const sgd = await train(model, data, { ...quiet, epochs: 1, validationInterval: 0 });
      const adam = await train(model, data, { ...quiet, epochs: 1, validationInterval: 0, solver: "adam", learningRate: 0.001 });
      assert.equal(sgd.options.biasLearningRateMultiplier, 2);
      assert.equal(adam.options.biasLearningRateMultiplier, 1);
      await assert.rejects(train(model, data, { ...quiet, epochs: 1, solver: "adam", biasLearningRateMultiplier: 2 }), /works with the "sgd", "momentum" and "nesterov" solvers only/);
      model.dispose();
    });
  });

  describe("weight decay", () => {
    it("adds decay × weight to each kernel's gradient (as Caffe) and leaves biases alone", async () => {
      const data = await smallMnist();
      const step = async (weightDecay: number) => {
        const model = smallCnn(14);
        const before = weightsOf(model);
        await train(model, data, { ...quiet, solver: "sgd", learningRate: 0.1, weightDecay, lrPolicy: "fixed", epochs: 1, batchSize: 600, shuffle: false, randomSeed: 1, validationInterval: 0 });
        const after = weightsOf(model);
        const names = model.weights.map((w) => w.originalName);
        model.dispose();
        return { before, after, names };
      };
      const plain = await step(0);
      const decayed = await step(0.01);
      plain.names.forEach((name, i) => {
        const isKernel = name.endsWith("kernel");
        let worst = 0;
        for (let k = 0; k < plain.after[i].length; k++) {
          // w' = w − lr · (g + decay · w): the difference is −lr · decay · w.
          const expected = isKernel ? -0.1 * 0.01 * plain.before[i][k] : 0;
          worst = Math.max(worst, Math.abs(decayed.after[i][k] - plain.after[i][k] - expected));
        }
        assert.ok(worst < 2e-6, `${name}: off by ${worst}`);
      });
    });

    it("defaults to learningRate / 100, DIGITS's rule", async () => {
      const data = await smallMnist();
      const model = smallCnn(15);
      const run = await train(model, data, { ...quiet, epochs: 1, learningRate: 0.05 });
      assert.equal(run.options.weightDecay, 0.0005);
      assert.equal(run.options.solver, "momentum");
      assert.equal(run.options.momentum, 0.9);
      assert.equal(run.options.batchSize, 64);
      model.dispose();
    });
  });

  describe("memory", () => {
    it("keeps tf.memory().numTensors constant from epoch to epoch and leaves none behind", async () => {
      const data = await smallMnist();
      const model = smallCnn(16);
      const baseline = tf.memory().numTensors;
      const counts: number[] = [];
      await train(model, data, {
        live: false,
        epochs: 4,
        validationInterval: 0.5,
        snapshotDir: join(folder.path, "memory"),
        augment: { shift: 0.1 },
        callbacks: [callback({ onEpochEnd: () => void counts.push(tf.memory().numTensors) })],
      });
      assert.deepEqual(counts, [counts[0], counts[0], counts[0], counts[0]], `tensors at each epoch's end: ${counts}`);
      assert.equal(tf.memory().numTensors, baseline);
      model.dispose();
    });
  });

  describe("errors", () => {
    it("speak to the learner: options, model and data that do not fit, zero kernels", async () => {
      const data = await smallMnist();
      const model = smallCnn(17);
      await assert.rejects(train(model, data, { lr: 0.1 } as never), /train\(\) has no option "lr". Did you mean "learningRate"\?/);
      await assert.rejects(train(model, data, { solver: "sdg" as never }), /Unknown solver "sdg". Use one of "sgd", "momentum"/);
      await assert.rejects(train(model, data, { epochs: 0 }), /epochs must be a whole number of at least 1/);
      await assert.rejects(train(model, data, { learningRate: -1 }), /learningRate must be a positive number/);
      await assert.rejects(train(model, data, { solver: "adagrad", momentum: 0.9 }), /The adagrad solver takes no momentum/);
      await assert.rejects(train(model, data, { snapshotInterval: 0.5 }), /snapshotInterval is a whole number of epochs/);
      await assert.rejects(train(model, data, { lrPolicy: { policy: "step", stepsize: 10 } as never }), /has no parameter "stepsize"; its parameters are stepSize and gamma/);
      await assert.rejects(train({} as never, data), /needs a tfjs Layers model/);
      await assert.rejects(train(model, [] as never), /needs a convlab Dataset/);
      const wide = lenet({ inputShape: [32, 32, 1], seed: 1 });
      await assert.rejects(train(wide, data, quiet), /The model takes inputs of 32×32×1, but mnist's images are 28×28×1/);
      const five = lenet({ numClasses: 5, seed: 1 });
      await assert.rejects(train(five, data, quiet), /but mnist has 10 classes: the last layer needs 10 units/);
      model.getLayer("fc1").setWeights([tf.zeros([864, 32]), tf.zeros([32])]);
      await assert.rejects(train(model, data, quiet), /Layer "fc1": every weight of its kernel is 0. Do not initialize a kernel to 0/);
      for (const m of [model, wide, five]) m.dispose();
    });
  });
});
