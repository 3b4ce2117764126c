/**
 * fineTune (Keras's two steps: the head on the backbone's features, then
 * every layer with the pretrained ones at a lower rate), classifyFeatures,
 * and compareApproaches putting the three approaches in one table. A small
 * CNN trained briefly on digits 0-4 plays the pretrained network; the new
 * task is digits 5-9.
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { keepClasses } from "../../lib/data";
import { train } from "../../lib/train";
import { classifyFeatures, compareApproaches, fineTune, replaceHead, untrainedCopy } from "../../lib/transfer";
import { maxDifference, smallCnn, smallMnist, weightsOf } from "../train/helpers";

describe("transfer: fineTune, classifyFeatures and compareApproaches", function () {
  this.timeout(300_000);
  let pretrained: tf.Sequential;
  let newDigits: Awaited<ReturnType<typeof keepClasses>>;

  before(async () => {
    const digits = await smallMnist();
    const oldDigits = await keepClasses(digits, ["0", "1", "2", "3", "4"]);
    newDigits = await keepClasses(digits, ["5", "6", "7", "8", "9"]);
    pretrained = replaceHead(smallCnn(1), 5, { seed: 1 });
    await train(pretrained, oldDigits, { epochs: 2, learningRate: 0.01, randomSeed: 1, snapshots: false, live: false, validationInterval: 0 });
  });

  it("fine-tunes a copy in two steps: the head from feature extraction, then every layer, the pretrained ones slower", async () => {
    const before = weightsOf(pretrained);
    const tuned = await fineTune(pretrained, newDigits, { train: { epochs: 2 }, patience: 2 });
    assert.equal(maxDifference(before, weightsOf(pretrained)), 0, "the pretrained network is left as it was");
    const multipliers = tuned.run.options.learningRateMultipliers!;
    const head = tuned.model.layers.filter((l) => l.weights.length > 0).at(-1)!.name;
    assert.equal(multipliers[head], undefined, "the head trains at the full rate");
    assert.ok(Object.keys(multipliers).length >= 2 && Object.values(multipliers).every((m) => m === 0.1), JSON.stringify(multipliers));
    assert.ok(tuned.features.classifier.accuracy("validation") > 0.5, "the first step already classifies the new digits");
    assert.ok(tuned.seconds > tuned.features.seconds && tuned.features.seconds > 0);
    tuned.model.dispose();
  });

  it("untrainedCopy upTo a feature layer builds fineTune's network at that layer, with fresh weights", async () => {
    const shapes = (m: tf.LayersModel) => m.layers.filter((l) => l.weights.length > 0).map((l) => `${l.getClassName()} ${l.weights.map((w) => w.shape.join("×")).join(",")}`);
    for (const layer of ["pool1", "flatten"]) {
      const tuned = await fineTune(pretrained, newDigits, { featureLayer: layer, train: { epochs: 1 }, patience: 1 });
      const scratch = untrainedCopy(pretrained, { seed: 2, numClasses: 5, upTo: layer });
      assert.deepEqual(shapes(scratch), shapes(tuned.model), `cut at ${layer}`);
      assert.deepEqual(scratch.outputs[0].shape, [null, 5]);
      assert.ok(maxDifference(weightsOf(scratch).slice(0, 1), weightsOf(pretrained).slice(0, 1)) > 1e-3, "conv1's weights are new");
      tuned.model.dispose();
      scratch.dispose();
    }
  });

  it("refuses images of another size than the network takes, saying how to import them", async () => {
    const wrong = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [32, 32, 3] }), tf.layers.dense({ units: 8 }), tf.layers.dense({ units: 2 })] });
    await assert.rejects(() => fineTune(wrong, newDigits), /takes 32×32×3 images, but .* are 28×28×1\. Import the images at the network's size, e\.g\. importImageFolder\(folder, \{ width: 32, height: 32, imageType: "color" \}\)/);
    await assert.rejects(() => classifyFeatures(wrong, newDigits), /classifyFeatures: /);
  });

  it("compareApproaches gives one row per approach and size, with advice read from them", async () => {
    // compareApproaches disposes each network it is given, so each run gets a fresh copy, as from loadPretrained.
    let artifacts: tf.io.ModelArtifacts | undefined;
    await pretrained.save(tf.io.withSaveHandler(async (a) => ((artifacts = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } })));
    const fresh = () => tf.loadLayersModel(tf.io.fromMemory(artifacts!));
    const comparison = await compareApproaches({ pretrained: fresh, data: newDigits, imagesPerClass: [5, 20], train: { epochs: 2 }, patience: 2, progress: false });
    assert.deepEqual(
      comparison.rows.map((r) => `${r.imagesPerClass} ${r.approach}`),
      ["5 scratch", "5 feature extraction", "5 fine-tuning", "20 scratch", "20 feature extraction", "20 fine-tuning"],
    );
    for (const r of comparison.rows) assert.ok(r.testAccuracy > 0 && r.testAccuracy <= 1 && r.seconds > 0, JSON.stringify(r));
    assert.equal(comparison.advice().length, 2);
    assert.match(comparison.toString(), /approach +per class +images +test accuracy/);

    // fineTuneLearningRate reaches fine-tuning's second step alone: at a rate too small to move a weight, fine-tuning scores as the head it starts from.
    const still = await compareApproaches({
      pretrained: fresh,
      data: newDigits,
      imagesPerClass: [20],
      approaches: ["feature extraction", "fine-tuning"],
      fineTuneLearningRate: 1e-9,
      train: { epochs: 2 },
      patience: 2,
      progress: false,
    });
    const [head, tuned] = [still.accuracy("feature extraction", 20), still.accuracy("fine-tuning", 20)];
    assert.ok(Math.abs(head - tuned) < 0.005, `fine-tuning at a rate of 1e-9 scores as its starting head (${tuned} vs ${head})`);
  });
});
