/**
 * `npm run bench -- simd-module`: the size and sha256 of convlab's generated
 * wasm SIMD module in each of its four builds (shared memory or not, FMA or
 * not). Not a speed figure: a refactor of the generators
 * (lib/backend/wasm/simd) that should emit the same code shows it by leaving
 * these hashes unchanged.
 */
import { createHash } from "node:crypto";
import type { Benchmark } from "./run";
import { moduleBytes } from "../lib/backend/wasm/simd/runtime";

const benchmark: Benchmark = {
  description: "size and sha256 of the generated wasm SIMD module's four builds (a generator refactor leaves them unchanged)",
  options: {},
  async run() {
    const builds: Record<string, { bytes: number; sha256: string }> = {};
    for (const shared of [false, true]) {
      for (const fma of [false, true]) {
        const bytes = moduleBytes(shared, fma);
        builds[`shared=${shared},fma=${fma}`] = { bytes: bytes.length, sha256: createHash("sha256").update(bytes).digest("hex") };
      }
    }
    return { builds };
  },
};

export default benchmark;
