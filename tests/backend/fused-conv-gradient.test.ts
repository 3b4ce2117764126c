/**
 * A convolution's gradient one input at a time, bias and ReLU fused
 * (lib/backend/wasm/fused-conv-gradient): training a network of
 * convolutions without activation or with ReLU gives the same gradients as
 * tfjs's own op, never computes the first layer's input gradient, and runs
 * no separate bias add or ReLU.
 */
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { registerFusedConv2dGradient, unregisterFusedConv2dGradient } from "../../lib/backend/wasm/fused-conv-gradient";
import { RELU_GRAD_SUM } from "../../lib/backend/wasm/relu-grad";
import { randomValues, startBothBackends } from "./compare-with-cpu";

type Activation = "linear" | "relu";

/** Two convolutions (the second reads the first, so its input gradient is needed), then a dense layer. */
function convNet(activation: Activation): tf.LayersModel {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [9, 9, 2], filters: 4, kernelSize: 3, activation, kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }), biasInitializer: tf.initializers.randomNormal({ seed: 2 }) }));
  model.add(tf.layers.conv2d({ filters: 3, kernelSize: 5, padding: "same", activation, useBias: false, kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }));
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: 2, kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) }));
  return model;
}

interface Run {
  grads: Float32Array[];
  kernels: string[];
}

/** The loss's gradients with respect to every weight, and the kernels run to get them. */
async function gradientsOf(model: tf.LayersModel, images: tf.Tensor4D): Promise<Run> {
  let grads: Float32Array[] = [];
  const profile = await tf.profile(() => {
    const { grads: byName } = tf.variableGrads(() => tf.sum(tf.square(model.predict(images) as tf.Tensor)) as tf.Scalar);
    grads = model.trainableWeights.map((w) => byName[w.name].dataSync() as Float32Array);
    tf.dispose(byName);
  });
  return { grads, kernels: profile.kernels.map((k) => k.name) };
}

async function compareOn(backend: string, activation: Activation): Promise<void> {
  await tf.setBackend(backend);
  const model = convNet(activation);
  const images = tf.tensor4d(randomValues(3 * 9 * 9 * 2, 7), [3, 9, 9, 2]);
  try {
    unregisterFusedConv2dGradient();
    const stock = await gradientsOf(model, images);
    registerFusedConv2dGradient();
    const lazy = await gradientsOf(model, images);
    assert.equal(lazy.grads.length, stock.grads.length);
    lazy.grads.forEach((g, i) => {
      g.forEach((v, j) => {
        const expected = stock.grads[i][j];
        assert.ok(Math.abs(v - expected) <= 1e-5 * Math.max(1, Math.abs(expected)), `${backend}, weight ${i}, element ${j}: ${v} against tfjs's ${expected}`);
      });
    });
    const inputGradients = (run: Run) => run.kernels.filter((k) => k === tf.Conv2DBackpropInput).length;
    // (tfjs runs a ReLU layer unfused while training, and conv2d's own gradient is already per input.)
    if (activation === "linear") assert.equal(inputGradients(stock), 2, "tfjs's fused op computes both layers' input gradients");
    assert.equal(inputGradients(lazy), 1, "only the second layer's input gradient is computed");
    const separate = (run: Run) => run.kernels.filter((k) => k === tf.Relu || k === tf.Add).length;
    if (activation === "relu") assert.ok(separate(stock) >= 3, "tfjs adds the bias and applies ReLU in kernels of their own");
    assert.equal(separate(lazy), 0, "bias and ReLU run inside the convolution");
    if (backend === "wasm" && activation === "relu") {
      assert.ok(lazy.kernels.includes(RELU_GRAD_SUM), "ReLU's gradient and the bias's come from one pass");
      const sums = (run: Run) => run.kernels.filter((k) => k === tf.Sum).length;
      assert.equal(sums(lazy), sums(stock) - 1, "no separate sum for the first layer's bias gradient (the other sum is the loss's)");
    }
  } finally {
    registerFusedConv2dGradient();
    images.dispose();
    model.dispose();
  }
}

describe("a convolution's gradient, one input at a time, bias and ReLU fused", function () {
  this.timeout(120_000);

  before(startBothBackends);

  for (const backend of ["cpu", "wasm"]) {
    it(`matches tfjs's fused op on ${backend} for linear convolutions and skips the first layer's input gradient`, () => compareOn(backend, "linear"));
    it(`matches tfjs's conv, bias add and ReLU on ${backend}, fused, and skips the first layer's input gradient`, () => compareOn(backend, "relu"));
  }

  it("leaves inference to tfjs's own op", async () => {
    await tf.setBackend("cpu");
    const [x, filter, bias] = [tf.ones([1, 5, 5, 1]), tf.ones([3, 3, 1, 1]), tf.tensor1d([0.5])];
    const y = tf.fused.conv2d({ x: x as tf.Tensor4D, filter: filter as tf.Tensor4D, bias, strides: 1, pad: "valid" });
    assert.deepEqual(Array.from(y.dataSync()), new Array(9).fill(9.5));
    tf.dispose([x, filter, bias, y]);
  });
});
