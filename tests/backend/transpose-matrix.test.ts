/**
 * The generated matrix transpose (lib/backend/wasm/transpose-matrix): the
 * same floats as tfjs's Transpose, bit for bit, for whole and partial
 * 64x64 tiles, and no answer where its 4x4 blocks do not fit.
 */
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import type { WasmBackend } from "../../lib/backend/wasm/kernel-calls";
import { transposeMatrix } from "../../lib/backend/wasm/transpose-matrix";
import { randomValues, sizeOf, startBothBackends } from "./compare-with-cpu";

describe("the generated matrix transpose", function () {
  this.timeout(60_000);
  before(startBothBackends);

  it("moves every float to its place, in whole and partial tiles (vgg's dense-layer shapes included)", async () => {
    await tf.setBackend("wasm");
    const backend = tf.backend() as unknown as WasmBackend;
    let seed = 7100;
    for (const [rows, columns] of [[4, 4], [8, 12], [64, 4096], [4096, 64], [68, 132], [1100, 8]]) {
      const x = tf.tensor2d(randomValues(sizeOf([rows, columns]), seed++), [rows, columns]);
      const moved = transposeMatrix(backend, { dataId: x.dataId, shape: x.shape, dtype: x.dtype }, rows, columns);
      assert.ok(moved, `${rows}x${columns}: transposed`);
      const got = tf.engine().makeTensorFromTensorInfo(moved);
      const want = tf.transpose(x);
      assert.deepEqual(got.shape, [columns, rows]);
      assert.deepEqual(got.dataSync(), want.dataSync(), `${rows}x${columns}: the same floats as tfjs's Transpose`);
      tf.dispose([x, got, want]);
    }
  });

  it("leaves matrices whose sides are not multiples of 4, and other dtypes, to the caller", async () => {
    await tf.setBackend("wasm");
    const backend = tf.backend() as unknown as WasmBackend;
    const cases: [tf.Tensor, number, number][] = [
      [tf.zeros([6, 8]), 6, 8],
      [tf.zeros([8, 6]), 8, 6],
      [tf.zeros([8, 8], "int32"), 8, 8],
    ];
    for (const [x, rows, columns] of cases) {
      assert.equal(transposeMatrix(backend, { dataId: x.dataId, shape: x.shape, dtype: x.dtype }, rows, columns), null, `${x.dtype} ${rows}x${columns}`);
      x.dispose();
    }
  });
});
