/**
 * check(): feedback on exercises. Each kind of expectation is tried with
 * right and wrong answers on small models and datasets whose true answers
 * are known, and the messages are read as a learner would read them.
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { CHECK_MIME, CheckRecord, check, defineExercise, exerciseIds, expectations } from "../../lib/check";
import { Dataset, MemoryPixelStore, normalize } from "../../lib/data";
import { DISPLAY, MimeBundle } from "../../lib/display";
import { useBackend } from "../../lib/backend";

/** 2×2 grayscale images: dark ones are class 0, bright ones class 1. Validation holds 4 dark and 6 bright. */
function darkAndBright(): Dataset {
  const brightness = [0, 0, 0, 0, 255, 255, 255, 255, 255, 255, 0, 255];
  const pixels = new Uint8Array(brightness.length * 4);
  brightness.forEach((value, i) => pixels.fill(value, i * 4, i * 4 + 4));
  return new Dataset({
    name: "dark-and-bright",
    shape: [2, 2, 1],
    classNames: ["dark", "bright"],
    pixels: new MemoryPixelStore(pixels, 4),
    labels: Int32Array.from(brightness, (value) => (value > 0 ? 1 : 0)),
    splits: { validation: Int32Array.from({ length: 10 }, (_, i) => i), train: Int32Array.of(10, 11) },
  });
}

/** A dense classifier of 2×2 images with given weights: outputs = softmax(flatten(x) · kernel + bias). */
function fixedClassifier(kernel: number[][], bias: number[]): tf.Sequential {
  const model = tf.sequential({
    layers: [tf.layers.flatten({ inputShape: [2, 2, 1] }), tf.layers.dense({ units: 2, activation: "softmax" })],
  });
  model.layers[1].setWeights([tf.tensor2d(kernel), tf.tensor1d(bias)]);
  return model;
}

const sortsByBrightness = () => fixedClassifier([[-1, 1], [-1, 1], [-1, 1], [-1, 1]], [0.5, -0.5]);
const alwaysBright = () => fixedClassifier([[0, 0], [0, 0], [0, 0], [0, 0]], [0, 1]);

function convNet(convs: number, kernelSize = 3): tf.Sequential {
  const layers: tf.layers.Layer[] = [];
  for (let i = 0; i < convs; i++) {
    layers.push(tf.layers.conv2d({ ...(i === 0 ? { inputShape: [28, 28, 1] } : {}), filters: 4 * (i + 1), kernelSize, padding: "same", activation: "relu" }));
  }
  layers.push(tf.layers.flatten(), tf.layers.dense({ units: 10, activation: "softmax" }));
  return tf.sequential({ layers });
}

function messages(record: CheckRecord): string[] {
  return record.findings.map((f) => f.message);
}

defineExercise({
  id: "99-two-convs",
  title: "Two conv layers",
  answers: ["model"],
  expectations: [
    expectations.isNetwork("model"),
    expectations.layerCount("model", { layer: "Conv2D", count: 2 }),
    expectations.oddKernels("model"),
    expectations.outputShape("model", { shape: [10], meaning: "one score per digit" }),
  ],
  success: "Well done.",
});
defineExercise({
  id: "99-accuracy",
  title: "Reach 90%",
  answers: ["model", "data"],
  expectations: [expectations.accuracyAtLeast({ model: "model", data: "data", atLeast: 0.9, hint: "Try a lower learning rate." })],
});
defineExercise({
  id: "99-hidden",
  title: "A hidden number",
  answers: ["width"],
  expectations: [expectations.hiddenNumber("width", { value: 12, noun: "the width", hint: "Count the window positions." })],
});
defineExercise({
  id: "99-predict",
  title: "Predict",
  answers: ["predictions", "model", "data"],
  expectations: [expectations.matchesModelPredictions({ predictions: "predictions", model: "model", data: "data", split: "validation", count: 5, hint: "Take the largest output." })],
});
defineExercise({
  id: "99-dataset",
  title: "Shape, splits and statistics",
  answers: ["data"],
  expectations: [
    expectations.imageShape("data", { height: 2, width: 2, channels: 1 }),
    expectations.splitShares("data", { shares: { train: 0.5, validation: 0.5 }, tolerance: 0.02, hint: "Use split()." }),
    expectations.pixelStatistics("data", { split: "validation", mean: 0, std: 1, tolerance: 0.05 }),
  ],
});

