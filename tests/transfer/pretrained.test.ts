/**
 * The pretrained networks: every shipped one matches its card; the loader
 * gives a fresh, trainable model each time; a damaged or missing file is
 * refused with a message that says how to rebuild it; savePretrained writes
 * what the loader reads.
 */
import assert from "node:assert/strict";
import { cpSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { useBackend } from "../../lib/backend";
import { DISPLAY } from "../../lib/display";
import { summary } from "../../lib/models";
import { listPretrained, loadPretrained, pretrainedCard, pretrainedRoot, PretrainedFileError, savePretrained, usePretrainedRoot, verifyPretrained } from "../../lib/transfer";
import { smallCnn, tempDir } from "../train/helpers";

const NAME = "digits-0-4-lenet";

describe("transfer: pretrained networks", function () {
  this.timeout(60_000);
  before(async () => {
    await useBackend();
  });
  afterEach(() => usePretrainedRoot(undefined));

  it("ships the networks of the recipes, each matching its card", async () => {
    const shipped = listPretrained();
    assert.ok(shipped.includes(NAME), `pretrained/ holds ${shipped.join(", ")}`);
    const lines = await verifyPretrained();
    assert.equal(lines.length, shipped.length);
    for (const name of shipped) {
      const card = (await pretrainedCard(name)).card;
      assert.equal(card.name, name);
      assert.ok(card.files["weights.bin"].bytes < 4_000_000, `${name}'s weights stay small`);
      assert.equal(card.rebuild, `npm run pretrain -- ${name}`);
      // The headline metric comes first: test accuracy for a classifier, held-out mAP for a detector, mean IoU for a segmenter.
      const [metricName, metric] = Object.entries(card.metrics)[0];
      assert.ok(metric.value > 0.8, `${name} was trained (${metricName} ${metric.value})`);
      const markdown = readFileSync(join(pretrainedRoot(), name, "MODEL_CARD.md"), "utf8");
      for (const needed of [card.files["weights.bin"].sha256, "Training time", "License", "Seeds", "Epochs", metric.description]) {
        assert.ok(markdown.includes(needed), `MODEL_CARD.md of ${name} shows ${needed}`);
      }
    }
  });

  it("loads a fresh, trainable model every time", async () => {
    const a = await loadPretrained(NAME);
    const b = await loadPretrained(NAME);
    assert.notEqual(a, b);
    assert.deepEqual(a.outputs[0].shape, [null, 5]);
    assert.equal(a.trainableWeights.length, a.weights.length, "every weight trains");
    const kernel = (m: tf.LayersModel) => m.getLayer("conv1").getWeights()[0];
    const original = kernel(b).dataSync()[0];
    a.getLayer("conv1").setWeights([tf.zerosLike(kernel(a)), a.getLayer("conv1").getWeights()[1]]);
    assert.equal(kernel(b).dataSync()[0], original, "changing one copy leaves the other alone");
    assert.match(summary(b).toString(), /pretrained "digits-0-4-lenet"/);
    const card = await pretrainedCard(NAME);
    assert.match(String(card[DISPLAY]()["text/html"]), /SHA-256 of weights\.bin/);
  });

  it("refuses a damaged weights file, saying which file and how to rebuild it", async () => {
    const root = tempDir("pretrained");
    try {
      cpSync(join(pretrainedRoot(), NAME), join(root.path, NAME), { recursive: true });
      const weights = join(root.path, NAME, "weights.bin");
      const bytes = readFileSync(weights);
      bytes[1000] ^= 0xff;
      writeFileSync(weights, bytes);
      usePretrainedRoot(root.path);
      await assert.rejects(loadPretrained(NAME), (error: Error) => {
        assert.ok(error instanceof PretrainedFileError);
        assert.match(error.message, /The pretrained network "digits-0-4-lenet" is damaged: .*weights\.bin does not match its model card \(its SHA-256 is [0-9a-f]{16}…/);
        assert.match(error.message, /Rebuild it with `npm run pretrain -- digits-0-4-lenet`/);
        return true;
      });
      writeFileSync(weights, bytes.subarray(0, 100));
      await assert.rejects(loadPretrained(NAME), /it has 100 bytes where its card says 1,714,300/);
      rmSync(join(root.path, NAME, "model.json"));
      await assert.rejects(loadPretrained(NAME), /model\.json cannot be read .*Rebuild it with/);
    } finally {
      root.remove();
    }
  });

  it("names the networks there are when asked for another", async () => {
    await assert.rejects(loadPretrained("fashion-resnet"), /There is no pretrained network "fashion-resnet"\. convlab ships: .*"digits-0-4-lenet"/);
    await assert.rejects(loadPretrained("Bad Name"), /lowercase words joined by "-"/);
  });

  it("savePretrained writes what loadPretrained reads back, card and metadata and all", async () => {
    const root = tempDir("pretrained-save");
    try {
      const model = smallCnn(1);
      model.setUserDefinedMetadata({ anchors: [[1, 2]], note: "kept" });
      const card = (await pretrainedCard(NAME)).card;
      const { files: _files, ...rest } = card;
      const saved = await savePretrained(model, { ...rest, name: "tiny-test" }, root.path);
      usePretrainedRoot(root.path);
      assert.deepEqual(listPretrained(), ["tiny-test"]);
      const loaded = await loadPretrained("tiny-test");
      const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(loaded.getWeights()[0], model.getWeights()[0]))).dataSync()[0]);
      assert.equal(diff, 0);
      assert.deepEqual(loaded.getUserDefinedMetadata(), { anchors: [[1, 2]], note: "kept" }, "the model's own metadata travels with it");
      assert.equal((await pretrainedCard("tiny-test")).card.files["weights.bin"].sha256, saved.files["weights.bin"].sha256);
      assert.match(readFileSync(join(root.path, "tiny-test", "MODEL_CARD.md"), "utf8"), /^# tiny-test/);
    } finally {
      root.remove();
    }
  });
});
