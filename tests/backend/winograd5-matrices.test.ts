/**
 * The F(2x2, 5x5) matrices the 5×5 Winograd kernels are generated from
 * (lib/backend/wasm/simd/winograd5): in one dimension, Aᵀ[(G g) ⊙ (Bᵀ d)]
 * must be the two outputs of correlating six inputs d with a five-tap
 * filter g (the 2-D transform is this one applied to rows, then columns).
 */
import * as assert from "node:assert/strict";
import { WINOGRAD5_MATRICES } from "../../lib/backend/wasm/simd/winograd5";
import { randomValues } from "./compare-with-cpu";

const times = (m: readonly (readonly number[])[], v: ArrayLike<number>) => m.map((row) => row.reduce((s, c, j) => s + c * v[j], 0));

describe("Winograd F(2x2, 5x5)'s matrices", () => {
  it("turn six inputs and five taps into the two outputs of the direct correlation", () => {
    const { AT, G, BT } = WINOGRAD5_MATRICES;
    assert.deepEqual([AT.length, AT[0].length, G.length, G[0].length, BT.length, BT[0].length], [2, 6, 6, 5, 6, 6]);
    for (let trial = 0; trial < 20; trial++) {
      const d = randomValues(6, 2 * trial + 1);
      const g = randomValues(5, 2 * trial + 2);
      const gt = times(G, g);
      const dt = times(BT, d);
      const winograd = times(AT, gt.map((v, i) => v * dt[i]));
      const direct = [0, 1].map((o) => g.reduce((s, w, k) => s + w * d[o + k], 0));
      winograd.forEach((v, o) => assert.ok(Math.abs(v - direct[o]) <= 1e-9 * Math.max(1, Math.abs(direct[o])), `trial ${trial}, output ${o}: ${v} against ${direct[o]}`));
    }
  });
});
