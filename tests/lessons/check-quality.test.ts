/**
 * The expectations of lesson 7's exercises: a precision or recall the learner
 * computes, and a threshold chosen for a recall goal. A one-pixel dataset and
 * a fixed classifier make every count known in advance:
 *
 * - ten images of brightness 0, 25, …, 225; images 3, 5, 6, 8 and 9 are "yes";
 * - the classifier's probability of "yes" is sigmoid(10·x − 5), x = brightness / 255,
 *   rising with brightness, so it answers "yes" for images 6 to 9;
 * - at the 0.5 boundary: TP 3 (6, 8, 9), FP 1 (7), FN 2 (3, 5): precision 0.75, recall 0.6.
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { check, defineExercise, expectations } from "../../lib/check";
import { Dataset, MemoryPixelStore } from "../../lib/data";
import { useBackend } from "../../lib/backend";

const POSITIVE = new Set([3, 5, 6, 8, 9]);
const brightness = (i: number) => i * 25;

function tenImages(): Dataset {
  const all = Int32Array.from({ length: 10 }, (_, i) => i);
  return new Dataset({
    name: "ten-pixels",
    shape: [1, 1, 1],
    classNames: ["no", "yes"],
    pixels: new MemoryPixelStore(Uint8Array.from(all, brightness), 1),
    labels: Int32Array.from(all, (i) => (POSITIVE.has(i) ? 1 : 0)),
    splits: { validation: all, test: all },
  });
}

function brightMeansYes(): tf.Sequential {
  const model = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [1, 1, 1] }), tf.layers.dense({ units: 2, activation: "softmax" })] });
  // softmax of (−5x + 2.5, 5x − 2.5) gives "yes" the probability sigmoid(10x − 5).
  model.layers[1].setWeights([tf.tensor2d([[-5, 5]]), tf.tensor1d([2.5, -2.5])]);
  return model;
}

/** The probability of "yes" halfway between images i and i + 1: a threshold that separates them. */
const between = (i: number) => 1 / (1 + Math.exp(-(10 * (brightness(i) + 12.5)) / 255 + 5));

defineExercise({
  id: "99-precision-recall",
  title: "Precision and recall of yes",
  answers: ["precision", "recall", "model", "data"],
  expectations: [
    expectations.classMetric("precision", { metric: "precision", model: "model", data: "data", className: "yes", hint: "Divide by all the yes answers." }),
    expectations.classMetric("recall", { metric: "recall", model: "model", data: "data", className: "yes" }),
  ],
});

defineExercise({
  id: "99-threshold",
  title: "A threshold for 80% recall",
  answers: ["threshold", "model", "data"],
  expectations: [expectations.thresholdForRecall("threshold", { model: "model", data: "data", className: "yes", recall: 0.8 })],
});

describe("check(): precision, recall and thresholds", function () {
  this.timeout(30_000);
  let data: Dataset;
  let model: tf.Sequential;
  before(async () => {
    await useBackend();
    data = tenImages();
    model = brightMeansYes();
  });
  after(() => model.dispose());

  it("accepts the model's own precision and recall, worked out from the counts", async () => {
    const result = await check("99-precision-recall", { precision: 3 / 4, recall: 3 / 5, model, data });
    assert.equal(result.passed, true, result.problems.join(" / "));
  });

  it("says when precision and recall are swapped, and never gives the value", async () => {
    const result = await check("99-precision-recall", { precision: 3 / 5, recall: 3 / 4, model, data });
    assert.equal(result.passed, false);
    assert.deepEqual(result.problems, [
      "Not yet: `precision` is 0.6, and that is the recall, not the precision. Divide by all the yes answers.",
      "Not yet: `recall` is 0.75, and that is the precision, not the recall.",
    ]);
  });

  it("says a share lies between 0 and 1, and that a wrong value is not the metric", async () => {
    const result = await check("99-precision-recall", { precision: 3, recall: 0.5, model, data });
    assert.deepEqual(result.problems, [
      "Not yet: `precision` is 3, and a precision is a share, between 0 and 1. Divide by all the yes answers.",
      'Not yet: `recall` is 0.5, and it is not the recall of class "yes" on the test split.',
    ]);
  });

  it("passes the highest threshold that reaches the recall", async () => {
    // Down to image 5: TP 4 (5, 6, 8, 9), FP 1 (7): recall 0.8, precision 0.8, the best at that recall.
    const result = await check("99-threshold", { threshold: between(4), model, data });
    assert.equal(result.passed, true, result.problems.join(" / "));
    assert.match(result.findings[0].message, /recall on the validation split is 80% and precision 80%/);
  });

  it("asks for a lower threshold when recall falls short", async () => {
    const result = await check("99-threshold", { threshold: between(5), model, data });
    assert.equal(result.passed, false);
    assert.match(result.problems[0], /recall on the validation split is 60%.*the goal is a recall of at least 80%\. Lower the threshold/);
  });

  it("asks for a higher threshold when a higher one reaches the recall with fewer false alarms", async () => {
    // Down to image 4: TP 4, FP 2: precision 0.667, while 0.8 is possible.
    const result = await check("99-threshold", { threshold: between(3), model, data });
    assert.equal(result.passed, false);
    assert.match(result.problems[0], /precision 66\.7%: the recall is reached, but a higher threshold would reach it too.*Raise the threshold/);
  });

  it("refuses a threshold outside 0 to 1", async () => {
    const result = await check("99-threshold", { threshold: 50, model, data });
    assert.match(result.problems[0], /must be between 0 and 1/);
  });
});
