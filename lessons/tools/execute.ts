/**
 * Executing lessons the way a learner's Jupyter would: the notebook goes to
 * the real convlab kernel through Jupyter's own client (Debian's nbconvert,
 * which drives nbclient), then nbconvert turns the executed notebook into
 * HTML. The kernel is registered in a temporary prefix found through
 * JUPYTER_PATH, so nothing is written to the user's Jupyter folders.
 *
 * Both variants run with the lesson's claim cells in place; a claim that does
 * not hold fails the run ("false-claim"), naming the lesson, the statement and
 * its line in the source. The learner's executed notebook and HTML then drop
 * the claim cells again, so that they show what a learner sees.
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { installKernelSpec } from "../../kernel/kernelspec";
import { CHECK_MIME, CLAIM_MIME, type CheckRecord, type ClaimRecord } from "../../lib/check";
import { ROOT, notebookText } from "./catalog";
import type { Lesson, Segment } from "./lesson-source";
import type { Variant } from "./notebook";

const VEGA_LITE_MIME = "application/vnd.vegalite.v5+json";

export interface CellTiming {
  /** 0-based index among the notebook's cells. */
  index: number;
  seconds: number;
  /** The cell's first line, to recognise it. */
  firstLine: string;
}

/** One claim of the lesson, as the run judged it. */
export interface ClaimOutcome extends ClaimRecord {
  /** Where the claim fence starts: "lessons/src/05-hyperparameters.md:88". */
  source: string;
}

export interface LessonRun {
  lesson: string;
  title: string;
  variant: Variant;
  /** "ok", or why not. */
  status: "ok" | "error" | "over-budget" | "false-claim";
  /** Wall time of the execution, kernel start-up included. */
  seconds: number;
  budget: number;
  /** Time spent inside cells, as nbclient recorded it. */
  cellSeconds: number;
  slowestCells: CellTiming[];
  /** The failing cell's error, or the over-budget explanation. */
  error?: string;
  notebookPath: string;
  htmlPath?: string;
  /** The check results shown in the executed notebook, in order. */
  checks: CheckRecord[];
  /** Every claim the lesson's claim cells made, in order (a cell that made none shows as a claim that does not hold). */
  claims: ClaimOutcome[];
  /** Charts among the outputs (Vega-Lite ones, and Vega SVGs inside rich HTML displays), and chart SVGs in the exported HTML. */
  charts: number;
  chartSvgsInHtml: number;
  /** Images (PNG) among the outputs. */
  images: number;
}

export interface ExecuteOptions {
  variant: Variant;
  /** Where executed notebooks and HTML go. Default build/lessons (learner) or build/lessons-instructor/executed. */
  outDir?: string;
  /** Called with progress lines. */
  log?: (line: string) => void;
  /**
   * Lets cells and lessons run this many times longer than their budgets
   * before they are stopped, on a machine busy with other work. A lesson
   * over its budget is still reported as over budget. Default 1.
   */
  timeFactor?: number;
}

export function defaultOutDir(variant: Variant): string {
  return variant === "learner" ? join(ROOT, "build", "lessons") : join(ROOT, "build", "lessons-instructor", "executed");
}

/** A temporary Jupyter data folder holding the convlab kernelspec; remove it with dispose(). */
export async function registerKernel(): Promise<{ jupyterPath: string; dispose(): void }> {
  const prefix = mkdtempSync(join(tmpdir(), "convlab-jupyter-"));
  await installKernelSpec({ kind: "prefix", dir: prefix });
  return { jupyterPath: join(prefix, "share", "jupyter"), dispose: () => rmSync(prefix, { recursive: true, force: true }) };
}

