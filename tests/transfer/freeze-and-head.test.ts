/**
 * freeze/unfreeze (and that training a frozen model changes only the
 * trainable weights), summary()'s frozen marks, replaceHead and
 * untrainedCopy, on the small CNN of the training tests.
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { DISPLAY } from "../../lib/display";
import { summary } from "../../lib/models";
import { train } from "../../lib/train";
import { freeze, modelLayers, replaceHead, selectLayers, trainableLayers, unfreeze, untrainedCopy } from "../../lib/transfer";
import { maxDifference, smallCnn, smallMnist } from "../train/helpers";

const layerWeights = (model: tf.LayersModel) =>
  new Map(modelLayers(model).filter((l) => l.weights.length > 0).map((l) => [l.name, l.getWeights().map((w) => w.dataSync().slice() as Float32Array)]));

describe("transfer: freeze and unfreeze", function () {
  this.timeout(120_000);

  it("freezes all but the head by default, and unfreezes everything", async () => {
    await smallMnist();
    const model = smallCnn(1);
    // small-cnn: conv1, pool1, drop1, flatten, fc1, fc2, act1 (softmax); the head is fc2 + softmax.
    const state = freeze(model);
    assert.deepEqual(state.frozen, ["conv1", "fc1"]);
    assert.deepEqual(state.trainable, ["fc2"]);
    assert.equal(state.trainableParams, 32 * 10 + 10);
    assert.equal(model.trainableWeights.length, 2, "only fc2's kernel and bias train");
    assert.match(state.toString(), /Frozen: conv1, fc1 .*Trainable: fc2 \(330 parameters\)/);
    const back = unfreeze(model);
    assert.deepEqual(back.frozen, []);
    assert.equal(model.trainableWeights.length, 6);
  });

  it("selects layers by name, position (negative from the end), list, or up to a layer", async () => {
    await smallMnist();
    const model = smallCnn(2);
    const names = (selection: Parameters<typeof selectLayers>[1]) => selectLayers(model, selection).map((i) => modelLayers(model)[i].name);
    assert.deepEqual(names("conv1"), ["conv1"]);
    assert.deepEqual(names(-2), ["fc2"]);
    assert.deepEqual(names(["fc1", 0]), ["conv1", "fc1"]);
    assert.deepEqual(names({ upTo: "flatten" }), ["conv1", "pool1", "drop1", "flatten"]);
    assert.equal(names("all").length, modelLayers(model).length);
    assert.throws(() => freeze(model, "conv9"), /has no layer named "conv9"\. Its layers: 0: conv1, 1: pool1/);
    assert.throws(() => freeze(model, 40), /has 7 layers \(0 to 6, or -1 for the last\); there is no layer 40/);
    assert.throws(() => freeze(model, { nope: 1 } as never), /Choose layers as "all", "all-but-head"/);
  });

  it("training a frozen model changes only the unfrozen weights", async () => {
    const data = await smallMnist();
    const model = smallCnn(3);
    freeze(model, ["conv1", "fc1"]);
    const before = layerWeights(model);
    await train(model, data, { epochs: 1, learningRate: 0.05, randomSeed: 1, snapshots: false, live: false, validationInterval: 0 });
    const after = layerWeights(model);
    assert.equal(maxDifference(before.get("conv1")!, after.get("conv1")!), 0, "conv1 is frozen");
    assert.equal(maxDifference(before.get("fc1")!, after.get("fc1")!), 0, "fc1 is frozen");
    assert.ok(maxDifference(before.get("fc2")!, after.get("fc2")!) > 1e-4, "fc2 trains");
    unfreeze(model, "fc1");
    await train(model, data, { epochs: 1, learningRate: 0.05, randomSeed: 1, snapshots: false, live: false, validationInterval: 0 });
    const third = layerWeights(model);
    assert.equal(maxDifference(after.get("conv1")!, third.get("conv1")!), 0, "conv1 is still frozen");
    assert.ok(maxDifference(after.get("fc1")!, third.get("fc1")!) > 1e-4, "fc1 trains once unfrozen");
  });

  it("summary() marks frozen layers, and only when some are", async () => {
    await smallMnist();
    const model = smallCnn(4);
    assert.doesNotMatch(summary(model).toString(), /frozen/);
    freeze(model);
    const text = summary(model).toString();
    assert.match(text, /conv1 .* frozen/);
    assert.match(text, /fc2 .* trains/);
    assert.match(text, /330 trainable/);
    assert.match(String(summary(model)[DISPLAY]()["text/html"]), /<th[^>]*>State<\/th>/);
    assert.deepEqual(trainableLayers(model).trainable, ["fc2"]);
  });
});

describe("transfer: replaceHead and untrainedCopy", function () {
  this.timeout(120_000);

  it("keeps the backbone's weights and frozen flags, puts a new head for the new classes, leaves the original alone", async () => {
    await smallMnist();
    const original = smallCnn(5);
    freeze(original, "conv1");
    const before = layerWeights(original);
    const replaced = replaceHead(original, 3, { seed: 7 });
    assert.deepEqual(replaced.outputs[0].shape, [null, 3]);
    const after = layerWeights(replaced);
    for (const name of ["conv1", "fc1"]) assert.equal(maxDifference(before.get(name)!, after.get(name)!), 0, `${name} is copied`);
    assert.equal(modelLayers(replaced).find((l) => l.name === "conv1")!.trainable, false, "the frozen flag is copied");
    assert.equal(modelLayers(replaced).find((l) => l.name === "fc1")!.trainable, true);
    assert.deepEqual(after.get("fc2")!.map((w) => w.length), [32 * 3, 3]);
    // The copy is independent: changing it leaves the original as it was.
    modelLayers(replaced)[0].setWeights(modelLayers(replaced)[0].getWeights().map((w) => tf.mul(w, 0)));
    assert.equal(maxDifference(before.get("conv1")!, layerWeights(original).get("conv1")!), 0);
    assert.deepEqual(original.outputs[0].shape, [null, 10]);
    // The same seed gives the same head.
    const again = replaceHead(original, 3, { seed: 7 });
    assert.equal(maxDifference(layerWeights(again).get("fc2")!, after.get("fc2")!), 0);
    const probabilities = tf.tidy(() => (replaced.predict(tf.zeros([2, 28, 28, 1])) as tf.Tensor).sum(-1).arraySync() as number[]);
    probabilities.forEach((p) => assert.ok(Math.abs(p - 1) < 1e-5, "the new head ends in a softmax"));
  });

  it("adds hidden layers to the head when asked, and refuses a bad class count", async () => {
    await smallMnist();
    const replaced = replaceHead(smallCnn(6), 4, { hidden: [16] });
    assert.deepEqual(
      modelLayers(replaced).slice(-3).map((l) => [l.name, l.getClassName()]),
      [["head_fc1", "Dense"], ["fc2", "Dense"], ["act1", "Activation"]],
    );
    assert.throws(() => replaceHead(smallCnn(6), 1), /numClasses must be a whole number of at least 2/);
  });

  it("untrainedCopy has the same architecture with new, seeded weights", async () => {
    await smallMnist();
    const original = smallCnn(8);
    const a = untrainedCopy(original, { seed: 3 });
    const b = untrainedCopy(original, { seed: 3 });
    const c = untrainedCopy(original, { seed: 4, numClasses: 5 });
    assert.deepEqual(modelLayers(a).map((l) => l.name), modelLayers(original).map((l) => l.name));
    assert.equal(maxDifference([...layerWeights(a).values()].flat(), [...layerWeights(b).values()].flat()), 0, "same seed, same weights");
    assert.ok(maxDifference(layerWeights(a).get("conv1")!, layerWeights(original).get("conv1")!) > 1e-3, "new weights");
    assert.deepEqual(c.outputs[0].shape, [null, 5]);
  });
});
