/**
 * featureExtractor, extractFeatures (its per-image cache: a second
 * extraction reads no image; trained weights make it read again) and
 * trainOnFeatures / toModel, on the small CNN and the small MNIST of the
 * training tests. A pixel store that counts the images it reads tells what
 * extraction read.
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { Dataset, MemoryPixelStore, type PixelStore } from "../../lib/data";
import { getPredictions } from "../../lib/evaluate";
import { train } from "../../lib/train";
import { clearFeatureCache, extractFeatures, featureExtractor, trainOnFeatures } from "../../lib/transfer";
import { smallCnn, smallMnist } from "../train/helpers";

/** The same images, in a store that counts what is read. */
class CountingStore implements PixelStore {
  reads = 0;
  constructor(private readonly inner: MemoryPixelStore) {}
  get count() {
    return this.inner.count;
  }
  get imageBytes() {
    return this.inner.imageBytes;
  }
  get memory() {
    return undefined;
  }
  get location() {
    return "counting";
  }
  async read(indices: ArrayLike<number>, target?: Uint8Array): Promise<Uint8Array> {
    this.reads += indices.length;
    return this.inner.read(indices, target);
  }
  async close(): Promise<void> {}
}

async function countingMnist(): Promise<{ data: Dataset; store: CountingStore }> {
  const small = await smallMnist();
  const store = new CountingStore(small.pixels as MemoryPixelStore);
  // 600 training, 200 validation and 300 test digits.
  const splits = { train: small.indices("train"), validation: small.indices("validation"), test: small.indices("test").slice(0, 300) };
  return { data: small.derive({ pixels: store, splits }), store };
}