/** Executes lessons one after another (so that each one's time is its own). */
export async function executeLessons(lessons: readonly Lesson[], options: ExecuteOptions): Promise<LessonRun[]> {
  const outDir = options.outDir ?? defaultOutDir(options.variant);
  mkdirSync(outDir, { recursive: true });
  const kernel = await registerKernel();
  try {
    const runs: LessonRun[] = [];
    for (const lesson of lessons) {
      options.log?.(`${lesson.name} (${options.variant}): executing, budget ${lesson.meta.budget} s …`);
      const run = await executeLesson(lesson, options.variant, outDir, kernel.jupyterPath, options.timeFactor ?? 1);
      options.log?.(describeRun(run));
      runs.push(run);
    }
    writeFileSync(join(outDir, "report.json"), JSON.stringify(runs, null, 2) + "\n");
    return runs;
  } finally {
    kernel.dispose();
  }
}

async function executeLesson(lesson: Lesson, variant: Variant, outDir: string, jupyterPath: string, timeFactor: number): Promise<LessonRun> {
  const file = `${lesson.name}.ipynb`;
  const notebookPath = join(outDir, file);
  writeFileSync(notebookPath, notebookText(lesson, variant, { claims: true }));
  const env = {
    ...process.env,
    JUPYTER_PATH: jupyterPath,
    CONVLAB_HISTORY_FILE: join(outDir, ".history.jsonl"),
    CONVLAB_CACHE_DIR: join(outDir, ".convlab-cache"),
    PYDEVD_DISABLE_FILE_VALIDATION: "1",
  };
  const budget = lesson.meta.budget;
  const base: Omit<LessonRun, "status" | "seconds"> = {
    lesson: lesson.name,
    title: lesson.title,
    variant,
    budget,
    cellSeconds: 0,
    slowestCells: [],
    notebookPath,
    checks: [],
    claims: [],
    charts: 0,
    chartSvgsInHtml: 0,
    images: 0,
  };

  const started = performance.now();
  // A cell may take the whole budget; a lesson running far past it is stopped.
  const allowed = budget * timeFactor;
  const execution = await run(
    "jupyter",
    ["nbconvert", "--to", "notebook", "--execute", "--inplace", "--ExecutePreprocessor.kernel_name=convlab", `--ExecutePreprocessor.timeout=${Math.ceil(allowed)}`, file],
    { cwd: outDir, env, killAfterMs: (allowed + 60) * 1000 },
  );
  const seconds = (performance.now() - started) / 1000;
  if (execution.code !== 0) {
    const why = execution.killed ? `stopped after ${Math.round(seconds)} s, far past its budget of ${budget} s${timeFactor !== 1 ? ` (× ${timeFactor} allowed)` : ""}` : cellError(execution.output);
    return { ...base, status: "error", seconds, error: why };
  }

  const executed = JSON.parse(readFileSync(notebookPath, "utf8")) as ExecutedNotebook;
  const claims = readClaims(lesson, executed);
  if (variant === "learner" && executed.cells.some(isClaimCell)) {
    // What a learner sees: the claim cells were there only to be checked.
    writeFileSync(notebookPath, JSON.stringify({ ...executed, cells: executed.cells.filter((cell) => !isClaimCell(cell)) }, null, 1) + "\n");
  }
  const html = await run("jupyter", ["nbconvert", "--to", "html", file], { cwd: outDir, env, killAfterMs: 120_000 });
  if (html.code !== 0) return { ...base, ...readOutputs(executed), claims, status: "error", seconds, error: `nbconvert --to html failed:\n${tail(html.output, 20)}` };
  const htmlPath = join(outDir, `${lesson.name}.html`);
  const htmlText = readFileSync(htmlPath, "utf8");
  const result: LessonRun = {
    ...base,
    ...readOutputs(executed),
    claims,
    status: "ok",
    seconds,
    htmlPath,
    chartSvgsInHtml: (htmlText.match(/<svg[^>]*class="marks"/g) ?? []).length,
  };
  const falseClaims = claims.filter((c) => !c.holds);
  if (falseClaims.length > 0) {
    const list = falseClaims.map((c) => `✗ "${c.statement}"${c.problem ? ` (${c.problem})` : ""}, ${c.source}`).join("\n");
    const counted = `${falseClaims.length} of ${claims.length} claim${claims.length === 1 ? "" : "s"}`;
    return { ...result, status: "false-claim", error: `${lesson.name}: ${counted} in its text ${falseClaims.length === 1 ? "does" : "do"} not hold in this run:\n${list}` };
  }
  if (seconds > budget) {
    return { ...result, status: "over-budget", error: `took ${seconds.toFixed(1)} s; its budget is ${budget} s` };
  }
  return result;
}

