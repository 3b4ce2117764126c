/**
 * The matrices the 6x6-tile Winograd kernels are generated from
 * (lib/backend/wasm/simd/winograd-6x6): in one dimension, Aᵀ[(G g) ⊙ (Bᵀ d)]
 * must be the m outputs of correlating six inputs d with an r-tap filter g
 * (the 2-D transform is this one applied to rows, then columns).
 */
import * as assert from "node:assert/strict";
import { F2X2_5X5, F4X4_3X3 } from "../../lib/backend/wasm/simd/winograd-6x6";
import { randomValues } from "./compare-with-cpu";

const times = (m: readonly (readonly number[])[], v: ArrayLike<number>) => m.map((row) => row.reduce((s, c, j) => s + c * v[j], 0));

for (const spec of [F2X2_5X5, F4X4_3X3]) {
  const { AT, G, BT, outputTile: m, filterSize: r } = spec;
  describe(`Winograd F(${m}x${m}, ${r}x${r})'s matrices`, () => {
    it(`turn six inputs and ${r} taps into the ${m} outputs of the direct correlation`, () => {
      assert.deepEqual([AT.length, AT[0].length, G.length, G[0].length, BT.length, BT[0].length], [m, 6, 6, r, 6, 6]);
      for (let trial = 0; trial < 20; trial++) {
        const d = randomValues(6, 2 * trial + 1);
        const g = randomValues(r, 2 * trial + 2);
        const gt = times(G, g);
        const dt = times(BT, d);
        const winograd = times(AT, gt.map((v, i) => v * dt[i]));
        const direct = Array.from({ length: m }, (_, o) => g.reduce((s, w, k) => s + w * d[o + k], 0));
        winograd.forEach((v, o) => assert.ok(Math.abs(v - direct[o]) <= 1e-9 * Math.max(1, Math.abs(direct[o])), `trial ${trial}, output ${o}: ${v} against ${direct[o]}`));
      }
    });
  });
}
