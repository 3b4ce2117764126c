/**
 * ReLU's gradient from its output (lib/backend/wasm/relu-grad): the wasm
 * kernel in one pass, and the gradient tfjs's training takes through it,
 * against tfjs's own formula dy * step(x) on the cpu backend; the kernel
 * with column sums (a ReLU convolution's bias gradient) against the kernel
 * and the Sum kernel run one after the other.
 */
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { RELU_GRAD, RELU_GRAD_SUM, reluGradMethod } from "../../lib/backend/wasm/relu-grad";
import { streamingPasses } from "../../lib/backend/wasm/simd/parallel";
import { randomValues, sizeOf, startBothBackends } from "./compare-with-cpu";

/** tfjs's own ReLU gradient, dy * step(x), on the cpu backend. */
async function stockGradient(dy: Float32Array, x: Float32Array, shape: number[]): Promise<Float32Array> {
  await tf.setBackend("cpu");
  return tf.tidy(() => tf.mul(tf.tensor(dy, shape), tf.cast(tf.step(tf.tensor(x, shape)), "float32")).dataSync() as Float32Array);
}

/** Equal as floats, NaN where NaN, and zeros of the same sign. */
function assertSameFloats(actual: Float32Array, expected: Float32Array, label: string): void {
  assert.equal(actual.length, expected.length, `${label}: length`);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Object.is(actual[i], expected[i]), `${label}: element ${i} is ${actual[i]}, expected ${expected[i]}`);
  }
}

/** Inputs with ReLU's awkward values: zeros, NaN, infinities, negatives and positives. */
function awkward(size: number, seed: number): { x: Float32Array; dy: Float32Array } {
  const x = randomValues(size, seed);
  const dy = randomValues(size, seed + 1);
  const specials = [0, -0, NaN, Infinity, -Infinity];
  for (let i = 0; i < size; i += 7) x[i] = specials[(i / 7) % specials.length];
  for (let i = 3; i < size; i += 11) dy[i] = [NaN, Infinity, -Infinity][(i - 3) % 3];
  return { x, dy };
}

describe("ReLU's gradient from its output", function () {
  this.timeout(120_000);

  before(startBothBackends);
  afterEach(() => (reluGradMethod.use = "auto"));

  for (const method of ["auto", "javascript"] as const) {
    it(`the wasm kernel (${method === "auto" ? "SIMD" : "JavaScript"}) gives dy * step(x) exactly, NaN and signed zeros included, for any size`, async () => {
      reluGradMethod.use = method;
      let seed = 900;
      for (const shape of [[1], [3], [4], [2, 5, 7], [8, 32, 32, 8], [3, 9, 9, 33]]) {
        const { x, dy } = awkward(sizeOf(shape), seed);
        seed += 2;
        const expected = await stockGradient(dy, x, shape);
        await tf.setBackend("wasm");
        const actual = tf.tidy(() => {
          const y = tf.relu(tf.tensor(x, shape));
          return (tf.engine().runKernel(RELU_GRAD, { dy: tf.tensor(dy, shape), y }) as tf.Tensor).dataSync() as Float32Array;
        });
        assertSameFloats(actual, expected, `${RELU_GRAD} ${shape.join("x")}`);
      }
    });
  }

  for (const method of ["auto", "javascript"] as const) {
    for (const split of [false, true]) {
      it(`the wasm kernel with column sums (${method === "auto" ? "SIMD" : "JavaScript"}${split ? ", split across threads" : ""}) gives the gradient and the Sum kernel's sums of it, exactly`, async () => {
        reluGradMethod.use = method;
        const splitBefore = streamingPasses.split;
        streamingPasses.split = split;
        let seed = 950;
        try {
          // 65 and 200 rows: a last block shorter than the others; 3 and 6 channels: no SIMD sums, and two floats past a vector.
          for (const shape of [[5, 13, 8], [8, 32, 32, 32], [2, 5, 13, 3], [200, 6], [1, 1, 65, 33]]) {
            const { x, dy } = awkward(sizeOf(shape), seed);
            seed += 2;
            await tf.setBackend("wasm");
            const [dx, sums, expectedDx, expectedSums] = tf.tidy(() => {
              const [g, y] = [tf.tensor(dy, shape), tf.relu(tf.tensor(x, shape))];
              const [fusedDx, fusedSums] = tf.engine().runKernel(RELU_GRAD_SUM, { dy: g, y }) as tf.Tensor[];
              const separate = tf.engine().runKernel(RELU_GRAD, { dy: g, y }) as tf.Tensor;
              const axes = shape.slice(0, -1).map((_, i) => i);
              return [fusedDx, fusedSums, separate, axes.length > 0 ? tf.sum(separate, axes) : separate].map((t) => t.dataSync() as Float32Array);
            });
            assertSameFloats(dx, expectedDx, `${RELU_GRAD_SUM} ${shape.join("x")}: dx`);
            assertSameFloats(sums, expectedSums, `${RELU_GRAD_SUM} ${shape.join("x")}: sums`);
          }
        } finally {
          streamingPasses.split = splitBefore;
        }
      });
    }
  }

  for (const backend of ["wasm", "cpu"] as const) {
    it(`tf.grad through relu on ${backend} (${backend === "wasm" ? "convlab's kernel" : "tfjs's ops"}) gives tfjs's gradient, and second derivatives work`, async () => {
      const shape = [4, 6, 6, 5];
      const { x, dy } = awkward(sizeOf(shape), 40);
      const expected = await stockGradient(dy, x, shape);
      await tf.setBackend(backend);
      const actual = tf.tidy(() => {
        const gradient = tf.grad((input: tf.Tensor) => tf.relu(input));
        return gradient(tf.tensor(x, shape), tf.tensor(dy, shape)).dataSync() as Float32Array;
      });
      assertSameFloats(actual, expected, `tf.grad of relu on ${backend}`);
      // d/dx of sum(relu(x) * relu(x)) = 2 relu(x) * step(x), through the gradient's own gradient.
      const second = tf.tidy(() => {
        const outer = tf.grad((input: tf.Tensor) => {
          const inner = tf.grad((v: tf.Tensor) => tf.relu(v).square().sum().div(2));
          return inner(input).sum();
        });
        return outer(tf.tensor([-2, -0.5, 0.5, 3])).dataSync() as Float32Array;
      });
      assert.deepEqual(Array.from(second), [0, 0, 1, 1]);
    });
  }

  it("keeps ReLU's output for the backward pass, not its input: a layer's pre-activation is freed when the layer ends", async () => {
    await tf.setBackend("wasm");
    const backend = tf.backend();
    const x = tf.randomNormal([16, 16, 16, 8]);
    let buffers = 0;
    const grads = tf.grads((input: tf.Tensor) => {
      const before = backend.numDataIds();
      // A layer: its pre-activation (input squared) lives only inside its tidy.
      const y = tf.tidy(() => tf.relu(tf.mul(input, input)));
      buffers = backend.numDataIds() - before;
      return y.sum();
    });
    const [gradient] = grads([x]);
    // Saved tensors share their data (Identity), so a buffer alive is a tensor's data kept: the output only.
    assert.equal(buffers, 1, "data buffers the layer left alive (tfjs's own gradient leaves 2: output and pre-activation)");
    const expected = tf.tidy(() => tf.mul(tf.cast(tf.step(tf.square(x)), "float32"), tf.mul(x, 2)));
    assert.deepEqual(Array.from(gradient.dataSync()), Array.from(expected.dataSync()));
    tf.dispose([x, gradient, expected]);
  });
});
