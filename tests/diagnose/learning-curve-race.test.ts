/**
 * fixedFeatures (features computed once, handed out for any subset) and
 * learningCurveRace (models trained on the same nested subsets, who leads
 * where, computed) on 600 MNIST digits; the race's reading of its numbers
 * on hand-made results.
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import type { Dataset } from "../../lib/data";
import { fixedFeatures, learningCurveRace, LearningCurveRace, onFixedFeatures, trainedNetwork, trainSubset, type RaceRow } from "../../lib/diagnose";
import { hogFeatures } from "../../lib/models";
import { earlyStopping } from "../../lib/train";
import { smallCnn, smallMnist } from "../train/helpers";
import { assertValidVegaLite } from "../charts/helpers";

/** smallMnist with 500 test images: enough to measure, quick to predict. */
async function digits(): Promise<Dataset> {
  const data = await smallMnist();
  return data.withSplits({ train: data.indices("train"), validation: data.indices("validation"), test: data.indices("test").slice(0, 500) });
}

describe("diagnose: fixedFeatures", function () {
  this.timeout(120_000);

  it("computes the pixels (flattened, normalized) and a layer's output once for every image, and hands them out for any subset", async () => {
    const data = await digits();
    const pixels = await fixedFeatures(data);
    assert.equal(pixels.dims, 784);
    assert.equal(pixels.layer, "pixels");
    const subset = trainSubset(data, 0.1, 1);
    const features = pixels.of(subset);
    assert.equal(features.size("train"), subset.size("train"));
    assert.deepEqual(Array.from(features.labels("train")), Array.from(subset.splitLabels("train")));
    const first = await subset.image("train", 0);
    const row = features.rowsOf("train", 0, 1);
    assert.ok(Array.from(first.pixels).every((p, i) => Math.abs(p / 255 - row[i]) < 1e-6), "the first row is the first image's pixels scaled to [0, 1]");

    const hog = await fixedFeatures(data, hogFeatures({ cellSize: 7, bins: 9 }), { batchSize: 100 });
    assert.deepEqual(hog.shape, [3, 3, 36]);
    const direct = tf.tidy(() => (hogFeatures({ cellSize: 7, bins: 9 }).apply(tf.tensor4d(Float32Array.from(first.pixels, (p) => p / 255), [1, 28, 28, 1])) as tf.Tensor).dataSync());
    const hogRow = hog.of(subset).rowsOf("train", 0, 1);
    assert.ok(Array.from(direct).every((v, i) => Math.abs(v - hogRow[i]) < 1e-5), "a row is the layer's output for that image");
  });

  it("refuses another dataset's images and a layer with weights to train, saying what to use", async () => {
    const data = await digits();
    const pixels = await fixedFeatures(data.withSplits({ train: data.indices("train").slice(0, 50) }));
    assert.throws(() => pixels.of(data), /Image \d+ of .* split has no features/);
    const other = data.derive({ name: "other digits", pixels: Object.create(data.pixels) as typeof data.pixels });
    assert.throws(() => pixels.of(other), /computed for mnist's images, not other digits's\. Take the view from the same dataset/);
    await assert.rejects(fixedFeatures(data, tf.layers.dense({ units: 4 })), /has weights to train.*extractFeatures/);
  });
});

