import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { differingLines, outputLines } from "../../lessons/tools/compare-outputs";

function notebook(dir: string, lines: string[]): string {
  const path = join(dir, "01-x.ipynb");
  writeFileSync(path, JSON.stringify({ cells: [{ cell_type: "markdown" }, { cell_type: "code", outputs: [{ text: lines.map((l) => `${l}\n`) }] }] }));
  return path;
}

describe("lessons/tools/compare-outputs", () => {
  let scratch: string;
  before(() => (scratch = mkdtempSync(join(tmpdir(), "convlab-compare-"))));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it("masks wall-clock figures and the output folder, and reports a changed number", () => {
    const a = outputLines(notebook(scratch, [`Trained 3 epochs in 22 s, 1,098 img/s, validation accuracy 93.85%.`, `snapshots in ${scratch}/run`]), scratch);
    const bDir = mkdtempSync(join(tmpdir(), "convlab-compare-b-"));
    try {
      const b = outputLines(notebook(bDir, [`Trained 3 epochs in 31.5 s, 774 img/s, validation accuracy 93.80%.`, `snapshots in ${bDir}/run`]), bDir);
      assert.deepEqual(a[1], b[1], "the folder is masked");
      const { onlyA, onlyB } = differingLines(a, b);
      assert.deepEqual(onlyA, ["[1] Trained 3 epochs in <t>, <t>, validation accuracy 93.85%."]);
      assert.deepEqual(onlyB, ["[1] Trained 3 epochs in <t>, <t>, validation accuracy 93.80%."]);
    } finally {
      rmSync(bDir, { recursive: true, force: true });
    }
  });

  it("matches each line at most once", () => {
    assert.deepEqual(differingLines(["x", "x", "y"], ["x", "y"]), { onlyA: ["x"], onlyB: [] });
  });
});
