/**
 * Every lesson, as a learner runs it: the learner notebook opened in
 * JupyterLab 4 in headless Chromium, Run ▸ Run All Cells, and what the page
 * then shows. (The instructor variant runs through nbconvert, in
 * tests/lessons/execute.test.ts.) Lesson 1 is also used as a learner would
 * use it afterwards: a long training interrupted from the Kernel menu, Tab
 * completion, and the contextual help.
 *
 * CONVLAB_LESSONS=01,07 runs only those lessons (for working on one).
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { CHECK_MIME, type CheckRecord } from "../../lib/check";
import { VEGA_LITE_MIME } from "../../lib/charts";
import { renderSVG } from "../../lib/charts/render";
import { loadLessons, notebookText, ROOT, selectLessons } from "../../lessons/tools/catalog";
import type { Lesson } from "../../lessons/tools/lesson-source";
import { launchBrowser, type Browser } from "./browser";
import { startJupyter, type JupyterServer } from "./jupyter-server";
import { jupyterLab } from "./lab-environment";
import { LabNotebook, type KernelMessage, type NotebookJson, type RenderedOutput } from "./lab-notebook";

const SCREENSHOTS = path.join(ROOT, "build", "screenshots");
/** Lessons whose screenshot the README shows. */
const SCREENSHOT_LESSONS = ["01", "04", "07"];

interface LabRun {
  lesson: Lesson;
  seconds: number;
  json: NotebookJson;
  rendered: RenderedOutput[][];
  consoleMessages: string[];
  notebook: LabNotebook;
}

const text = (value: unknown) => (Array.isArray(value) ? value.join("") : String(value ?? ""));

function errorsIn(json: NotebookJson): string[] {
  return json.cells.flatMap((cell, i) => (cell.outputs ?? []).filter((o) => o.output_type === "error").map((o) => `cell ${i + 1}: ${o.ename}: ${o.evalue}`));
}

function checksIn(json: NotebookJson): CheckRecord[] {
  return json.cells.flatMap((cell) => (cell.outputs ?? []).flatMap((o) => (o.data && CHECK_MIME in o.data ? [o.data[CHECK_MIME] as CheckRecord] : [])));
}

const exerciseIds = (lesson: Lesson) => lesson.segments.flatMap((s) => (s.kind === "exercise" ? [s.id] : []));

