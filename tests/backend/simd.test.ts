/**
 * The generated SIMD product kernel itself, against a plain JavaScript
 * product: every tile shape (4 and 1 rows; 8, 4 and 1 columns), strided and
 * row-table addressing, accumulation, and empty reductions; and the drivers
 * that make one product per plane in a call.
 */
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import type { WasmBackend } from "../../lib/backend/wasm/kernel-calls";
import { KernelFunction, MAX_KERNEL_ARGS } from "../../lib/backend/wasm/simd/job-protocol";
import { addressOf, fmaSetting, relaxedSimdAvailable, rowTable, simdKernels } from "../../lib/backend/wasm/simd/runtime";
import { writeModule, FunctionWriter } from "../../lib/backend/wasm/simd/wasm-writer";
import { randomValues, relativeError, startBothBackends } from "./compare-with-cpu";

describe("generated SIMD kernels", function () {
  this.timeout(120_000);
  before(startBothBackends);

  it("writes modules that WebAssembly validates", () => {
    const f = new FunctionWriter("add", ["i32", "i32"], ["i32"]);
    f.get(f.params[0]).get(f.params[1]).i32Add();
    const bytes = writeModule([f], { shared: false });
    const api = (globalThis as unknown as { WebAssembly: { validate(b: Uint8Array): boolean } }).WebAssembly;
    assert.ok(api.validate(bytes));
  });

  it("take no more arguments than the thread protocol passes to each call", async () => {
    await tf.setBackend("wasm");
    const kernels = simdKernels(tf.backend() as unknown as WasmBackend);
    assert.ok(kernels, "the generated kernels are available on wasm");
    const arities = Object.entries(kernels).map(([name, f]) => [name, (f as KernelFunction).length] as const);
    assert.ok(arities.length > 10);
    for (const [name, arity] of arities) assert.ok(arity <= MAX_KERNEL_ARGS, `${name} takes ${arity} arguments; invoke passes ${MAX_KERNEL_ARGS}`);
    assert.equal(Math.max(...arities.map(([, arity]) => arity)), MAX_KERNEL_ARGS, "MAX_KERNEL_ARGS is the largest arity, not more");
  });

  /**
   * C[m, n] (+)= sum over k1, k2, k3 of A[rowA(m) + k1*sA1 + k2*sA2 + k3*sA3] * B[k1*sB1 + k2*sB2 + k3*sB3 + n],
   * in floats (the kernel takes bytes).
   */
  function reference(
    m: number,
    n: number,
    a: Float32Array,
    rowsA: number[],
    b: Float32Array,
    c: Float32Array,
    rowsC: number[],
    accumulate: boolean,
    k: [number, number, number][],
  ): Float32Array {
    const out = c.slice();
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let sum = accumulate ? out[rowsC[i] + j] : 0;
        for (let k1 = 0; k1 < k[0][0]; k1++) {
          for (let k2 = 0; k2 < k[1][0]; k2++) {
            for (let k3 = 0; k3 < k[2][0]; k3++) {
              sum +=
                a[rowsA[i] + k1 * k[0][1] + k2 * k[1][1] + k3 * k[2][1]] *
                b[k1 * k[0][2] + k2 * k[1][2] + k3 * k[2][2] + j];
            }
          }
        }
        out[rowsC[i] + j] = sum;
      }
    }
    return out;
  }

  afterEach(() => {
    fmaSetting.use = "auto";
  });

  it("uses fused multiply-adds (relaxed SIMD) on this Node", () => {
    // Node 20 has relaxed SIMD behind a V8 flag that convlab turns on; Node 22 has it on.
    assert.ok(relaxedSimdAvailable(), "relaxed SIMD could not be turned on");
  });

  for (const [m, n, fma, adjacent] of [
    [9, 21, "auto", false],
    [4, 8, "auto", false],
    [1, 1, "auto", false],
    [6, 13, "auto", false],
    [13, 3, "auto", false],
    [9, 21, "off", false],
    [13, 3, "off", false],
    [9, 21, "auto", true],
    [13, 3, "auto", true],
    [9, 21, "off", true],
    // The last 2 and 3 columns in one masked 4-wide strip.
    [9, 50, "auto", false],
    [5, 7, "auto", true],
  ] as const) {
    for (const accumulate of [false, true]) {
      const how = `${fma === "off" ? ", multiply then add" : ""}${adjacent ? ", A's rows adjacent (gemmAdjacent)" : ""}`;
      it(`computes a ${m}x${n} product with three strided reductions${accumulate ? ", adding to C" : ""}${how}`, async () => {
        await tf.setBackend("wasm");
        fmaSetting.use = fma;
        const backend = tf.backend() as unknown as WasmBackend;
        const simd = simdKernels(backend);
        assert.ok(simd);
        // k: [count, A stride, B stride] in floats; B rows hold n plus a gap.
        const k: [number, number, number][] = [
          [2, 61, 3 * 5 * (n + 2)],
          [3, 17, 5 * (n + 2)],
          [5, 2, n + 2],
        ];
        const aValues = randomValues(m * 7 + 200, m + n);
        const bValues = randomValues(2 * 3 * 5 * (n + 2), m * n);
        const rowsA = Array.from({ length: m }, (_, i) => (adjacent ? 3 + i : (i * 7) % 50));
        const rowsC = Array.from({ length: m }, (_, i) => (m - 1 - i) * (n + 3));
        const cValues = randomValues(m * (n + 3), 5);
        const expected = reference(m, n, aValues, rowsA, bValues, cValues, rowsC, accumulate, k);

        const aT = tf.tensor1d(aValues);
        const bT = tf.tensor1d(bValues);
        const cT = tf.tensor1d(cValues).add(0); // a tensor of its own, written in place
        const info = (t: tf.Tensor) => ({ dataId: t.dataId, shape: t.shape, dtype: t.dtype }) as tf.TensorInfo;
        const rowsATable = rowTable(backend, m, (i) => 4 * rowsA[i]);
        const rowsCTable = rowTable(backend, m, (i) => 4 * rowsC[i]);
        (adjacent ? simd!.gemmAdjacent : simd!.gemm)(
          m,
          n,
          addressOf(backend, rowsATable),
          addressOf(backend, info(aT)),
          addressOf(backend, rowsCTable),
          addressOf(backend, info(cT)),
          accumulate ? 1 : 0,
          addressOf(backend, info(bT)),
          ...(k.flatMap(([count, sa, sb]) => [count, 4 * sa, 4 * sb]) as [number, number, number, number, number, number, number, number, number]),
        );
        backend.disposeData(rowsATable.dataId);
        backend.disposeData(rowsCTable.dataId);
        const actual = cT.dataSync() as Float32Array;
        const error = relativeError(actual, expected);
        assert.ok(error <= 1e-5, `relative error ${error}`);
        // Everything outside C's rows is untouched.
        const written = new Set(rowsC.flatMap((r) => Array.from({ length: n }, (_, j) => r + j)));
        for (let i = 0; i < actual.length; i++) {
          if (!written.has(i)) assert.equal(actual[i], cValues[i], `C[${i}] is outside the product and must not change`);
        }
        tf.dispose([aT, bT, cT]);
      });
    }
  }

  for (const adjacent of [false, true]) {
    it(`makes ${adjacent ? "gemmAdjacentPlanes" : "gemmPlanes"}' products bit for bit as one ${adjacent ? "gemmAdjacent" : "gemm"} call per plane does`, async () => {
      await tf.setBackend("wasm");
      const backend = tf.backend() as unknown as WasmBackend;
      const simd = simdKernels(backend)!;
      const [m, n, k, planes] = [6, 11, 7, 3];
      // Planes of A, B and C a different number of floats apart (A's and C's with a gap).
      const [aPlane, bPlane, cPlane] = [m * k + 5, k * n, m * n + 3];
      const a = tf.tensor1d(randomValues(planes * aPlane, 11));
      const b = tf.tensor1d(randomValues(planes * bPlane, 12));
      const cValues = randomValues(planes * cPlane, 13);
      const [cPerPlane, cAtOnce] = [tf.tensor1d(cValues).add(0), tf.tensor1d(cValues).add(0)];
      const info = (t: tf.Tensor) => ({ dataId: t.dataId, shape: t.shape, dtype: t.dtype }) as tf.TensorInfo;
      const rowsA = rowTable(backend, m, (i) => 4 * (adjacent ? i : i * k));
      const rowsC = rowTable(backend, m, (i) => 4 * i * n);
      const [aAt, bAt, rowsAAt, rowsCAt] = [info(a), info(b), rowsA, rowsC].map((t) => addressOf(backend, t));
      const aStride = adjacent ? m : 1;
      const product = (c: number) => [m, n, rowsAAt, aAt, rowsCAt, c, 1, bAt, k, 4 * aStride, 4 * n, 1, 0, 0, 1, 0, 0] as const;
      const one = adjacent ? simd.gemmAdjacent : simd.gemm;
      for (let p = 0; p < planes; p++) {
        const [mm, nn, ra, aa, rc, cc, acc, bb, ...rest] = product(addressOf(backend, info(cPerPlane)) + 4 * p * cPlane);
        one(mm, nn, ra, aa + 4 * p * aPlane, rc, cc, acc, bb + 4 * p * bPlane, ...rest);
      }
      (adjacent ? simd.gemmAdjacentPlanes : simd.gemmPlanes)(...product(addressOf(backend, info(cAtOnce))), planes, 4 * aPlane, 4 * cPlane, 4 * bPlane);
      backend.disposeData(rowsA.dataId);
      backend.disposeData(rowsC.dataId);
      const [expected, actual] = [cPerPlane.dataSync(), cAtOnce.dataSync()];
      assert.ok(!Array.from(expected).every((v, i) => v === cValues[i]), "the products changed C");
      assert.deepEqual(Array.from(actual), Array.from(expected));
      tf.dispose([a, b, cPerPlane, cAtOnce]);
    });
  }

  it("leaves C as it was (adding) or zero (not adding) for an empty reduction", async () => {
    await tf.setBackend("wasm");
    const backend = tf.backend() as unknown as WasmBackend;
    const simd = simdKernels(backend)!;
    const info = (t: tf.Tensor) => ({ dataId: t.dataId, shape: t.shape, dtype: t.dtype }) as tf.TensorInfo;
    for (const accumulate of [1, 0] as const) {
      const c = tf.tensor1d([1, 2, 3, 4, 5, 6]).add(0);
      const a = tf.tensor1d([7]);
      const rows = rowTable(backend, 2, (i) => 12 * i);
      simd.gemm(2, 3, addressOf(backend, rows), addressOf(backend, info(a)), addressOf(backend, rows), addressOf(backend, info(c)), accumulate, addressOf(backend, info(a)), 1, 0, 0, 0, 0, 0, 4, 0, 0);
      backend.disposeData(rows.dataId);
      assert.deepEqual(Array.from(c.dataSync()), accumulate ? [1, 2, 3, 4, 5, 6] : [0, 0, 0, 0, 0, 0]);
      tf.dispose([a, c]);
    }
  });
});
