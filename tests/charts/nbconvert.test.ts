/**
 * Static exports show every chart through its SVG: a notebook holding each
 * example's display bundle, converted to HTML by nbconvert (no kernel
 * involved: the kernel's own end-to-end test executes the notebook).
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { toBundle } from "../../lib/display";
import { chartExamples } from "./examples";

describe("charts in nbconvert HTML", function () {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), "convlab-nbconvert-"))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("shows every chart type as inline SVG", async function () {
    const examples = await chartExamples();
    const cells = [];
    for (const [name, chart] of Object.entries(examples)) {
      const bundle = await toBundle(chart);
      const data: Record<string, unknown> = {};
      for (const [mime, value] of Object.entries(bundle)) data[mime] = value;
      cells.push({
        cell_type: "code",
        execution_count: cells.length + 1,
        id: name,
        metadata: {},
        source: [`// ${name}`],
        outputs: [{ output_type: "display_data", data, metadata: {} }],
      });
    }
    const notebook = {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: { kernelspec: { name: "convlab", display_name: "convlab (TypeScript)", language: "typescript" } },
      cells,
    };
    const path = join(dir, "charts.ipynb");
    writeFileSync(path, JSON.stringify(notebook));
    execFileSync("jupyter", ["nbconvert", "--to", "html", path], { stdio: "pipe" });
    const html = readFileSync(join(dir, "charts.html"), "utf8");
    const svgs = html.match(/<svg[^>]*class="marks"/g) ?? [];
    assert.equal(svgs.length, Object.keys(examples).length, "one rendered SVG per chart");
    for (const [name, chart] of Object.entries(examples)) {
      const title = String(chart.spec.title && typeof chart.spec.title === "object" ? (chart.spec.title as { text: string }).text : chart.spec.title);
      assert.ok(html.includes(title.replace(/&/g, "&amp;")), `${name}: its title "${title}" is in the HTML`);
    }
  });
});
