/**
 * The standard Jupyter kernel test suite (Debian's python3-jupyter-kernel-test)
 * against the installed kernel: every test must run and pass, none skipped.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { registerKernelForTests, ROOT } from "./start";

describe("jupyter_kernel_test conformance", function () {
  this.timeout(300_000);

  it("passes every test of the standard suite, none skipped", () => {
    const { dir, env } = registerKernelForTests();
    const run = spawnSync("/usr/bin/python3", [path.join(ROOT, "tests", "kernel", "conformance.py")], { encoding: "utf8", cwd: dir, env });
    const report = run.stderr + run.stdout;
    assert.equal(run.status, 0, report);
    const ran = /Ran (\d+) tests?/.exec(report);
    assert.ok(ran, report);
    assert.ok(Number(ran[1]) >= 12, `expected the 12 standard tests, got ${ran[1]}\n${report}`);
    assert.match(report, /\nOK\s*$/, report);
    assert.doesNotMatch(report, /skipped/i, report);
  });
});