describe("transfer: features", function () {
  this.timeout(120_000);

  it("featureExtractor gives a layer's activations, sharing the model's weights", async () => {
    const { data } = await countingMnist();
    const model = smallCnn(1);
    const extractor = featureExtractor(model, "pool1");
    assert.deepEqual(extractor.outputs[0].shape, [null, 12, 12, 6]);
    assert.deepEqual(featureExtractor(model).outputs[0].shape, [null, 32], "by default the layer the head reads");
    const features = await extractFeatures(model, data, { layer: "pool1", splits: ["validation"] });
    assert.equal(features.dims, 12 * 12 * 6);
    const { xs } = await data.toTensors("validation");
    const direct = tf.tidy(() => (extractor.predict(xs.slice(0, 3)) as tf.Tensor).reshape([3, -1]).dataSync());
    const cached = features.rowsOf("validation", 0, 3);
    let diff = 0;
    for (let i = 0; i < direct.length; i++) diff = Math.max(diff, Math.abs(direct[i] - cached[i]));
    assert.ok(diff < 1e-5, `cached rows equal the extractor's output (max difference ${diff})`);
    xs.dispose();
  });

  it("caches per image: a second extraction, or one of a subset, reads no image", async () => {
    const { data, store } = await countingMnist();
    const model = smallCnn(2);
    const first = await extractFeatures(model, data, { layer: "fc1" });
    assert.equal(first.imagesRead, data.size("train") + data.size("validation") + data.size("test"));
    assert.equal(store.reads, first.imagesRead);
    const again = await extractFeatures(model, data, { layer: "fc1" });
    assert.equal(again.imagesRead, 0);
    assert.equal(store.reads, first.imagesRead, "the second extraction read no image");
    const subset = data.withSplits({ train: data.indices("train").slice(0, 50), validation: data.indices("validation") });
    const fromCache = await extractFeatures(model, subset, { layer: "fc1" });
    assert.equal(fromCache.imagesRead, 0);
    assert.equal(store.reads, first.imagesRead, "a subset of extracted images reads nothing either");
    assert.deepEqual(fromCache.rowsOf("train", 0, 1), again.rowsOf("train", 0, 1));
    await extractFeatures(model, data, { layer: "pool1", splits: ["validation"] });
    assert.equal(store.reads, first.imagesRead + data.size("validation"), "another layer is extracted afresh");
    clearFeatureCache(model);
    await extractFeatures(model, data, { layer: "fc1", splits: ["test"] });
    assert.equal(store.reads, first.imagesRead + data.size("validation") + data.size("test"), "after clearFeatureCache it reads again");
  });

  it("gives the same rows whatever the batch size, and refuses a batch size that is not a whole number", async () => {
    const { data } = await countingMnist();
    const model = smallCnn(5);
    const byDefault = await extractFeatures(model, data, { layer: "pool1", splits: ["validation"] });
    clearFeatureCache(model);
    const bySeven = await extractFeatures(model, data, { layer: "pool1", splits: ["validation"], batchSize: 7 });
    assert.equal(bySeven.imagesRead, data.size("validation"), "extracted afresh, 7 images a pass");
    const [a, b] = [byDefault.rowsOf("validation"), bySeven.rowsOf("validation")];
    let diff = 0;
    for (let i = 0; i < a.length; i++) diff = Math.max(diff, Math.abs(a[i] - b[i]));
    assert.ok(diff < 1e-5, `the same rows (max difference ${diff})`);
    clearFeatureCache(model);
    await assert.rejects(extractFeatures(model, data, { batchSize: 0 }), /batchSize must be a whole number of at least 1 \(got 0\)/);
  });

  it("hands out the features of another view of the same images without reading, and keeps them when the cache is cleared", async () => {
    const { data, store } = await countingMnist();
    const model = smallCnn(6);
    const all = await extractFeatures(model, data, { layer: "fc1" });
    const firstRow = all.rowsOf("test", 0, 1);
    clearFeatureCache();
    assert.deepEqual(all.rowsOf("test", 0, 1), firstRow, "the result holds its own rows");
    const reads = store.reads;
    const subset = data.withSplits({ train: data.indices("test").slice(0, 20) });
    const view = all.of(subset);
    assert.equal(store.reads, reads, "of() reads no image");
    assert.deepEqual(view.rowsOf("train", 0, 1), firstRow);
    assert.equal(view.size("validation"), 0);
    const onlyValidation = await extractFeatures(model, data, { layer: "fc1", splits: ["validation"] });
    assert.throws(() => onlyValidation.of(data), /Image \d+ of .*'s train split has no features: .* Extract them from a dataset that holds it/);
    assert.throws(() => all.of(data.withNormalization({ ...data.normalization, method: "none", scale: 1 })), /as normalized then, not in .* normalization\. Extract features/);
  });

  it("extracts again after training changed the weights", async () => {
    const { data, store } = await countingMnist();
    const model = smallCnn(3);
    await extractFeatures(model, data, { splits: ["validation"] });
    const before = store.reads;
    await train(model, data, { epochs: 1, randomSeed: 1, snapshots: false, live: false, validationInterval: 0 });
    const reads = store.reads;
    assert.ok(reads > before, "training read images");
    const fresh = await extractFeatures(model, data, { splits: ["validation"] });
    assert.equal(fresh.imagesRead, data.size("validation"), "stale features are not reused");
  });

  it("refuses images of the wrong shape with the import that fixes it", async () => {
    const { data } = await countingMnist();
    const model = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [32, 32, 1] }), tf.layers.dense({ units: 4 }), tf.layers.dense({ units: 2, activation: "softmax" })] });
    await assert.rejects(extractFeatures(model, data), /takes 32×32×1 images, but .* are 28×28×1\. .*importImageFolder\(dir, \{ width: 32, height: 32, imageType: "grayscale" \}\)/);
  });

  it("trains a classifier on the features, stops early, and stacks it into one image model", async () => {
    const { data } = await countingMnist();
    const model = smallCnn(4);
    await train(model, data, { epochs: 2, randomSeed: 1, snapshots: false, live: false, validationInterval: 0, solver: "adam", learningRate: 0.003 });
    const features = await extractFeatures(model, data, { layer: "fc1" });
    const classifier = await trainOnFeatures(features, { seed: 1 });
    const accuracy = classifier.accuracy("test");
    assert.ok(accuracy > 0.6, `a classifier on trained features beats chance by far (${accuracy})`);
    assert.ok(classifier.bestEpoch <= classifier.history.length);
    assert.ok(classifier.history.length < 200 || classifier.bestEpoch === 200, "it stopped early or kept improving to the end");
    assert.equal(classifier.history[0].valAccuracy !== undefined, true, "it validates every epoch");
    const same = await trainOnFeatures(features, { seed: 1 });
    assert.equal(same.accuracy("test"), accuracy, "the same seed gives the same classifier");
    const stacked = classifier.toModel();
    assert.deepEqual(stacked.outputs[0].shape, [null, 10]);
    const predictions = await getPredictions(stacked, data, { split: "test", progress: false });
    let agree = 0;
    const labels = data.splitLabels("test");
    for (let i = 0; i < labels.length; i++) if (predictions.predicted[i] === labels[i]) agree++;
    assert.ok(Math.abs(agree / labels.length - accuracy) < 0.003, `the image model scores as the classifier on features (${agree / labels.length} vs ${accuracy})`);
    await assert.rejects(trainOnFeatures(features, { epoch: 3 } as never), /has no option "epoch"/);
  });
});
