/**
 * The first cell does not wait for the type checker: while the compiler
 * thread warms up, a cell that starts the notebook's declarations is
 * transpiled without types (kernel/engine/quick-convert.ts), and the next
 * cell is checked against that cell's real declarations.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import path from "node:path";
import vm from "node:vm";
import type * as TS from "@tslab/typescript-for-tslab";
import { quickConvert } from "../../kernel/engine/quick-convert";

const ts = require("@tslab/typescript-for-tslab") as typeof TS;

/** Runs a conversion's output the way tslab's executor does; resolves to its exports. */
async function run(output: string, hasToplevelAwait: boolean): Promise<Record<string, unknown>> {
  const exports: Record<string, unknown> = {};
  const wrapped = `(${hasToplevelAwait ? "async " : ""}function(exports, require) { ${output}\n})`;
  await vm.runInThisContext(wrapped)(exports, require);
  return exports;
}

describe("the first cell, before the compiler is warm", function () {
  it("transpiles a first cell without types, in tslab's shape: top-level names exported, the last expression kept, top-level await", async () => {
    const cell = 'import * as path from "node:path";\nimport { join, type ParsedPath } from "node:path";\nconst n: number = 2;\nconst [a, { b }] = [1, { b: 3 }];\nfunction twice(x: number) { return 2 * x; }\nawait Promise.resolve(twice(n) + a + b)';
    const quick = quickConvert(ts, cell)!;
    assert.deepEqual(quick.names, ["path", "join", "n", "a", "b", "twice"]);
    assert.equal(quick.reply.hasToplevelAwait, true);
    assert.equal(quick.reply.lastExpressionVar, "tsLastExpr");
    const exports = await run(quick.reply.output!, true);
    assert.equal(exports.n, 2);
    assert.equal(exports.join, path.join);
    assert.equal((exports.twice as (x: number) => number)(5), 10);
    assert.equal(exports.tsLastExpr, 8);
  });

  it("leaves to the compiler a cell that imports a local file, exports, declares types, or does not parse", () => {
    for (const cell of ['import { x } from "./helper";', "export const x = 1;", "interface P { x: number }", "enum E { A }", "const = ;"]) {
      assert.equal(quickConvert(ts, cell), null, cell);
    }
    const plain = quickConvert(ts, "1 + 1")!;
    assert.equal(plain.reply.hasToplevelAwait, false);
    assert.deepEqual(plain.names, []);
  });

  function runCold(cells: string[]): { warmBefore: boolean; status: string; value?: string; evalue?: string; stderr: string }[] {
    const child = spawnSync(process.execPath, [path.join(__dirname, "cold-engine-child.js"), ...cells], { encoding: "utf8", timeout: 600_000 });
    assert.equal(child.status, 0, child.stderr);
    return JSON.parse(child.stdout.trim().split("\n").at(-1)!);
  }

  it("runs the first cell at once, and checks the next cells against its typed declarations", function () {
    this.timeout(600_000);
    const [first, second, third] = runCold([
      'import * as tf from "@tensorflow/tfjs";\nconst n: number = 2;\nawait Promise.resolve(n + 1)',
      "const s: string = n;",
      "tf.tensor1d([n, 1]).shape[0] + n",
    ]);
    assert.equal(first.warmBefore, false, "the compiler was still warming up");
    assert.equal(first.status, "ok");
    assert.equal(first.value, "3");
    assert.equal(second.status, "error");
    assert.match(second.evalue!, /not assignable to type 'string'/, "n kept its type from the first cell");
    assert.equal(third.status, "ok", third.evalue);
    assert.equal(third.value, "4");
  });

  it("type-checks every cell after the kernel's first, even while the compiler still warms up", function () {
    this.timeout(600_000);
    const [first, second] = runCold(["1 + 1", 'const s: string = 5;']);
    assert.equal(first.warmBefore, false);
    assert.equal(first.value, "2");
    assert.equal(second.status, "error");
    assert.match(second.evalue!, /'number' is not assignable to type 'string'/);
  });

  it("shows a first cell's type errors with the next cell, and keeps its names", function () {
    this.timeout(600_000);
    const [first, second] = runCold(['const k: number = "seven";\nk', "k.length"]);
    assert.equal(first.warmBefore, false);
    assert.equal(first.status, "ok");
    assert.equal(first.value, "seven");
    assert.match(second.stderr, /In\[1\] ran before the type checker was ready/);
    assert.match(second.stderr, /not assignable to type 'number'/);
    assert.equal(second.status, "ok", second.evalue);
    assert.equal(second.value, "5");
  });
});
