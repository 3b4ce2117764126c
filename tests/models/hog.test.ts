/**
 * The HOG feature layer and the shallow classifier built on it: where
 * gradients vote, the shape of the features, their indifference to contrast
 * and brightness, serialization, and training through train().
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { useBackend } from "../../lib/backend";
import { Dataset, MemoryPixelStore } from "../../lib/data";
import { hogClassifier, hogFeatures, HogFeatures, summary } from "../../lib/models";
import { train } from "../../lib/train";

/** A 16×16 image: dark left half and bright right half (a vertical edge), or top and bottom (a horizontal one). */
function edge(direction: "vertical" | "horizontal", low = 0, high = 1): tf.Tensor4D {
  return tf.tidy(() => {
    const halves = [tf.fill([16, 8], low), tf.fill([16, 8], high)];
    const image = tf.concat(halves, 1) as tf.Tensor2D;
    return (direction === "vertical" ? image : image.transpose()).reshape([1, 16, 16, 1]) as tf.Tensor4D;
  });
}

/** Votes per orientation bin, summed over the whole feature map. */
function votesPerBin(features: tf.Tensor, bins: number): number[] {
  return tf.tidy(() => Array.from(features.reshape([-1, bins]).sum(0).dataSync()));
}

describe("HOG features", function () {
  this.timeout(60_000);
  before(async () => {
    await useBackend();
  });

  it("gives zero features for a flat image with any number of bins (2 and 3 included)", () => {
    for (const bins of [2, 3, 4, 9]) {
      const features = tf.tidy(() => hogFeatures({ cellSize: 4, bins }).apply(tf.zeros([1, 16, 16, 1])) as tf.Tensor);
      const largest = tf.tidy(() => features.abs().max().dataSync()[0]);
      features.dispose();
      assert.equal(largest, 0, `${bins} bins: a flat image gave a feature of ${largest}`);
    }
  });

  it("hogClassifier refuses an unknown option and names scikit-image's equivalent", () => {
    assert.throws(() => hogClassifier({ orientations: 12 } as never), /no option "orientations" \(scikit-image's "orientations" is "bins" here\)/);
  });

  it("puts a vertical edge in the 0° bin and a horizontal edge in the 90° bin", () => {
    const hog = hogFeatures({ cellSize: 4, bins: 4, blockSize: 2 });
    for (const [direction, bin] of [["vertical", 0], ["horizontal", 2]] as const) {
      const votes = votesPerBin(hog.apply(edge(direction)) as tf.Tensor, 4);
      assert.ok(votes[bin] > 0, `${direction}: ${votes}`);
      votes.forEach((v, b) => b !== bin && assert.ok(Math.abs(v) < 1e-6, `${direction}: bin ${b} got ${v}`));
    }
  });

  it("normalizes each block, so contrast and brightness do not change the features", () => {
    const hog = hogFeatures({ cellSize: 4 });
    const reference = (hog.apply(edge("vertical", 0, 0.5)) as tf.Tensor).dataSync();
    const stronger = (hog.apply(edge("vertical", 0.2, 1.2)) as tf.Tensor).dataSync();
    assert.ok(reference.some((v) => v > 0));
    reference.forEach((v, i) => assert.ok(Math.abs(v - stronger[i]) < 1e-4, `feature ${i}: ${v} vs ${stronger[i]}`));
    // L2-Hys: every block vector has length 1 or 0 (flat blocks), and no value above the clip once renormalized beyond 1.
    const blocks = tf.tidy(() => (hog.apply(edge("vertical")) as tf.Tensor).reshape([-1, 36]).square().sum(1).sqrt().dataSync());
    blocks.forEach((length) => assert.ok(Math.abs(length - 1) < 1e-3 || length < 1e-3, `block length ${length}`));
  });

  it("has blocks of cells as its output shape, and says when the image is too small", () => {
    const shapeFor = (cellSize: number, size = 28) => hogFeatures({ cellSize }).computeOutputShape([null, size, size, 1]);
    assert.deepEqual(shapeFor(7), [null, 3, 3, 36]);
    assert.deepEqual(shapeFor(4), [null, 6, 6, 36]);
    assert.deepEqual(shapeFor(8), [null, 2, 2, 36], "the 4 pixels beyond the last whole cell are left out");
    assert.throws(() => shapeFor(14, 20), /holds 1 cell of 14 pixels, too few for one block of 2×2 cells/);
    assert.throws(() => hogFeatures({ bins: 1 }), /bins must be a whole number of at least 2/);
    assert.throws(() => hogFeatures({ cells: 4 } as never), /hogFeatures has no option "cells"/);
  });

  it("makes a classifier whose only weights are the logistic regression's, and saves and loads as JSON", async () => {
    const model = hogClassifier({ cellSize: 7, bins: 9, numClasses: 10, seed: 3 });
    assert.equal(model.countParams(), 324 * 10 + 10);
    assert.equal(model.trainableWeights.length, 2);
    assert.match(summary(model).toString(), /HogFeatures[\s\S]*3×3×36/);
    const copy = await tf.models.modelFromJSON(JSON.parse(JSON.stringify(model.toJSON(null, false))));
    assert.ok(copy.layers[1] instanceof HogFeatures);
    assert.deepEqual([(copy.layers[1] as HogFeatures).cellSize, (copy.layers[1] as HogFeatures).bins], [7, 9]);
    model.dispose();
    copy.dispose();
  });

  it("trains with train(): stripes across against stripes down", async () => {
    // 40 images of 16×16: even ones have vertical stripes (class 0), odd ones horizontal (class 1), at various phases.
    const count = 40;
    const pixels = new Uint8Array(count * 256);
    for (let i = 0; i < count; i++) {
      for (let y = 0; y < 16; y++) for (let x = 0; x < 16; x++) pixels[i * 256 + y * 16 + x] = (((i % 2 ? y : x) + i) >> 1) % 2 ? 220 : 30;
    }
    const all = Int32Array.from({ length: count }, (_, i) => i);
    const data = new Dataset({
      name: "stripes",
      shape: [16, 16, 1],
      classNames: ["across", "down"],
      pixels: new MemoryPixelStore(pixels, 256),
      labels: Int32Array.from(all, (i) => i % 2),
      splits: { train: all.slice(0, 32), validation: all.slice(32) },
    });
    const model = hogClassifier({ inputShape: [16, 16, 1], numClasses: 2, cellSize: 4, seed: 1 });
    const run = await train(model, data, { epochs: 10, batchSize: 8, solver: "adam", learningRate: 0.05, lrPolicy: "fixed", randomSeed: 1, live: false, snapshots: false });
    assert.equal(run.final!.valAccuracy, 1, run.toString());
    model.dispose();
  });
});
