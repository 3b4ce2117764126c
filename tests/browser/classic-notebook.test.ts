/**
 * The classic Notebook (Debian's jupyter-notebook 6) in headless Chromium:
 * a lesson run there shows every chart, as SVG in the trusted notebook the
 * run produced, and as PNG once the notebook is opened where it is not
 * trusted (the classic Notebook shows no SVG then). The hint's <details>
 * keeps its disclosure marker.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Page } from "playwright-core";
import { VEGA_LITE_MIME } from "../../lib/charts";
import { loadLessons, notebookText, selectLessons } from "../../lessons/tools/catalog";
import { launchBrowser, type Browser } from "./browser";
import { startJupyter, type JupyterServer } from "./jupyter-server";

/** A short lesson with several kinds of chart. */
const LESSON = "07";

interface ChartOutput {
  /** Which of the bundle's types the page shows: "svg", "png", or what else it found. */
  shown: string;
}

/** Every output whose bundle carries a chart, and how the classic Notebook shows it. */
function chartOutputs(page: Page): Promise<ChartOutput[]> {
  return page.evaluate((vegaLite) => {
    const notebook = (globalThis as any).Jupyter.notebook;
    const found: { shown: string }[] = [];
    for (const cell of notebook.get_cells()) {
      if (cell.cell_type !== "code") continue;
      const outputs: any[] = cell.output_area.outputs;
      const areas: any[] = Array.from(cell.output_area.element[0].querySelectorAll(".output_area"));
      outputs.forEach((output, i) => {
        if (!output.data || !(vegaLite in output.data)) return;
        const area = areas[i];
        const svg = area?.querySelector(".output_svg svg");
        const png = area?.querySelector(".output_png img");
        found.push({ shown: svg ? "svg" : png && png.naturalWidth > 0 ? "png" : (area?.textContent ?? "nothing").slice(0, 80) });
      });
    }
    return found;
  }, VEGA_LITE_MIME);
}

async function openNotebook(page: Page, server: JupyterServer, file: string): Promise<void> {
  await page.goto(server.url(`/notebooks/${encodeURIComponent(file)}`), { timeout: 300_000 });
  await page.waitForFunction(
    () => {
      const notebook = (globalThis as any).Jupyter?.notebook;
      return notebook?.kernel?.is_connected?.() && (globalThis as any).document.querySelector("#kernel_indicator_icon.kernel_idle_icon");
    },
    null,
    { timeout: 600_000, polling: 250 },
  );
}

describe("a lesson in the classic Notebook, in the browser", function () {
  this.timeout(1_800_000);
  const lesson = selectLessons(loadLessons(), [LESSON])[0];
  const file = `${lesson.name}.ipynb`;
  let root: string;
  let browser: Browser;
  let trusted: JupyterServer | undefined;
  let untrusted: JupyterServer | undefined;

  before(async function () {
    const version = spawnSync("jupyter", ["notebook", "--version"], { encoding: "utf8" });
    assert.equal(version.status, 0, "the classic Notebook is installed (Debian: apt-get install jupyter-notebook; .ci/run does)");
    root = mkdtempSync(path.join(tmpdir(), "convlab-classic-"));
    writeFileSync(path.join(root, file), notebookText(lesson, "learner"));
    browser = await launchBrowser();
  });

  after(async function () {
    await browser?.close();
    await trusted?.stop();
    await untrusted?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it("runs the lesson and shows every chart as SVG, then as PNG where the notebook is not trusted", async () => {
    const env = { CONVLAB_HISTORY_FILE: path.join(root, ".history.jsonl") };
    trusted = await startJupyter({ app: "notebook", jupyter: "jupyter", root, env });
    const first = await browser.page();
    await openNotebook(first.page, trusted, file);
    await first.page.click("#celllink");
    await first.page.click("#run_all_cells");
    await first.page.waitForFunction(
      () => {
        const notebook = (globalThis as any).Jupyter.notebook;
        const code: any[] = notebook.get_cells().filter((c: any) => c.cell_type === "code");
        const failed = code.some((c) => c.output_area.outputs.some((o: any) => o.output_type === "error"));
        const done = code.every((c) => c.input_prompt_number !== null && c.input_prompt_number !== undefined && c.input_prompt_number !== "*");
        return (globalThis as any).document.querySelector("#kernel_indicator_icon.kernel_idle_icon") && (done || failed);
      },
      null,
      { timeout: 1_200_000, polling: 500 },
    );
    const errors = await first.page.evaluate(() =>
      (globalThis as any).Jupyter.notebook.get_cells().flatMap((c: any) => (c.output_area?.outputs ?? []).filter((o: any) => o.output_type === "error").map((o: any) => `${o.ename}: ${o.evalue}`)),
    );
    assert.deepEqual(errors, []);
    const live = await chartOutputs(first.page);
    assert.ok(live.length >= 3, `${live.length} charts`);
    assert.deepEqual(live.map((c) => c.shown), live.map(() => "svg"), "the trusted notebook shows each chart's SVG");
    const marker = await first.page.evaluate(() => {
      const summary = (globalThis as any).document.querySelector(".rendered_html details summary");
      return summary ? (globalThis as any).getComputedStyle(summary).display : "no hint";
    });
    assert.equal(marker, "list-item", "the hint's summary keeps its disclosure marker");
    await first.page.evaluate(() => (globalThis as any).Jupyter.notebook.save_notebook());
    await first.page.waitForFunction(() => !(globalThis as any).Jupyter.notebook.dirty, null, { timeout: 60_000 });
    await first.page.close();
    await trusted.stop();
    trusted = undefined;

    // Another server keeps its own record of trusted notebooks: there, this one is not trusted.
    untrusted = await startJupyter({ app: "notebook", jupyter: "jupyter", root, env });
    const second = await browser.page();
    await openNotebook(second.page, untrusted, file);
    assert.equal(await second.page.evaluate(() => (globalThis as any).Jupyter.notebook.trusted), false);
    const saved = await chartOutputs(second.page);
    assert.equal(saved.length, live.length);
    assert.deepEqual(saved.map((c) => c.shown), saved.map(() => "png"), "the untrusted notebook shows each chart's PNG");
  });
});