describe("diagnose: learningCurveRace", function () {
  this.timeout(300_000);

  it("trains each contender on the same nested subsets, stops the network early, and measures a network trained elsewhere at the whole set", async () => {
    const data = await digits();
    const pixels = await fixedFeatures(data);
    let loads = 0;
    const race = await learningCurveRace(
      {
        "pixels + logistic regression": onFixedFeatures(pixels, { batchSize: 128, patience: 3 }),
        CNN: trainedNetwork({
          build: () => smallCnn(1),
          training: () => ({ solver: "adam", learningRate: 0.003, epochs: 4, randomSeed: 1, callbacks: [earlyStopping({ patience: 1 })] }),
          wholeTrainingSet: {
            load: async () => {
              loads++;
              return smallCnn(2);
            },
            source: "an untrained stand-in",
          },
        }),
      },
      data,
      { sizes: [data.size("train"), 150], progress: false },
    );
    assert.deepEqual(race.sizes, [150, data.size("train")]);
    assert.equal(race.testImages, 500);
    assert.equal(race.rows.length, 4);
    assert.equal(loads, 1, "the network trained elsewhere is loaded once, for the whole training set");
    const small = race.row("CNN", 150);
    assert.equal(small.source, "trained here");
    assert.ok(small.epochs! >= 1 && small.epochs! <= 4 && small.bestEpoch! <= small.epochs!);
    assert.equal(race.row("CNN", data.size("train")).source, "an untrained stand-in");
    assert.equal(race.row("CNN", data.size("train")).epochs, undefined);
    assert.ok(race.accuracy("CNN", data.size("train")) < 0.3, "the stand-in is measured, not trained");
    assert.ok(race.accuracy("pixels + logistic regression", data.size("train")) > 0.8);
    assert.match(race.toString(), /150 +pixels \+ logistic regression +\d+\.\d%/);
    assertValidVegaLite(race.chart().spec);
  });

  it("refuses training options that never stop early, and sizes beyond the training split", async () => {
    const data = await digits();
    const pixels = await fixedFeatures(data.withSplits({ train: data.indices("train"), validation: data.indices("validation"), test: data.indices("test").slice(0, 50) }));
    const fixed = trainedNetwork({ build: () => smallCnn(1), training: () => ({ epochs: 1 }) });
    await assert.rejects(learningCurveRace({ a: onFixedFeatures(pixels), b: fixed }, data, { sizes: [100, 700] }), /sizes must be at least two whole numbers of training images from 1 to \d/);
    await assert.rejects(fixed.run(trainSubset(data, 0.1, 1), { wholeTrainingSet: false }), /add callbacks: \[earlyStopping\(\)\]/);
  });
});

describe("diagnose: reading a learning-curve race", () => {
  const race = (accuracies: Record<string, number[]>, sizes = [500, 2000, 58000]) => {
    const rows: RaceRow[] = Object.entries(accuracies).flatMap(([contender, values]) => values.map((testAccuracy, i) => ({ contender, size: sizes[i], testAccuracy, source: "trained here" })));
    return new LearningCurveRace(rows, sizes, Object.keys(accuracies), 10000, 58000);
  };

  it("finds where the deep model overtakes, counting only leads beyond the test sample's noise", () => {
    const r = race({ CNN: [0.76, 0.845, 0.894], HOG: [0.8, 0.825, 0.88] });
    assert.ok(Math.abs(r.margin("CNN", "HOG", 58000) - 2 * Math.sqrt((0.894 * 0.106 + 0.88 * 0.12) / 10000)) < 1e-12);
    assert.deepEqual(r.overtakes("CNN", "HOG"), { size: 2000, after: 500 });
    assert.deepEqual(r.leader(500), { contender: "HOG", clear: true });
    assert.equal(
      r.conclusion("CNN", "HOG"),
      "CNN overtakes HOG between 500 and 2,000 training images: behind by 4.0 points at 500, ahead by 2.0 points at 2,000, and ahead by 1.4 points at 58,000 (the whole training set). " +
        "From 500 to 58,000 images, CNN gained 13.4 points and HOG 8.0 points.",
    );
  });

  it("calls a lead within the noise a tie, and says so when the deep model never overtakes", () => {
    const r = race({ CNN: [0.7, 0.8, 0.879], HOG: [0.8, 0.85, 0.88] });
    assert.equal(r.overtakes("CNN", "HOG"), undefined);
    assert.deepEqual(r.leader(58000), { contender: "HOG", clear: false });
    assert.match(r.conclusion("CNN", "HOG"), /^CNN does not overtake HOG at these sizes: behind by 10\.0 points at 500; behind by 5\.0 points at 2,000; level \(0\.1 points apart, within the noise\) at 58,000 \(the whole training set\)\./);
  });
});
