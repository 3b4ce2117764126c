/**
 * toFullyConvolutional: the converted network gives the classifier's
 * answers on the classifier's input size, and on a larger image its cell
 * (i, j) is the classifier's answer for the window at (j × stride, i × stride).
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { useBackend } from "../../lib/backend";
import { conv, dense, dropout, globalAvgPool, maxPool, sequential, softmax } from "../../lib/models";
import { fcnGeometry, toFullyConvolutional } from "../../lib/detect";

function classifier(seed: number): tf.Sequential {
  // The shape of lesson 7's small CNN plus a hidden dense layer and dropout: Flatten → Dense → Dense.
  return sequential(
    [conv({ filters: 6, kernel: 5, activation: "relu" }), maxPool(2), conv({ filters: 8, kernel: 5, activation: "relu" }), maxPool(2), dropout(0.3), dense({ units: 24, activation: "relu" }), dense({ units: 11 }), softmax()],
    { inputShape: [28, 28, 1], seed, name: "windows" },
  );
}

function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

describe("toFullyConvolutional", function () {
  this.timeout(60000);
  before(() => useBackend());

  it("gives the classifier's outputs on images of the classifier's size", function () {
    const model = classifier(3);
    const fcn = toFullyConvolutional(model);
    const x = tf.randomUniform([16, 28, 28, 1], 0, 1, "float32", 7);
    const expected = model.predict(x) as tf.Tensor;
    const actual = fcn.predict(x) as tf.Tensor;
    assert.deepEqual(actual.shape, [16, 1, 1, 11]);
    const difference = maxAbsDifference(actual.dataSync(), expected.dataSync());
    assert.ok(difference < 1e-5, `largest difference ${difference}`);
    assert.ok(!fcn.layers.some((l) => ["Dense", "Flatten"].includes(l.getClassName())), "no dense or flatten layer is left");
    tf.dispose([x, expected, actual]);
  });

  it("on a larger image, gives every window's answer in one pass (stride 4 for two 2×2 poolings)", function () {
    const model = classifier(4);
    const fcn = toFullyConvolutional(model);
    assert.deepEqual(fcnGeometry(fcn), { window: 28, stride: 4, exact: true });
    const image = tf.randomUniform([1, 48, 40, 1], 0, 1, "float32", 11);
    const map = fcn.predict(image) as tf.Tensor4D;
    assert.deepEqual(map.shape, [1, 6, 4, 11]);
    const values = map.arraySync()[0];
    for (let i = 0; i < 6; i++) {
      for (let j = 0; j < 4; j++) {
        const window = tf.slice(image, [0, 4 * i, 4 * j, 0], [1, 28, 28, 1]);
        const expected = (model.predict(window) as tf.Tensor).dataSync();
        const difference = maxAbsDifference(values[i][j], expected);
        assert.ok(difference < 1e-5, `cell (${i}, ${j}) differs by ${difference}`);
        tf.dispose(window);
      }
    }
    tf.dispose([image, map]);
  });

  it("explains what it cannot convert", function () {
    const pooled = sequential([conv({ filters: 4, kernel: 3 }), globalAvgPool(), dense({ units: 3 }), softmax()], { inputShape: [28, 28, 1], seed: 1 });
    assert.throws(() => toFullyConvolutional(pooled), /pools the whole map into one vector/);
    assert.throws(() => fcnGeometry(pooled), /not made by toFullyConvolutional/);
  });
});
