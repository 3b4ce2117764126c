/**
 * Whole training steps: LeNet on wasm (with convlab's kernels) ends with the
 * same weights as on the cpu backend, and training leaks no tensors.
 */
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { lenet, trainStep } from "../../bench/support/lenet";
import { randomValues, relativeError, startBothBackends } from "./compare-with-cpu";

describe("LeNet training on wasm", function () {
  this.timeout(300_000);

  before(startBothBackends);

  it("gives the same weights as the cpu backend after SGD steps (momentum 0.9)", async () => {
    const batch = 8;
    const x = randomValues(batch * 28 * 28, 11);
    const labels = Array.from({ length: batch }, (_, i) => (i * 7) % 10);
    const initial = await (async () => {
      await tf.setBackend("cpu");
      const model = lenet(3);
      const weights = model.getWeights().map((w) => ({ shape: w.shape, values: w.dataSync().slice() as Float32Array }));
      model.dispose();
      return weights;
    })();

    const finalWeights: Record<string, Float32Array[]> = {};
    for (const backend of ["cpu", "wasm"] as const) {
      await tf.setBackend(backend);
      const model = lenet(3);
      model.setWeights(initial.map((w) => tf.tensor(w.values, w.shape)));
      const optimizer = tf.train.momentum(0.01, 0.9);
      const xs = tf.tensor4d(x, [batch, 28, 28, 1]);
      const ys = tf.oneHot(tf.tensor1d(labels, "int32"), 10);
      for (let step = 0; step < 2; step++) trainStep(model, optimizer, xs, ys).dispose();
      finalWeights[backend] = model.getWeights().map((w) => w.dataSync().slice() as Float32Array);
      tf.dispose([xs, ys]);
      model.dispose();
      optimizer.dispose();
    }
    assert.equal(finalWeights.wasm.length, 8);
    for (let i = 0; i < initial.length; i++) {
      const moved = relativeError(finalWeights.cpu[i], initial[i].values);
      assert.ok(moved > 1e-6, `weight ${i} changed in training (${moved})`);
      const error = relativeError(finalWeights.wasm[i], finalWeights.cpu[i]);
      assert.ok(error <= 1e-4, `weight ${i} (${initial[i].shape}): relative error ${error}`);
    }
  });

  it("keeps tf.memory().numTensors constant from epoch to epoch", async () => {
    await tf.setBackend("wasm");
    const model = lenet(5);
    const optimizer = tf.train.momentum(0.01, 0.9);
    const batch = 16;
    const images = randomValues(4 * batch * 784, 12);
    const counts: number[] = [];
    for (let epoch = 0; epoch < 3; epoch++) {
      for (let s = 0; s < 4; s++) {
        const xs = tf.tensor4d(images.subarray(s * batch * 784, (s + 1) * batch * 784), [batch, 28, 28, 1]);
        const ys = tf.tidy(() => tf.oneHot(tf.tensor1d(Array.from({ length: batch }, (_, i) => (i + s) % 10), "int32"), 10));
        trainStep(model, optimizer, xs, ys).dispose();
        tf.dispose([xs, ys]);
      }
      counts.push(tf.memory().numTensors);
    }
    model.dispose();
    optimizer.dispose();
    assert.equal(counts[1], counts[0], `epoch 2 left ${counts[1] - counts[0]} more tensors than epoch 1`);
    assert.equal(counts[2], counts[1], `epoch 3 left ${counts[2] - counts[1]} more tensors than epoch 2`);
  });
});
