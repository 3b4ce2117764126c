import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { Dataset, FilePixelStore, batchCount, normalize, split } from "../../lib/data";
import { syntheticDataset, tempDir } from "./helpers";

async function collect(data: Dataset, options: Parameters<Dataset["batches"]>[0]) {
  const seen: number[] = [];
  const sizes: number[] = [];
  const inputs: number[][] = [];
  for await (const batch of data.batches(options)) {
    seen.push(...batch.indices);
    sizes.push(batch.size);
    inputs.push(Array.from(await batch.xs.data()));
    batch.dispose();
  }
  return { seen, sizes, inputs };
}

describe("batches", function () {
  const data = syntheticDataset(3, 10, [4, 4, 1]);
  // Whatever backend an earlier test file chose must have finished initializing.
  before(() => tf.ready());

  it("visits every training image once per epoch, in batches of batchSize", async function () {
    const { seen, sizes } = await collect(data, { batchSize: 8, seed: 1 });
    assert.deepEqual(sizes, [8, 8, 8, 6]);
    assert.deepEqual([...seen].sort((a, b) => a - b), Array.from({ length: 30 }, (_, i) => i));
    assert.notDeepEqual(seen, Array.from({ length: 30 }, (_, i) => i), "the training split is shuffled by default");
    assert.equal(batchCount(data, { batchSize: 8 }), 4);
    const dropped = await collect(data, { batchSize: 8, dropRemainder: true });
    assert.deepEqual(dropped.sizes, [8, 8, 8]);
  });

  it("gives normalized float32 images and one-hot or index labels of the right shapes", async function () {
    const iterator = data.batches({ batchSize: 5, shuffle: false });
    const first = (await iterator.next()).value!;
    assert.deepEqual(first.xs.shape, [5, 4, 4, 1]);
    assert.equal(first.xs.dtype, "float32");
    assert.deepEqual(first.ys.shape, [5, 3]);
    const pixels = await data.readImages(first.indices);
    const xs = await first.xs.data();
    pixels.forEach((p, i) => assert.ok(Math.abs(xs[i] - p / 255) < 1e-6));
    const ys = await first.ys.array();
    assert.deepEqual(ys[1], [0, 1, 0]);
    first.dispose();
    await iterator.return!();
    const byIndex = (await data.batches({ batchSize: 4, labels: "index", shuffle: false }).next()).value!;
    assert.equal(byIndex.ys.dtype, "int32");
    assert.deepEqual(Array.from(await byIndex.ys.data()), [0, 1, 2, 0]);
    byIndex.dispose();
  });

  it("is the same for the same seed and epoch, and differs between epochs", async function () {
    const augment = { rotate: 20, noise: 5 };
    const a = await collect(data, { batchSize: 7, seed: 9, epoch: 2, augment });
    const b = await collect(data, { batchSize: 7, seed: 9, epoch: 2, augment });
    const c = await collect(data, { batchSize: 7, seed: 9, epoch: 3, augment });
    assert.deepEqual(a.seen, b.seen);
    assert.deepEqual(a.inputs, b.inputs);
    assert.notDeepEqual(a.seen, c.seen);
  });

  it("leaks no tensor: disposing each batch, or breaking out early", async function () {
    const before = tf.memory().numTensors;
    for await (const batch of data.batches({ batchSize: 4, augment: { flipHorizontal: true } })) batch.dispose();
    assert.equal(tf.memory().numTensors, before);
    for await (const batch of data.batches({ batchSize: 4, prefetch: 3 })) {
      batch.dispose();
      if (batch.batchIndex === 1) break;
    }
    assert.equal(tf.memory().numTensors, before);
    const batch = (await data.batches({ batchSize: 4 }).next()).value!;
    tf.dispose(batch as never);
    assert.equal(tf.memory().numTensors, before);
  });

  it("applies the dataset's normalization", async function () {
    const standardized = await normalize(data, "standardize");
    const all = await standardized.toTensors("train");
    const mean = all.xs.mean().dataSync()[0];
    assert.ok(Math.abs(mean) < 1e-4, `mean ${mean}`);
    tf.dispose([all.xs, all.ys]);
  });

  it("reads the same from a file store as from memory", async function () {
    const temp = tempDir("batches");
    try {
      const path = join(temp.path, "pixels.u8");
      writeFileSync(path, data.pixels.memory!);
      const onDisk = data.derive({ pixels: new FilePixelStore(path, 16, 30) });
      const a = await collect(data, { batchSize: 6, seed: 4 });
      const b = await collect(onDisk, { batchSize: 6, seed: 4 });
      assert.deepEqual(a.inputs, b.inputs);
      await onDisk.pixels.close();
    } finally {
      temp.remove();
    }
  });

  it("gives a whole split as tensors, matching an unshuffled pass (augmentation included)", async function () {
    const s = split(data, { train: 0.6, validation: 0.4, test: 0, seed: 1 });
    const augment = { invert: true, shift: 0.2 };
    const whole = await s.toTensors("validation", { augment, seed: 5 });
    assert.deepEqual(whole.xs.shape, [12, 4, 4, 1]);
    const pass = await collect(s, { split: "validation", batchSize: 5, seed: 5, augment });
    assert.deepEqual(Array.from(await whole.xs.data()), pass.inputs.flat());
    tf.dispose([whole.xs, whole.ys]);
    await assert.rejects(s.toTensors("test"), /The test split of synthetic is empty/);
    await assert.rejects(s.toTensors("train", { maxBytes: 100 }), /Stream it with dataset\.batches/);
  });

  it("explains bad options", function () {
    assert.throws(() => data.batches({ batchSize: 0 }), /batchSize must be a whole number of at least 1/);
    assert.throws(() => data.batches({ split: "valid" as never }), /"valid" is not a split name/);
  });
});