/** Labels of the x axes Vega draws for a spec (rendered here, with the same Vega-Lite as JupyterLab). */
function xAxisLabels(spec: unknown): string[] {
  const svg = renderSVG(spec as never).svg;
  const labels: string[] = [];
  for (const axis of svg.split('class="mark-group role-axis"').slice(1)) {
    if (!/aria-label="X-axis/.test(axis.slice(0, 400))) continue;
    const group = axis.split('class="mark-text role-axis-label"')[1]?.split("</g>")[0] ?? "";
    for (const m of group.matchAll(/<text[^>]*>([^<]*)<\/text>/g)) labels.push(m[1]);
  }
  return labels;
}

/** The training-history points of a live training chart's spec: "metric/split@epoch" → value. */
function historyPoints(spec: Record<string, any>): string[] {
  const parts: Record<string, any>[] = spec.vconcat ?? [spec];
  const values: { epoch: number; metric: string; split: string }[] = parts[0]?.data?.values ?? [];
  return values.map((v) => `${v.metric}/${v.split}@${v.epoch}`);
}

describe("lessons in JupyterLab, in the browser (the learner notebooks)", function () {
  const wanted = process.env.CONVLAB_LESSONS ? process.env.CONVLAB_LESSONS.split(",") : [];
  const lessons = selectLessons(loadLessons(), wanted);
  let server: JupyterServer;
  let browser: Browser;
  let root: string;
  const runs = new Map<string, LabRun>();

  before(async function () {
    this.timeout(900_000);
    const env = await jupyterLab();
    root = mkdtempSync(path.join(tmpdir(), "convlab-lab-lessons-"));
    for (const lesson of lessons) writeFileSync(path.join(root, `${lesson.name}.ipynb`), notebookText(lesson, "learner"));
    server = await startJupyter({
      app: "lab",
      jupyter: env.jupyter,
      root,
      env: { CONVLAB_HISTORY_FILE: path.join(root, ".history.jsonl"), CONVLAB_CACHE_DIR: path.join(root, ".convlab-cache") },
    });
    browser = await launchBrowser();
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  after(async function () {
    this.timeout(120_000);
    await browser?.close();
    await server?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  async function runLesson(lesson: Lesson): Promise<LabRun> {
    const { page, console: messages } = await browser.page();
    const notebook = await LabNotebook.open(page, messages, server, `${lesson.name}.ipynb`);
    const loadBefore = loadavg()[0];
    const ms = await notebook.runAll((lesson.meta.budget + 600) * 1000);
    const kernelCpu = await kernelCpuSeconds(server, `${lesson.name}.ipynb`);
    const run: LabRun = {
      lesson,
      seconds: ms / 1000,
      json: await notebook.json(),
      rendered: await notebook.rendered(),
      consoleMessages: messages.map((m) => `${m.type()}: ${m.text()}`),
      notebook,
    };
    if (SCREENSHOT_LESSONS.includes(lesson.number)) {
      const cells = run.json.cells;
      const trainingCell = cells.findIndex((c) => /await train\(/.test(text(c.source)));
      const firstChart = cells.findIndex((c) => (c.outputs ?? []).some((o) => o.data && VEGA_LITE_MIME in o.data));
      await notebook.screenshot(trainingCell >= 0 ? trainingCell : Math.max(0, firstChart), path.join(SCREENSHOTS, `${lesson.name}.png`));
    }
    // The budget is wall time, as for nbconvert; the kernel's CPU time and the load say how much of it the machine's load took.
    const cpu = kernelCpu === undefined ? "" : `, the kernel used ${kernelCpu.toFixed(1)} s of CPU`;
    console.log(`      ${lesson.name}: all cells ran in ${run.seconds.toFixed(1)} s in the browser (budget ${lesson.meta.budget} s)${cpu}; load average ${loadBefore.toFixed(1)} → ${loadavg()[0].toFixed(1)}`);
    return run;
  }

  for (const lesson of lessons) {
    describe(lesson.name, function () {
      let run: LabRun;
      before(async function () {
        this.timeout((lesson.meta.budget + 900) * 1000);
        run = await runLesson(lesson);
        runs.set(lesson.name, run);
      });
      after(async function () {
        this.timeout(120_000);
        await run?.notebook.shutdownKernel();
        await run?.notebook.page.close();
      });

      it(`runs every cell with no error, within its budget of ${lesson.meta.budget} s`, () => {
        assert.deepEqual(errorsIn(run.json), []);
        const code = run.json.cells.filter((c) => c.cell_type === "code");
        assert.ok(code.length > 0);
        assert.ok(run.seconds <= lesson.meta.budget, `took ${run.seconds.toFixed(1)} s`);
      });

      it("draws every chart with JupyterLab's Vega-Lite renderer, none with the SVG fallback", () => {
        const charts = run.rendered.flat().filter((o) => o.bundle.includes(VEGA_LITE_MIME));
        for (const chart of charts) {
          assert.match(chart.renderer, /\bjp-RenderedVegaLite\b/, `rendered by ${chart.renderer}`);
          assert.ok(chart.vegaDrawn, "Vega drew it");
        }
        const fallbacks = run.rendered.flat().filter((o) => /\bjp-RenderedSVG\b/.test(o.renderer) && o.bundle.includes(VEGA_LITE_MIME));
        assert.equal(fallbacks.length, 0);
        console.log(`      ${charts.length} Vega-Lite charts drawn`);
      });

      it("fails each check with a message while the exercises hold their starters", () => {
        const checks = checksIn(run.json);
        assert.deepEqual(checks.map((c) => c.exercise), exerciseIds(lesson));
        for (const record of checks) {
          assert.equal(record.passed, false, `${record.exercise} passed with its starter`);
          const failed = record.findings.filter((f) => !f.passed);
          assert.ok(failed.length >= 1 && failed.every((f) => f.message.length > 20), `${record.exercise}: no helpful message`);
        }
      });

      it("logs no warning or error from its outputs in the browser console", () => {
        // Vega logs "WARN …"/"ERROR …"; JupyterLab's own notes (slow plugin activation on a loaded
        // machine, the windowed notebook scrolling) are not the lesson's.
        const fromOutputs = run.consoleMessages.filter((m) => /^(warning|error): (WARN|ERROR)\b|vega/i.test(m));
        assert.deepEqual(fromOutputs, []);
      });

      if (lesson.number === "01") lessonOneAsALearnerUsesIt(() => run);
    });
  }
});

/** Lesson 1 beyond Run All: the live chart as it updated, the progress bar, an interrupt, Tab and the contextual help. */
function lessonOneAsALearnerUsesIt(getRun: () => LabRun): void {
  // Each test starts from a known state, whatever the one before it left.
  beforeEach(async function () {
    this.timeout(600_000);
    debug("settling the notebook");
    await getRun().notebook.settle();
    debug("settled");
  });

  const trainingRequest = (run: LabRun): KernelMessage => {
    const request = run.notebook.sent.find((m) => m.msgType === "execute_request" && /const run = await train\(/.test(m.content.code));
    assert.ok(request, "the training cell was sent");
    return request;
  };

  it("replaces the live training chart in place at least 5 times, each state with whole-number epoch ticks and every point so far", () => {
    const run = getRun();
    const request = trainingRequest(run);
    const fromCell = run.notebook.messages.filter((m) => m.parentId === request.msgId);
    const shown = fromCell.find((m) => m.msgType === "display_data" && VEGA_LITE_MIME in (m.content.data ?? {}));
    assert.ok(shown, "the training chart was shown");
    const id = shown.content.transient.display_id;
    const updates = fromCell.filter((m) => m.msgType === "update_display_data" && m.content.transient?.display_id === id);
    const reply = run.notebook.messages.find((m) => m.msgType === "execute_reply" && m.parentId === request.msgId)!;
    const during = updates.filter((m) => m.receivedAt <= reply.receivedAt);
    console.log(`      live chart: ${during.length} updates in ${((reply.receivedAt - shown.receivedAt) / 1000).toFixed(1)} s of training`);
    assert.ok(during.length >= 5, `${during.length} updates`);
    let previous: string[] = [];
    for (const update of during) {
      const spec = update.content.data[VEGA_LITE_MIME];
      const points = historyPoints(spec);
      // (Validation points join at each epoch's end, so the order of the values may change; none may go.)
      const lost = previous.filter((point) => !points.includes(point));
      assert.deepEqual(lost, [], "an update keeps every point shown before");
      previous = points;
      const labels = xAxisLabels(spec);
      assert.ok(labels.length >= 2, `the epoch axis has ticks: ${labels.join(" ")}`);
      for (const label of labels) assert.match(label, /^\d+$/, `epoch tick "${label}" in ${labels.join(" ")}`);
    }
    const cell = run.json.cells.find((c) => /const run = await train\(/.test(text(c.source)))!;
    const charts = (cell.outputs ?? []).filter((o) => o.data && VEGA_LITE_MIME in o.data);
    assert.equal(charts.length, 1, "the chart was replaced, never added");
  });

  it("fills the progress bar to its end", () => {
    const run = getRun();
    const request = trainingRequest(run);
    const bars = run.notebook.messages
      .filter((m) => m.parentId === request.msgId && /<progress /.test(text(m.content.data?.["text/html"])))
      .map((m) => /<progress value="(\d+)" max="(\d+)"/.exec(text(m.content.data["text/html"]))!);
    assert.ok(bars.length >= 2, `${bars.length} progress states`);
    assert.ok(bars.some((b) => b[1] === b[2]), `last: ${bars.at(-1)?.[0]}`);
  });

  it("interrupts a long training from the Kernel menu: idle within 2 s, model and history kept", async function () {
    this.timeout(900_000);
    const { notebook } = getRun();
    // Far more epochs than can finish while the test waits for the second one and clicks.
    await notebook.appendCell('const longModel = tinyNetwork();\nconst longRun = await train(longModel, digits, { epochs: 500, batchSize: 32, solver: "adam", learningRate: 0.001, lrPolicy: "fixed", snapshots: false });');
    const sentBefore = notebook.sent.length;
    debug("interrupt: the long training's cell is added; running it");
    await notebook.runActiveCell();
    const longRun = await waitFor(() => notebook.sent.slice(sentBefore).find((m) => m.msgType === "execute_request" && m.content.code.includes("const longRun")), "the long training's request");
    debug(`interrupt: the request ${longRun.msgId} was sent`);
    // A whole epoch finished, so there is history to keep.
    const progress = await waitFor(
      () => notebook.messages.find((m) => m.parentId === longRun.msgId && /^Epoch ([2-9]|\d{2,})\/500 /.test(text(m.content.data?.["text/plain"]))),
      "the second of 500 epochs",
      600_000,
    );
    debug(`interrupt: seen "${text(progress.content.data["text/plain"])}"`);
    const replied = () => notebook.messages.find((m) => m.parentId === longRun.msgId && m.msgType === "execute_reply");
    assert.equal(replied(), undefined, `still training at "${text(progress.content.data["text/plain"])}"`);
    const interruptsBefore = notebook.interruptsSent.length;
    await notebook.menu("Kernel", "kernelmenu:interrupt");
    const sent = await waitFor(() => notebook.interruptsSent[interruptsBefore], "the page's interrupt request");
    // The kernel stamps its messages: its idle status after the cell tells when it was idle again (same clock).
    const idle = await waitFor(() => notebook.messages.find((m) => m.parentId === longRun.msgId && m.msgType === "status" && m.content.execution_state === "idle"), "the cell's idle status", 300_000);
    const kernelIdleMs = Date.parse(idle.date) - sent;
    const reply = await waitFor(replied, "the cell's reply");
    console.log(`      interrupt: the kernel was idle ${kernelIdleMs} ms after the page sent Kernel > Interrupt (reply: ${reply.content.status} ${reply.content.ename ?? ""}; load ${loadavg()[0].toFixed(1)})`);
    assert.equal(reply.content.status, "error", "the training was broken off, not finished");
    assert.ok(kernelIdleMs <= 2000, `idle after ${kernelIdleMs} ms`);

    await notebook.appendAndRun(
      `import { lastTraining } from "convlab";\nconst last = lastTraining(longModel)!;\nawait last.done;\nJSON.stringify({ status: last.status, epochs: last.history.length, params: longModel.countParams() })`,
      300_000,
    );
    const outputs = await notebook.lastOutputs();
    const shown = text(outputs.find((o) => o.output_type === "execute_result")?.data?.["text/plain"]);
    const result = JSON.parse(shown.slice(1, -1)); // util.inspect quotes the string
    assert.equal(result.status, "interrupted");
    assert.ok(result.epochs >= 1, `history of ${result.epochs} epochs`);
    assert.ok(result.params > 0);
  });

  it("completes `loadMn` with Tab to loadMnist, offering only names that start with it", async function () {
    this.timeout(300_000);
    const { notebook } = getRun();
    const page = notebook.page;
    await notebook.appendCell("loadMn");
    const before = notebook.sent.length;
    await notebook.editActiveCell();
    await page.keyboard.press("Tab");
    const request = await waitFor(() => notebook.sent.slice(before).find((m) => m.msgType === "complete_request"), "a complete_request");
    const reply = await waitFor(() => notebook.messages.find((m) => m.msgType === "complete_reply" && m.parentId === request.msgId), "its reply");
    const matches: string[] = reply.content.matches;
    assert.ok(matches.includes("loadMnist"), JSON.stringify(matches));
    assert.ok(matches.every((m) => m.startsWith("loadMn")), JSON.stringify(matches));
    // One match: JupyterLab completes it in place; several: its list shows only these.
    let lastState = "";
    const shown = await waitFor(async () => {
      const state = await page.evaluate(() => {
        const cell = (globalThis as any).convlabPanel.content.activeCell;
        const items = Array.from((globalThis as any).document.querySelectorAll(".jp-Completer-item .jp-Completer-match")).map((e: any) => e.textContent);
        return { source: cell.model.sharedModel.getSource(), items };
      });
      lastState = JSON.stringify(state);
      return state.source === "loadMnist" || state.items.length > 0 ? state : undefined;
    }, "the completion in the page").catch((error: Error) => {
      throw new Error(`${error.message}; the page shows ${lastState}`);
    });
    if (shown.source !== "loadMnist") assert.ok(shown.items.every((item: string) => item.startsWith("loadMn")) && shown.items.includes("loadMnist"), JSON.stringify(shown.items));
    await page.keyboard.press("Escape");
  });

  it("shows train's signature and documentation in the contextual help", async function () {
    this.timeout(300_000);
    const { notebook } = getRun();
    const page = notebook.page;
    await notebook.appendCell("");
    await page.evaluate(() => (globalThis as any).jupyterapp.commands.execute("inspector:open"));
    await notebook.editActiveCell();
    await page.keyboard.type("train", { delay: 50 });
    let shownNow = "";
    const help = await waitFor(async () => {
      shownNow = await page.evaluate(() => (globalThis as any).document.querySelector(".jp-Inspector-content")?.textContent ?? "");
      return /train\(model/.test(shownNow) ? shownNow : undefined;
    }, "train's signature in the contextual help").catch((error: Error) => {
      const inspects = notebook.sent.filter((m) => m.msgType === "inspect_request").map((m) => JSON.stringify(m.content));
      throw new Error(`${error.message}; the panel shows "${shownNow.slice(0, 200)}"; inspect requests: ${inspects.slice(-3).join(" ")}`);
    });
    assert.match(help, /function train\(model/);
    assert.match(help, /Trains/, "and its documentation");
  });
}

/** CPU seconds used so far by the kernel of the notebook `file` (from /proc; undefined where there is none). */
async function kernelCpuSeconds(server: JupyterServer, file: string): Promise<number | undefined> {
  const sessions = await server.api<{ path: string; kernel: { id: string } }[]>("/api/sessions");
  const id = sessions.find((s) => s.path === file)?.kernel.id;
  if (!id || !existsSync("/proc/self/stat")) return undefined;
  for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(`kernel-${id}.json`)) continue;
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
      return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks of 1/100 s
    } catch {
      // the process ended meanwhile
    }
  }
  return undefined;
}

/** Logs a test's steps when CONVLAB_TEST_DEBUG is set. */
function debug(line: string): void {
  if (process.env.CONVLAB_TEST_DEBUG) console.log(`      [${new Date().toISOString()}] ${line}`);
}

/** Polls `probe` until it returns something (a state the page reaches), or fails after `timeoutMs`. */
async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastNote = Date.now();
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    if (Date.now() - lastNote > 30_000) {
      debug(`still waiting for ${what}`);
      lastNote = Date.now();
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
