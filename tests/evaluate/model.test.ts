/** Evaluating a real tfjs model: batched predictions, interpret(), top losses, classifyOne and classifyMany. */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import sharp from "sharp";
import { loadMnist } from "../../lib/data/sources";
import { toBundle } from "../../lib/display";
import {
  accuracy,
  classCurves,
  classifyMany,
  classifyOne,
  classificationReport,
  getPredictions,
  interpret,
  interpretPredictions,
  Predictions,
  topKAccuracy,
} from "../../lib/evaluate";
import { barsDataset, embeddedImages, RecordingHost, tinyConvNet, useTestBackend } from "./helpers";

describe("evaluating a model", function () {
  before(useTestBackend);
  afterEach(() => RecordingHost.uninstall());

  /** Runs fn and checks it leaves no tensor behind. */
  async function withoutLeaks<T>(fn: () => Promise<T>): Promise<T> {
    const before = tf.memory().numTensors;
    const result = await fn();
    assert.equal(tf.memory().numTensors, before, "tensors left behind");
    return result;
  }

  describe("getPredictions", function () {
    it("predicts a dataset split in batches, matching one big model.predict, with labels and store indices", async function () {
      const data = barsDataset(3, 20);
      const model = tinyConvNet(3);
      const predictions = await withoutLeaks(() => getPredictions(model, data, { split: "test", batchSize: 7 }));
      const { xs, labels } = await data.toTensors("test");
      const expected = tf.tidy(() => (model.predict(xs) as tf.Tensor).dataSync());
      xs.dispose();
      assert.equal(predictions.size, 30);
      assert.equal(predictions.outputs, "probabilities");
      assert.deepEqual(predictions.classNames, ["bar0", "bar1", "bar2"]);
      assert.deepEqual(Array.from(predictions.labels!), Array.from(labels));
      assert.deepEqual(Array.from(predictions.indices!), Array.from(data.indices("test")));
      predictions.probabilities.forEach((p, i) => assert.ok(Math.abs(p - expected[i]) < 1e-6, `probability ${i}`));
      assert.equal(predictions.top(0, 2).length, 2);
      assert.ok(predictions.top(0)[0].probability >= predictions.top(0)[1].probability);
    });

    it("applies softmax to logits, and reads a single sigmoid unit as two classes", async function () {
      const data = barsDataset(3, 10);
      const logitsModel = tinyConvNet(3, { activation: "linear" });
      const { xs, labels } = await data.toTensors("test");
      try {
        const predictions = await withoutLeaks(() => getPredictions(logitsModel, { xs, labels }));
        assert.equal(predictions.outputs, "logits");
        const expected = tf.tidy(() => tf.softmax(logitsModel.predict(xs) as tf.Tensor).dataSync());
        predictions.probabilities.forEach((p, i) => assert.ok(Math.abs(p - expected[i]) < 1e-6));

        const binary = tf.sequential({
          layers: [
            tf.layers.flatten({ inputShape: [8, 8, 1] }),
            tf.layers.dense({ units: 1, activation: "sigmoid", kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
          ],
        });
        const twoClass = await withoutLeaks(() => getPredictions(binary, xs));
        const p1 = tf.tidy(() => (binary.predict(xs) as tf.Tensor).dataSync());
        assert.equal(twoClass.numClasses, 2);
        assert.equal(twoClass.outputs, "sigmoid");
        for (let i = 0; i < twoClass.size; i++) {
          assert.ok(Math.abs(twoClass.probabilities[2 * i + 1] - p1[i]) < 1e-6);
          assert.ok(Math.abs(twoClass.probabilities[2 * i] - (1 - p1[i])) < 1e-6);
        }
      } finally {
        xs.dispose();
      }
    });

    it("explains a wrong image size, a wrong class count, an empty split and a model that is not a classifier", async function () {
      const data = barsDataset(3, 10);
      const wide = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [10, 10, 1] }), tf.layers.dense({ units: 3, activation: "softmax" })] });
      await assert.rejects(getPredictions(wide, data), /expects inputs of shape \[10, 10, 1\].*bars's images are \[8, 8, 1\]/);
      await assert.rejects(getPredictions(tinyConvNet(4), data), /predicts 4 classes but bars has 3 classes/);
      await assert.rejects(getPredictions(tinyConvNet(3), data, { split: "validation" }), /validation split of bars has no images.*train \(15\), test \(15\)/);
      await assert.rejects(getPredictions({} as tf.LayersModel, data), /Expected a tfjs LayersModel/);
    });

    it("stops at the next batch when the learner interrupts, leaking nothing", async function () {
      const host = new RecordingHost().install();
      host.controller.abort();
      const data = barsDataset(3, 20);
      const model = tinyConvNet(3);
      await withoutLeaks(() => assert.rejects(getPredictions(model, data, { batchSize: 4 }), /interrupted after 0 of 30 images/));
    });

    it("stops between batches when the interrupt comes mid-way", async function () {
      const host = new RecordingHost().install();
      const data = barsDataset(3, 20);
      const model = tinyConvNet(3);
      const predict = model.predict.bind(model);
      let calls = 0;
      model.predict = (x, args) => {
        if (++calls === 2) host.controller.abort();
        return predict(x, args);
      };
      await withoutLeaks(() => assert.rejects(getPredictions(model, data, { batchSize: 4 }), /interrupted after 8 of 30 images/));
      assert.equal(calls, 2);
    });
  });

  describe("interpret", function () {
    it("gives accuracy, top-k, the report, curves and confusions consistent with the plain metrics", async function () {
      const data = barsDataset(3, 20);
      const model = tinyConvNet(3);
      const interp = await withoutLeaks(() => interpret(model, data, { split: "test", batchSize: 8 }));
      const p = interp.predictions;
      const labels = Array.from(p.labels!);
      const rows = Array.from({ length: p.size }, (_, i) => Array.from(p.row(i)));
      assert.equal(interp.accuracy, accuracy(labels, p.predicted));
      assert.equal(interp.topKAccuracy(2), topKAccuracy(labels, rows, 2));
      assert.deepEqual(interp.report.classes, classificationReport(labels, p.predicted, { classNames: p.classNames }).classes);
      assert.equal(interp.curves.averagePrecision.macro, classCurves(labels, rows).averagePrecision.macro);
      assert.deepEqual(interp.perClassAccuracy().map((c) => c.correct), [0, 1, 2].map((c) => interp.confusionMatrix.counts[c][c]));
      assert.equal(interp.mistakes().length, interp.size - interp.confusionMatrix.correct);
      assert.equal(interp.mostConfused().totalErrors, interp.mistakes().length);
      assert.equal(interp.description, "bars, test split");
    });

    it("shows a summary with the numbers, the report, the confusion-matrix chart and the reading", async function () {
      const data = barsDataset(3, 20);
      const interp = await interpret(tinyConvNet(3), data);
      const bundle = await toBundle(interp);
      const html = String(bundle["text/html"]);
      assert.ok(html.includes(`${(interp.accuracy * 100).toFixed(1)}%`), "accuracy");
      assert.ok(html.includes(interp.report.macro.f1.toFixed(3)), "macro F1");
      assert.ok(html.includes("weighted avg") && html.includes("support"));
      assert.equal(embeddedImages(html, "svg+xml").length, 1, "the confusion matrix");
      for (const line of interp.reading) assert.ok(html.includes(line.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/'/g, "&#39;")), line);
      assert.match(String(bundle["text/plain"]), /Evaluation of bars, test split: 30 images, accuracy/);
    });

    it("works from plain scores too, and needs labels", function () {
      const predictions = Predictions.fromScores([[2, 1], [0, 3], [1, 0]], { labels: [0, 1, 1], outputs: "logits", classNames: ["no", "yes"] });
      const interp = interpretPredictions(predictions);
      assert.equal(interp.accuracy, 2 / 3);
      assert.ok(Math.abs(predictions.row(0)[0] - Math.exp(2) / (Math.exp(2) + Math.exp(1))) < 1e-6);
      assert.throws(() => interpretPredictions(Predictions.fromScores([[0.3, 0.7]])), /needs the true labels/);
    });
  });

  describe("on real data", function () {
    it("interprets a small CNN trained briefly on MNIST, agreeing with model.evaluate", async function () {
      const mnist = await loadMnist();
      const model = tf.sequential({
        layers: [
          tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 5, activation: "relu", kernelInitializer: tf.initializers.heNormal({ seed: 1 }) }),
          tf.layers.maxPooling2d({ poolSize: 2 }),
          tf.layers.flatten(),
          tf.layers.dense({ units: 10, activation: "softmax", kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
        ],
      });
      model.compile({ optimizer: tf.train.adam(0.003), loss: "categoricalCrossentropy", metrics: ["accuracy"] });
      const train = await mnist.toTensors("train");
      await model.fit(train.xs, train.ys, { epochs: 1, batchSize: 64, verbose: 0, shuffle: false });
      tf.dispose([train.xs, train.ys]);

      const interp = await withoutLeaks(() => interpret(model, mnist, { split: "test" }));
      const test = await mnist.toTensors("test");
      const [loss, acc] = (model.evaluate(test.xs, test.ys) as tf.Scalar[]).map((t) => {
        const v = t.dataSync()[0];
        t.dispose();
        return v;
      });
      tf.dispose([test.xs, test.ys]);
      assert.equal(interp.size, 2000);
      assert.ok(interp.accuracy > 0.8, `a CNN learns MNIST in one epoch (accuracy ${interp.accuracy})`);
      assert.ok(Math.abs(interp.accuracy - acc) < 1e-6, `interpret ${interp.accuracy} vs model.evaluate ${acc}`);
      const meanLoss = interp.losses().reduce((a, b) => a + b, 0) / interp.size;
      assert.ok(Math.abs(meanLoss - loss) < 1e-4, `mean loss ${meanLoss} vs model.evaluate ${loss}`);
      assert.ok(interp.topKAccuracy(5) >= interp.topKAccuracy(2) && interp.topKAccuracy(2) >= interp.accuracy);
      assert.ok(interp.curves.rocAuc.macro > 0.9);
      assert.equal(interp.report.classes.reduce((a, m) => a + m.support, 0), 2000);
    });
  });

  describe("top losses", function () {
    it("picks the highest cross-entropy images, draws them with captions, and can keep only mistakes", async function () {
      const data = barsDataset(3, 20);
      const interp = await interpret(tinyConvNet(3), data);
      const losses = interp.losses();
      const gallery = await withoutLeaks(() => interp.topLosses({ count: 5, columns: 5 }));
      const sorted = [...losses].sort((a, b) => b - a).slice(0, 5);
      assert.deepEqual(gallery.items.map((t) => t.loss), sorted);
      for (const t of gallery.items) {
        assert.ok(Math.abs(t.loss + Math.log(Math.max(1e-7, t.trueProbability))) < 1e-6);
        assert.equal(t.index, data.indices("test")[t.position]);
        assert.equal(t.correct, t.label === t.predicted);
      }
      // Each 8×8 image is enlarged 7× into a 56 px tile, 4 px in from the edge.
      const { data: raw, info } = await sharp(gallery.png).raw().toBuffer({ resolveWithObject: true });
      assert.equal(info.width, 5 * 60 + 4);
      const first = await data.readImages([gallery.items[1].index!]);
      for (const [x, y] of [[0, 0], [3, 5], [7, 7]]) {
        assert.equal(raw[((4 + 7 * y) * info.width + 4 + 60 + 7 * x) * info.channels], first[y * 8 + x], `pixel ${x},${y} of the second image`);
      }
      const html = String((await toBundle(gallery))["text/html"]);
      assert.equal(embeddedImages(html, "png").length, 1);
      assert.match(String((await toBundle(gallery))["text/plain"]), /Top 5 losses \(bars, test split\)/);

      const wrong = await interp.topLosses({ onlyWrong: true, count: 100 });
      assert.equal(wrong.items.length, interp.mistakes().length);
      assert.ok(wrong.items.every((t) => !t.correct));
    });

    it("draws images from a tensor when the predictions came from one", async function () {
      const data = barsDataset(3, 10);
      const { xs, labels } = await data.toTensors("test");
      try {
        const interp = await interpret(tinyConvNet(3), { xs, labels });
        await assert.rejects(interp.topLosses(), /pass \{ images: xs \}/);
        const gallery = await withoutLeaks(() => interp.topLosses({ images: xs, count: 3 }));
        assert.equal(gallery.items.length, 3);
      } finally {
        xs.dispose();
      }
    });
  });

  describe("classifyOne", function () {
    it("gives the top classes and every layer's activations and weights, as running the layers one by one does", async function () {
      const data = barsDataset(3, 10);
      const model = tinyConvNet(3);
      const image = await data.image("test", 2);
      const result = await withoutLeaks(() => classifyOne(model, image, { dataset: data }));

      const { xs } = await data.toTensors("test");
      const x = tf.slice(xs, [2, 0, 0, 0], [1, -1, -1, -1]);
      xs.dispose();
      const expected = tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync());
      assert.equal(result.top.length, 3);
      assert.ok(Math.abs(result.top.reduce((a, t) => a + t.probability, 0) - 1) < 1e-5);
      result.probabilities.forEach((p, i) => assert.ok(Math.abs(p - expected[i]) < 1e-6));
      assert.deepEqual(result.label, { classIndex: image.label, className: image.className });

      // Run the layers one at a time, independently of classifyOne's probe model.
      let current: tf.Tensor = x;
      assert.deepEqual(result.layers.map((l) => l.name), ["conv1", "pool1", "flatten", "scores"]);
      for (const [n, layer] of model.layers.entries()) {
        const next = layer.apply(current) as tf.Tensor;
        if (current !== x) current.dispose();
        current = next;
        const inspection = result.layers[n];
        assert.deepEqual(inspection.outputShape, current.shape);
        const values = current.dataSync() as Float32Array;
        values.forEach((v, i) => assert.ok(Math.abs(v - inspection.activations.values[i]) < 1e-5, `${layer.name} activation ${i}`));
        const mean = values.reduce((a, v) => a + v, 0) / values.length;
        assert.ok(Math.abs(inspection.activations.stats.mean - mean) < 1e-6);
        assert.equal(inspection.activations.stats.min, Math.min(...values));
        assert.equal(inspection.activations.histogram.counts.reduce((a, c) => a + c, 0), values.length);
        const weights = layer.getWeights();
        assert.equal(inspection.weights.length, weights.length);
        weights.forEach((w, k) => {
          const wv = w.dataSync() as Float32Array;
          assert.deepEqual(inspection.weights[k].shape, w.shape);
          assert.equal(inspection.weights[k].stats.max, Math.max(...wv));
          const std = Math.sqrt(wv.reduce((a, v) => a + (v - inspection.weights[k].stats.mean) ** 2, 0) / wv.length);
          assert.ok(Math.abs(inspection.weights[k].stats.std - std) < 1e-6);
        });
      }
      current.dispose();
      x.dispose();
      assert.equal(result.layer("conv1").parameters, 3 * 3 * 1 * 4 + 4);
    });

    it("draws conv feature maps and filters, and shows it all in HTML with histograms", async function () {
      const data = barsDataset(3, 10);
      const result = await classifyOne(tinyConvNet(3), await data.image("test", 0), { dataset: data });
      const conv = result.layer("conv1");
      assert.equal(conv.featureMaps!.shown, 4);
      // Four 6×6 maps, each enlarged 7× to 42 px, 2 px apart.
      const maps = await sharp(conv.featureMaps!.png).metadata();
      assert.deepEqual([maps.width, maps.height], [4 * 44 + 2, 46]);
      assert.equal(conv.filters!.total, 4);
      assert.equal(result.layer("pool1").featureMaps!.total, 4);
      assert.equal(result.layer("pool1").filters, undefined);
      assert.equal(result.layer("scores").featureMaps, undefined);

      const bundle = await toBundle(result);
      const html = String(bundle["text/html"]);
      for (const name of ["conv1", "pool1", "flatten", "scores", "Conv2D", "MaxPooling2D"]) assert.ok(html.includes(name), name);
      assert.ok(html.includes(result.top[0].className));
      assert.equal((html.match(/<svg /g) ?? []).length, 4 + 2, "an activation histogram per layer and a weight histogram per layer with weights");
      assert.equal(embeddedImages(html, "png").length, 1 + 2 + 1, "input, conv1 maps and filters, pool1 maps");
      assert.match(String(bundle["text/plain"]), /^conv1\s+Conv2D\s+\[1, 6, 6, 4\]/m);
      assert.equal(result.histogram("conv1", "weights").kind, "histogram");
    });

    it("takes a normalized tensor too, and asks for the dataset when given raw pixels", async function () {
      const data = barsDataset(3, 10);
      const model = tinyConvNet(3);
      const image = await data.image("test", 1);
      const fromImage = await classifyOne(model, image, { dataset: data });
      const tensor = tf.tensor3d(Float32Array.from(image.pixels, (v) => v / 255), [8, 8, 1]);
      try {
        const fromTensor = await withoutLeaks(() => classifyOne(model, tensor));
        fromTensor.probabilities.forEach((p, i) => assert.ok(Math.abs(p - fromImage.probabilities[i]) < 1e-6));
        assert.equal(fromTensor.label, undefined);
      } finally {
        tensor.dispose();
      }
      await assert.rejects(classifyOne(model, image.pixels), /pass \{ dataset \}/);
      await assert.rejects(classifyOne(model, new Uint8Array(10), { dataset: data }), /10 pixel values, but the model takes \[8, 8, 1\]/);
    });
  });

  describe("classifyMany", function () {
    it("gives top-1 and top-k accuracy, the confusion matrix and per-class accuracy for labelled images", async function () {
      const data = barsDataset(3, 10);
      const model = tinyConvNet(3);
      const images = await Promise.all(Array.from({ length: 12 }, (_, i) => data.image("test", i)));
      const result = await withoutLeaks(() => classifyMany(model, images, undefined, { dataset: data, topK: 2, batchSize: 5 }));
      const labels = images.map((im) => im.label);
      const predicted = result.images.map((im) => im.top[0].classIndex);
      assert.equal(result.top1Accuracy, accuracy(labels, predicted));
      const rows = Array.from({ length: 12 }, (_, i) => Array.from(result.predictions.row(i)));
      assert.equal(result.topKAccuracy, topKAccuracy(labels, rows, 2));
      assert.equal(result.confusionMatrix!.total, 12);
      assert.deepEqual(result.perClassAccuracy!.map((c) => c.total), [4, 4, 4]);
      assert.deepEqual(result.perClassAccuracy!.map((c) => c.correct), [0, 1, 2].map((c) => result.confusionMatrix!.counts[c][c]));

      const bundle = await toBundle(result);
      const html = String(bundle["text/html"]);
      assert.ok(html.includes(`top-1 accuracy ${(result.top1Accuracy! * 100).toFixed(1)}%`));
      assert.ok(html.includes("Per-class accuracy"));
      assert.equal(embeddedImages(html, "png").length, 12, "a thumbnail per image");
      assert.equal(embeddedImages(html, "svg+xml").length, 1, "the confusion matrix");
    });

    it("lists predictions without labels, and takes explicit labels with a tensor", async function () {
      const data = barsDataset(3, 10);
      const model = tinyConvNet(3);
      const pixels = await Promise.all([0, 1, 2].map(async (i) => (await data.image("test", i)).pixels));
      const unlabelled = await classifyMany(model, pixels, undefined, { dataset: data, show: 2 });
      assert.equal(unlabelled.top1Accuracy, undefined);
      assert.equal(unlabelled.confusionMatrix, undefined);
      assert.equal(unlabelled.images[0].top.length, 3);
      const text = String((await toBundle(unlabelled))["text/plain"]);
      assert.match(text, /^Classified 3 images$/m);
      assert.match(text, /… and 1 more/);

      const { xs, labels } = await data.toTensors("test");
      try {
        const result = await withoutLeaks(() => classifyMany(model, xs, labels));
        assert.equal(result.size, 15);
        assert.equal(result.top1Accuracy, accuracy(labels, result.predictions.predicted));
        await assert.rejects(classifyMany(model, xs, [0, 1]), /2 labels for 15 images/);
      } finally {
        xs.dispose();
      }
      await assert.rejects(classifyMany(model, pixels), /pass \{ dataset \}/);
    });
  });
});