interface ExecutedNotebook {
  cells: {
    cell_type: string;
    source: string[] | string;
    metadata: { execution?: Record<string, string>; convlab?: { role?: string } };
    outputs?: { output_type: string; data?: Record<string, unknown> }[];
  }[];
}

/** Charts a rich display carries inside its HTML (a training result, a verdict...): Vega's SVGs. */
function chartsInHtml(html: unknown): number {
  const text = Array.isArray(html) ? html.join("") : typeof html === "string" ? html : "";
  return (text.match(/<svg[^>]*class="marks"/g) ?? []).length;
}

function readOutputs(notebook: ExecutedNotebook): Pick<LessonRun, "cellSeconds" | "slowestCells" | "checks" | "charts" | "images"> {
  const timings: CellTiming[] = [];
  const checks: CheckRecord[] = [];
  let charts = 0;
  let images = 0;
  notebook.cells.forEach((cell, index) => {
    if (cell.cell_type !== "code") return;
    const execution = cell.metadata.execution;
    const startedAt = execution?.["iopub.execute_input"];
    const endedAt = execution?.["shell.execute_reply"];
    if (startedAt && endedAt) {
      const source = Array.isArray(cell.source) ? cell.source.join("") : cell.source;
      timings.push({ index, seconds: (Date.parse(endedAt) - Date.parse(startedAt)) / 1000, firstLine: source.split("\n")[0] });
    }
    for (const output of cell.outputs ?? []) {
      const data = output.data ?? {};
      if (CHECK_MIME in data) checks.push(data[CHECK_MIME] as CheckRecord);
      if (VEGA_LITE_MIME in data) charts++;
      else if (chartsInHtml(data["text/html"]) > 0) charts += chartsInHtml(data["text/html"]);
      else if ("image/png" in data) images++;
    }
  });
  return {
    cellSeconds: timings.reduce((sum, t) => sum + t.seconds, 0),
    slowestCells: [...timings].sort((a, b) => b.seconds - a.seconds).slice(0, 3),
    checks,
    charts,
    images,
  };
}

function isClaimCell(cell: ExecutedNotebook["cells"][number]): boolean {
  return cell.metadata.convlab?.role === "claim";
}

/**
 * The claims each claim cell made, with the source line of its fence. The
 * claim cells are in the notebook in the order of the lesson's claim
 * segments. A cell that ran and made no claim (its claim() call sat in a
 * branch not taken, say) is reported as a claim that does not hold.
 */
function readClaims(lesson: Lesson, notebook: ExecutedNotebook): ClaimOutcome[] {
  const fences = lesson.segments.filter((s): s is Extract<Segment, { kind: "claim" }> => s.kind === "claim");
  const cells = notebook.cells.filter(isClaimCell);
  return cells.flatMap((cell, i) => {
    const source = `${lesson.path}:${fences[i]?.line ?? "?"}`;
    const records = (cell.outputs ?? []).flatMap((output) => (output.data && CLAIM_MIME in output.data ? [output.data[CLAIM_MIME] as ClaimRecord] : []));
    if (records.length === 0) {
      return [{ statement: firstLine(cell.source), holds: false, problem: "this claim cell made no claim: every claim cell must call claim() when it runs", source }];
    }
    return records.map((record) => ({ ...record, source }));
  });
}