describe("check(): exercise feedback", function () {
  this.timeout(60_000);
  before(async () => {
    await useBackend();
  });

  it("passes a right answer, finding by finding, with the success message", async () => {
    const result = await check("99-two-convs", { model: convNet(2) });
    assert.equal(result.passed, true);
    assert.deepEqual(messages(result.toJSON()), [
      "`model` is a network of 4 layers.",
      "2 conv layers, as asked.",
      "Every kernel has odd sides.",
      "Each image's output has shape [10].",
    ]);
    assert.match(result.toString(), /^✓ Passed: Two conv layers \(99-two-convs\)[\s\S]*Well done\.$/);
  });

  it("says how many conv layers the network has and how many the exercise asks for", async () => {
    const result = await check("99-two-convs", { model: convNet(3) });
    assert.equal(result.passed, false);
    assert.deepEqual(result.problems, ["Your network has 3 conv layers; the exercise asks for 2."]);
  });

  it("names even kernels and a wrong output shape", async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 2, kernelSize: 3 }),
        tf.layers.conv2d({ filters: 2, kernelSize: [4, 2] }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 12 }),
      ],
    });
    const result = await check("99-two-convs", { model });
    assert.deepEqual(result.problems, [
      "The second conv layer's kernel is 4×2: use odd sizes, so that every window has a centre pixel.",
      "Each image's output has shape [12]; the exercise asks for [10] (one score per digit).",
    ]);
  });

  it("measures accuracy itself and says the goal and what to try", async () => {
    const data = darkAndBright();
    const failing = await check("99-accuracy", { model: alwaysBright(), data });
    assert.deepEqual(failing.problems, ["Validation accuracy 60% (6 of 10 images): the goal is 90%. Try a lower learning rate."]);
    const passing = await check("99-accuracy", { model: sortsByBrightness(), data });
    assert.equal(passing.passed, true);
    assert.deepEqual(messages(passing.toJSON()), ["Validation accuracy 100% (10 of 10 images): the goal was 90%."]);
  });

  it("turns a network that does not fit the data into feedback, not an exception", async () => {
    const result = await check("99-accuracy", { model: convNet(2), data: darkAndBright() });
    assert.equal(result.passed, false);
    assert.match(result.problems[0], /takes inputs of shape \[28, 28, 1\], but the images of dark-and-bright are \[2, 2, 1\]\. Give the first layer inputShape: \[2, 2, 1\]/);
  });

  it("never names the hidden number, whatever the wrong answer", async () => {
    for (const answer of [0, 1, 10, 11, 13, 24, -12.5, 120]) {
      const result = await check("99-hidden", { width: answer });
      assert.equal(result.passed, false);
      const [message] = result.problems;
      assert.ok(message.startsWith(`Not yet: ${answer} is not the width. Count the window positions.`), message);
      assert.ok(!message.replace(String(answer), "").includes("12"), `"${message}" gives the answer away`);
    }
    assert.equal((await check("99-hidden", { width: 12 })).passed, true);
  });

  it("explains a missing answer, an undefined one and a forgotten await", async () => {
    assert.deepEqual((await check("99-hidden", {})).problems, [
      "The check needs `width`, but the check cell did not pass it. Pass it like this: check(…, { width: yourValue }).",
    ]);
    assert.deepEqual((await check("99-hidden", { width: undefined })).problems, [
      "`width` is undefined: run the exercise cell above, then this check again.",
    ]);
    assert.match((await check("99-hidden", { width: Promise.resolve(12) })).problems[0], /^`width` is a Promise, not its result: add `await`/);
    assert.deepEqual((await check("99-hidden", { width: "12" })).problems, ['`width` should be a number, but it is the text "12".']);
  });

  it("stops at a failed gate and says how much is left to check", async () => {
    const result = await check("99-two-convs", { model: 42 });
    assert.deepEqual(result.problems, ["`model` should be a network made with tf.sequential() or tf.model(), but it is the number 42."]);
    assert.equal(result.unchecked, 3);
    assert.match(result.toString(), /… 3 more to check once this is fixed\./);
  });

  it("compares predicted classes with the network's own, position by position", async () => {
    const model = sortsByBrightness();
    const data = darkAndBright();
    assert.deepEqual((await check("99-predict", { predictions: [0, 0], model, data })).problems, [
      "`predictions` holds 2 predictions; the exercise asks for one per image, 5 in all.",
    ]);
    assert.match((await check("99-predict", { predictions: [0, 0, 0.7, 0, 1], model, data })).problems[0], /^`predictions`\[2\] is 0\.7, but a prediction is a class number from 0 to 1/);
    assert.deepEqual((await check("99-predict", { predictions: [0, 1, 0, 0, 0], model, data })).problems, [
      "2 of your 5 predictions differ from what the network says (at positions 1 and 4). Take the largest output.",
    ]);
    assert.deepEqual((await check("99-predict", { predictions: [1, 0, 0, 0, 1], model, data })).problems, [
      "1 of your 5 predictions differs from what the network says (at position 0). Take the largest output.",
    ]);
    assert.equal((await check("99-predict", { predictions: Int32Array.of(0, 0, 0, 0, 1), model, data })).passed, true);
    assert.match((await check("99-predict", { predictions: tf.tensor1d([0, 0, 0, 0, 1]), model, data })).problems[0], /is a tensor; the exercise asks for plain numbers/);
  });

  it("reads a dataset's image shape, split shares and normalized statistics", async () => {
    const data = darkAndBright();
    const raw = await check("99-dataset", { data });
    assert.deepEqual(raw.problems, [
      "The splits hold 16.7% train, 83.3% validation of the images; the exercise asks for 50% train, 50% validation. Use split().",
      // Validation holds 6 bright (1.0) and 4 dark (0.0) images: mean 0.6, standard deviation √0.24.
      "The validation pixels, as the network will see them, have mean 0.6 and standard deviation 0.49; the exercise asks for mean 0 and standard deviation 1 (±0.05).",
    ]);
    // The same ten images as train and validation: statistics computed on train standardize validation exactly.
    const same = Int32Array.from({ length: 10 }, (_, i) => i);
    const standardized = await normalize(data.withSplits({ train: same, validation: same }), "standardize");
    const result = await check("99-dataset", { data: standardized });
    assert.equal(result.passed, true, result.toString());
    // A mean that rounds to nothing reads 0, not -9.81e-12.
    assert.match(result.toString(), /have mean 0 and standard deviation 1\./);
  });

  it("shows itself as HTML, text and a JSON record", async () => {
    const result = await check("99-two-convs", { model: convNet(3) });
    const bundle = (await result[DISPLAY]()) as MimeBundle;
    assert.match(String(bundle["text/html"]), /class="convlab-check" data-passed="false"/);
    assert.match(String(bundle["text/html"]), /Your network has 3 conv layers; the exercise asks for 2\./);
    assert.match(String(bundle["text/plain"]), /^✗ Not yet: Two conv layers \(99-two-convs\)/);
    const record = bundle[CHECK_MIME] as CheckRecord;
    assert.equal(record.exercise, "99-two-convs");
    assert.equal(record.passed, false);
    assert.equal(record.findings.length, 4);
  });

  it("refuses an unknown exercise id, listing the known ones of that lesson", async () => {
    await assert.rejects(check("03-small-cn", {}), /There is no exercise "03-small-cn"\. Known exercises of lesson 03: 03-output-size, 03-small-cnn\./);
    assert.throws(() => defineExercise({ id: "99-two-convs", title: "again", answers: [], expectations: [expectations.isNetwork("m")] }), /defined twice/);
    assert.throws(() => defineExercise({ id: "Bad Id", title: "x", answers: [], expectations: [expectations.isNetwork("m")] }), /lesson number and a lowercase name/);
    assert.throws(() => defineExercise({ id: "99-empty", title: "x", answers: [], expectations: [] }), /would pass anything/);
  });

  it("registers every lesson exercise", () => {
    for (const id of ["01-train-to-goal", "01-predict", "02-unit-spread", "02-import-folder", "03-output-size", "03-small-cnn"]) {
      assert.ok(exerciseIds().includes(id), id);
    }
  });
});
