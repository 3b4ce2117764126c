/**
 * Errors as Jupyter shows them: `ename`, `evalue` and a traceback whose
 * lines point into the learner's cells (In[n], line m), not into the
 * JavaScript the cell was compiled to.
 */
import { SourceMap } from "node:module";
import path from "node:path";
import type { Diagnostic } from "tslab/dist/converter";
import type { CellRecord } from "./engine";

export interface KernelError {
  ename: string;
  evalue: string;
  traceback: string[];
}

const RED = "\u001b[0;31m";
const GREEN = "\u001b[0;32m";
const CYAN = "\u001b[0;36m";
const BOLD = "\u001b[1m";
const RESET = "\u001b[0m";

const INTERRUPTION_MESSAGES = ["Interrupted asynchronously", "Script execution was interrupted by `SIGINT`"];

export function isInterruption(error: unknown): boolean {
  return error instanceof Error && INTERRUPTION_MESSAGES.some((m) => error.message.startsWith(m));
}

export function interruptionError(): KernelError {
  return {
    ename: "Interrupted",
    evalue: "The cell was interrupted. Variables it had already set are kept.",
    traceback: [`${RED}Interrupted${RESET}: the cell was interrupted. Variables it had already set are kept.`],
  };
}

/** TypeScript diagnostics: the cell did not run. */
export function formatDiagnostics(diagnostics: Diagnostic[], code: string, label: string): KernelError {
  const lines = code.split("\n");
  const traceback: string[] = [];
  for (const d of diagnostics) {
    if (d.code === 0) return interruptionError();
    const where = d.fileName ? `${d.fileName}, line ${d.start.line + 1}` : `${label}, line ${d.start.line + 1}`;
    const head = `${GREEN}${where}${RESET}, column ${d.start.character + 1}: ${RED}error TS${d.code}${RESET}: ${d.messageText}${hint(d)}`;
    const snippet = d.fileName ? "" : "\n" + excerpt(lines, d.start.line, d.start.character, d.end.line === d.start.line ? d.end.character : undefined);
    traceback.push(head + snippet);
  }
  const first = diagnostics[0];
  const plural = diagnostics.length > 1 ? ` (and ${diagnostics.length - 1} more)` : "";
  return {
    ename: "TSError",
    evalue: `${first.messageText} (${label}, line ${first.start.line + 1})${plural}`,
    traceback: [`${RED}TSError${RESET}: the cell did not type-check, so it did not run.`, ...traceback],
  };
}

/** What to do about the diagnostics a learner meets most. */
function hint(d: Diagnostic): string {
  const missing = d.code === 2307 ? /Cannot find module '([^']+)'/.exec(d.messageText) : null;
  if (!missing) return "";
  const name = missing[1].startsWith("@") ? missing[1].split("/").slice(0, 2).join("/") : missing[1].split("/")[0];
  if (missing[1].startsWith(".") || missing[1].startsWith("/")) return " Check the path: it is relative to the notebook's folder.";
  return ` It is not installed next to this notebook, nor is it one of convlab's packages: check the name, or install it in the notebook's folder (npm install ${name}).`;
}

/** The kernel's own files and tslab's: frames in them are machinery, not the learner's code. */
const KERNEL_DIR = path.resolve(__dirname, "..");

function isKernelFrame(file: string): boolean {
  return /tslab[\\/]dist[\\/]/.test(file) || file.startsWith(KERNEL_DIR + path.sep);
}

interface Frame {
  fn: string;
  file: string;
  line: number;
  column: number;
}

/** A runtime exception, with frames in cells mapped back to cell lines. */
export function formatRuntimeError(error: unknown, cells: Map<string, CellRecord>): KernelError {
  if (isInterruption(error)) return interruptionError();
  if (!(error instanceof Error)) {
    const text = describe(error);
    return { ename: "Thrown", evalue: text, traceback: [`${RED}Uncaught${RESET} ${text}`] };
  }
  const ename = error.name || error.constructor?.name || "Error";
  const evalue = error.message;
  const traceback = [`${RED}${ename}${RESET}: ${evalue}`];
  const frames = parseStack(error.stack ?? "");
  let libraryFrames = 0;
  for (const frame of frames) {
    // The kernel's machinery (below the cells, or a module loader above them): learners need none of it.
    if (isKernelFrame(frame.file)) continue;
    const cell = cells.get(frame.file);
    if (cell) {
      // tslab's call of the cell's wrapper function sits below the cell's own lines.
      if (frame.line > cell.jsLines) continue;
      const position = mapToCell(cell, frame.line, frame.column);
      if (!position) continue;
      const fn = frame.fn.replace(/^(Proxy|Object)\./, "");
      const where = `${GREEN}${cell.label}${RESET}, line ${position.line + 1}${fn ? `, in ${CYAN}${fn}${RESET}` : ""}`;
      const code = cell.code ? "\n" + excerpt(cell.code.split("\n"), position.line, position.column) : "";
      traceback.push(where + code);
    } else if (!frame.file.startsWith("node:") && libraryFrames < 6) {
      libraryFrames++;
      traceback.push(`    at ${frame.fn || "<anonymous>"} (${shortenPath(frame.file)}:${frame.line}:${frame.column})`);
    }
  }
  return { ename, evalue, traceback };
}

function mapToCell(cell: CellRecord, line: number, column: number): { line: number; column: number } | null {
  const { fromModule, fromTypeScript } = cell.maps ?? {};
  if (!fromModule || !fromTypeScript) return null;
  const esm = new SourceMap(fromModule).findEntry(line - 1, Math.max(0, column - 1)) as { originalLine?: number; originalColumn?: number };
  if (esm.originalLine === undefined) return null;
  const ts = new SourceMap(fromTypeScript).findEntry(esm.originalLine, esm.originalColumn ?? 0) as { originalLine?: number; originalColumn?: number };
  if (ts.originalLine === undefined) return null;
  // tslab prefixes every cell with one line ("export {};").
  return { line: Math.max(0, ts.originalLine - 1), column: ts.originalColumn ?? 0 };
}

const FRAME = /^\s*at (?:(.*?) \()?(.+?):(\d+):(\d+)\)?$/;

function parseStack(stack: string): Frame[] {
  const frames: Frame[] = [];
  for (const line of stack.split("\n").slice(1)) {
    const m = FRAME.exec(line);
    if (m) frames.push({ fn: m[1] ?? "", file: m[2], line: Number(m[3]), column: Number(m[4]) });
  }
  return frames;
}

function excerpt(lines: string[], line: number, column: number, endColumn?: number): string {
  const out: string[] = [];
  const from = Math.max(0, line - 2);
  const to = Math.min(lines.length - 1, line + 1);
  const width = String(to + 1).length;
  for (let i = from; i <= to; i++) {
    const number = String(i + 1).padStart(width);
    const arrow = i === line ? `${GREEN}---->${RESET} ` : "      ";
    out.push(`${arrow}${number} | ${i === line ? BOLD + lines[i] + RESET : lines[i]}`);
    if (i === line) {
      const length = Math.max(1, (endColumn ?? column + 1) - column);
      out.push(`      ${" ".repeat(width)} | ${" ".repeat(column)}${RED}${"^".repeat(length)}${RESET}`);
    }
  }
  return out.join("\n");
}

function shortenPath(file: string): string {
  const i = file.lastIndexOf("node_modules/");
  return i >= 0 ? file.slice(i + "node_modules/".length) : file;
}

function describe(value: unknown): string {
  try {
    return typeof value === "string" ? JSON.stringify(value) : String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}