function firstLine(source: string[] | string): string {
  const text = Array.isArray(source) ? source.join("") : source;
  return text.split("\n").find((line) => line.includes("claim(")) ?? text.split("\n")[1] ?? "";
}

/** One line: "01-training-and-inference (learner): ok in 41.2 s of 120 (cells 30.5 s); 3 charts; checks ✗ ✗". */
export function describeRun(run: LessonRun): string {
  const checks = run.checks.map((c) => `${c.exercise} ${c.passed ? "✓" : "✗"}`).join(", ");
  const held = run.claims.filter((c) => c.holds).length;
  const head = `${run.lesson} (${run.variant}): ${run.status === "ok" ? "ok" : run.status.toUpperCase().replace("-", " ")} in ${run.seconds.toFixed(1)} s of ${run.budget} s`;
  if (run.status === "error" && run.slowestCells.length === 0) return `${head}\n${indent(run.error ?? "")}`;
  const slowest = run.slowestCells[0];
  const detail =
    ` (cells ${run.cellSeconds.toFixed(1)} s; slowest: cell ${slowest ? `${slowest.index + 1}, ${slowest.seconds.toFixed(1)} s` : "–"}); ` +
    `${run.charts} charts (${run.chartSvgsInHtml} drawn in the HTML), ${run.images} images; checks: ${checks || "none"}; ` +
    `claims: ${held} of ${run.claims.length} hold`;
  return head + detail + (run.error ? `\n${indent(run.error)}` : "");
}

/** The part of nbconvert's output that tells which cell failed and why. */
function cellError(output: string): string {
  const marker = output.indexOf("An error occurred while executing the following cell");
  if (marker >= 0) return tail(output.slice(marker), 60);
  return tail(output, 30);
}

function tail(text: string, lines: number): string {
  // nbconvert colours tracebacks; the report is plain text.
  return text.replace(/\x1b\[[0-9;]*m/g, "").trimEnd().split("\n").slice(-lines).join("\n");
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((line) => `    ${line}`)
    .join("\n");
}

interface Finished {
  code: number | null;
  output: string;
  killed: boolean;
}

/**
 * Runs a command in its own process group. Jupyter starts the kernel in a
 * session of its own, outside that group, so every process of the run is
 * also marked with an environment variable: a stop (or a kernel nbconvert
 * failed to shut down) ends them all, and no orphaned kernel keeps spinning
 * or holds the output pipes open.
 */
function run(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; killAfterMs: number }): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const marker = randomUUID();
    const child = spawn(command, args, { cwd: options.cwd, env: { ...options.env, [RUN_MARKER]: marker }, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    let killed = false;
    let settled = false;
    const finish = (code: number | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      killMarked(marker);
      resolve({ code, output, killed });
    };
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => {
      killed = true;
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // already gone
      }
      killMarked(marker);
    }, options.killAfterMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      settled = true;
      reject(new Error(`Could not start ${command}: ${error.message}. The lessons run through Jupyter's nbconvert (Debian: apt-get install jupyter-nbconvert).`));
    });
    child.on("close", (code) => finish(code));
    // A kernel that outlives nbconvert (Jupyter starts kernels in a session of
    // their own) holds the pipes open, so "close" may never come: after the
    // exit, give the pipes a moment to drain, then close them.
    child.on("exit", () => {
      setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
      }, 2000).unref();
    });
  });
}

const RUN_MARKER = "CONVLAB_LESSON_RUN";

/** Kills the processes (the kernel, mostly) whose environment carries this run's marker. Linux only; elsewhere a no-op. */
function killMarked(marker: string): void {
  if (!existsSync("/proc")) return;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, "latin1").split("\0").includes(`${RUN_MARKER}=${marker}`)) process.kill(Number(entry), "SIGKILL");
    } catch {
      // gone, or not ours to read
    }
  }
}
