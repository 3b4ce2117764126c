/**
 * A real Jupyter client runs notebooks through the kernel: nbconvert
 * executes them headless, as CI and instructors do.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { notebookOf, registerKernelForTests, ROOT } from "./start";

type Output = { output_type: string; data?: Record<string, unknown>; text?: string | string[]; ename?: string };
type Cell = { outputs: Output[] };

/** nbformat stores text as a string or a list of lines. */
function joined(text: unknown): string {
  return Array.isArray(text) ? text.join("") : String(text);
}

describe("notebooks executed by nbconvert through the kernel", function () {
  this.timeout(300_000);
  const { dir, env } = registerKernelForTests();

  function execute(name: string, sources: string[], to: "notebook" | "html"): string {
    const file = path.join(dir, `${name}.ipynb`);
    writeFileSync(file, JSON.stringify(notebookOf(sources)));
    const args = ["nbconvert", "--execute", "--to", to, "--ExecutePreprocessor.timeout=240", "--output", `${name}-out`, file];
    execFileSync("jupyter", args, { cwd: dir, env, stdio: "pipe" });
    return readFileSync(path.join(dir, `${name}-out.${to === "html" ? "html" : "ipynb"}`), "utf8");
  }

  it("imports convlab, shows a rich value and updates a display", () => {
    const executed = JSON.parse(execute("rich", [
      'import { displayBundle, DISPLAY } from "convlab";',
      '({ [DISPLAY]: () => ({ "text/html": "<b>rich value</b>", "text/plain": "rich value" }) })',
      'const progress = displayBundle({ "text/plain": "step 0 of 5" });\nfor (let i = 1; i <= 5; i++) progress.updateBundle({ "text/plain": `step ${i} of 5` });',
    ], "notebook")) as { cells: Cell[] };
    const [imports, rich, updated] = executed.cells;
    assert.deepEqual(imports.outputs, []);
    const result = rich.outputs.find((o) => o.output_type === "execute_result")!;
    assert.equal(joined(result.data!["text/html"]), "<b>rich value</b>");
    assert.equal(updated.outputs.length, 1, "updates replace the display; they add no outputs");
    assert.equal(joined(updated.outputs[0].data!["text/plain"]), "step 5 of 5");
  });

  it("shows every chart type in the HTML export, via its SVG", () => {
    const examples = path.join(ROOT, "dist", "tests", "charts", "examples");
    const html = execute("charts", [
      `import { display } from "convlab";\nimport { chartExamples } from ${JSON.stringify(examples)};`,
      "const examples = await chartExamples();\nfor (const chart of Object.values(examples)) await display(chart);\nObject.keys(examples).length",
    ], "html");
    const count = Number(/<pre>(\d+)<\/pre>/.exec(html)?.[1]);
    assert.ok(count >= 10, `the notebook reported ${count} chart types`);
    const svgs = html.match(/<svg[^>]*class="marks"/g) ?? [];
    assert.equal(svgs.length, count, "one server-rendered SVG per chart type");
  });
});
