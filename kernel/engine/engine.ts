/**
 * The TypeScript engine: tslab's converter (type-check and transpile a cell
 * against the declarations of the cells before it), which runs in the
 * compiler thread, and its executor (run it, keeping every top-level
 * variable), here, wrapped so the kernel gets structured results instead of
 * console text.
 */
import type * as TS from "@tslab/typescript-for-tslab";
import type { Converter, Diagnostic } from "tslab/dist/converter";
import type { Executor } from "tslab/dist/executor";
import type { SourceMaps } from "./typescript-hooks";
import type { CompilerClient } from "./compiler-client";
import type { CompletionReply, ConvertReply, InspectReply } from "./compiler";
import { installRuntimeResolution, type ResolutionOptions } from "./module-resolution";
import { formatDiagnostics, formatRuntimeError, isInterruption, KernelError } from "./errors";
import { codePointsToUtf16, utf16ToCodePoints } from "./positions";
import { expandShorthands } from "./cell-source";

export type ExecuteOutcome =
  | { status: "ok"; hasValue: boolean; value?: unknown }
  | ({ status: "error" } & KernelError);

export interface Completion {
  matches: string[];
  /** In Unicode code points, as Jupyter counts. */
  cursorStart: number;
  cursorEnd: number;
  types: { text: string; type: string; start: number; end: number }[];
}

export interface Inspection {
  found: boolean;
  text: string;
  markdown: string;
}

export type Completeness = { status: "complete" } | { status: "incomplete"; indent: string } | { status: "invalid" };

export interface EngineOptions extends ResolutionOptions {
  /** The compiler thread (started early, so it warms up while the kernel starts). */
  compiler: CompilerClient;
  /** Asked after compiling: true stops the cell before it runs (an interrupt arrived meanwhile). */
  interrupted?: () => boolean;
}

/** Cell source files, by the name V8 reports in stack traces. */
export interface CellRecord {
  label: string;
  code: string;
  maps?: SourceMaps;
  /** Lines of the JavaScript that ran; frames below them belong to tslab's wrapper call. */
  jsLines: number;
}

export class TypeScriptEngine {
  private readonly ts: typeof TS;
  private readonly converter: Converter;
  private readonly executor: Executor;
  private readonly cells = new Map<string, CellRecord>();
  // What the executor reported for the current cell.
  private lastConvert: ConvertReply | null = null;
  private runtimeError: { error: unknown } | null = null;
  private value: { value: unknown } | null = null;
  private currentLabel = "";
  private currentCode = "";
  private restoring = false;

  constructor(private readonly options: EngineOptions) {
    this.ts = require("@tslab/typescript-for-tslab") as typeof TS;
    installRuntimeResolution(options);
    const { createExecutor } = require("tslab/dist/executor") as typeof import("tslab/dist/executor");
    this.converter = this.observe(options.compiler);
    const converters = { node: this.converter, browser: this.converter, close: () => this.converter.close() };
    this.executor = createExecutor(options.notebookDir, converters, {
      log: (value: unknown) => {
        this.value = { value };
      },
      error: (first: unknown, ...rest: unknown[]) => {
        // Diagnostics arrive as a format string; we read them from the converter instead.
        if (typeof first === "string" && rest.length > 0) return;
        this.runtimeError = { error: first };
      },
    });
  }

  /**
   * tslab's converter, as the executor calls it: compiling goes to the
   * compiler thread; the structured result is kept, and the cell named for
   * stack traces.
   */
  private observe(compiler: CompilerClient): Converter {
    const converter = {
      convert: (prevDecl: string, src: string): ConvertReply => {
        const result = compiler.convert(prevDecl, src);
        if (this.restoring) return result;
        this.lastConvert = result;
        if (result.diagnostics.length === 0 && this.options.interrupted?.()) {
          const stop: Diagnostic = {
            start: { offset: 0, line: 0, character: 0 },
            end: { offset: 0, line: 0, character: 0 },
            messageText: "Interrupted before the cell ran.",
            category: 1,
            code: 0,
          };
          this.lastConvert = { diagnostics: [stop] };
          return this.lastConvert;
        }
        if (result.output) {
          const url = cellUrl(this.currentLabel);
          this.cells.set(url, { label: this.currentLabel, code: this.currentCode, maps: result.maps, jsLines: result.output.split("\n").length });
          result.output += `\n//# sourceURL=${url}`;
        }
        (result.sideOutputs ?? []).forEach((side, i) => {
          this.cells.set(side.path, { label: side.path, code: "", maps: result.sideMaps?.[i], jsLines: side.data.split("\n").length });
        });
        return result;
      },
      inspect: (prevDecl: string, src: string, position: number) => compiler.inspect(prevDecl, src, position),
      complete: (prevDecl: string, src: string, position: number) => compiler.complete(prevDecl, src, position),
      addModule: (name: string, content: string, meta?: unknown) => compiler.addModule(name, content, meta as never),
      close: () => compiler.close(),
    };
    return converter as unknown as Converter;
  }

  /**
   * Runs a cell. Compiling and the cell's synchronous part happen before this
   * returns; `done` settles when its awaits have finished.
   * `label` names the cell in tracebacks, e.g. "In[3]".
   */
  execute(code: string, label: string): { done: Promise<ExecuteOutcome> } {
    this.lastConvert = null;
    this.runtimeError = null;
    this.value = null;
    this.currentLabel = label;
    this.currentCode = code;
    const running = this.executor.execute(expandShorthands(this.ts, code, new Set(Object.keys(this.executor.locals))));
    return { done: running.then((ok) => this.outcome(ok, code, label)) };
  }

  private outcome(ok: boolean, code: string, label: string): ExecuteOutcome {
    const diagnostics = this.lastConvert?.diagnostics ?? [];
    if (diagnostics.length > 0) {
      return { status: "error", ...formatDiagnostics(diagnostics, code, label) };
    }
    if (this.runtimeError) {
      const error = formatRuntimeError(this.runtimeError.error, this.cells);
      this.keepDeclarations();
      return { status: "error", ...error };
    }
    if (!ok) {
      return { status: "error", ename: "Error", evalue: "The cell failed", traceback: ["The cell failed."] };
    }
    return this.value ? { status: "ok", hasValue: true, value: this.value.value } : { status: "ok", hasValue: false };
  }

  /**
   * A cell that failed or was interrupted while running has still set some
   * of its variables, as in IPython. tslab forgets their declarations after a
   * failure, so later cells could not name them; declare them again.
   */
  private keepDeclarations(): void {
    const declarations = this.lastConvert?.declOutput;
    if (!declarations) return;
    // A cell of declarations only makes tslab record them. Its JavaScript
    // resets the names to undefined, so the values are put back afterwards.
    const locals = this.executor.locals;
    const values = new Map(Object.keys(locals).map((name) => [name, locals[name]]));
    this.restoring = true;
    try {
      void this.executor.execute(declarations);
    } finally {
      this.restoring = false;
      for (const name of Object.keys(locals)) {
        if (values.has(name)) locals[name] = values.get(name);
        else delete locals[name];
      }
    }
  }

  /** Breaks off the await a cell is blocked in (its promise keeps running unless the code checks the interrupt signal). */
  interrupt(): void {
    this.executor.interrupt();
  }

  /** The notebook's top-level variables, by name (for the memory report). */
  get variables(): Record<string, unknown> {
    return this.executor.locals;
  }

  /** An error thrown outside a cell's run (a timer, a promise), with frames mapped to cells. */
  formatError(error: unknown): KernelError {
    return formatRuntimeError(error, this.cells);
  }

  /** True if `error` is what an interrupt produces. */
  static isInterruption(error: unknown): boolean {
    return isInterruption(error);
  }

  /**
   * Names that complete the identifier before the cursor: those that start
   * with what was typed (case-sensitive; case-insensitive if none does), in
   * TypeScript's order. With nothing typed (after a dot, say), all of them.
   */
  complete(code: string, cursorPos: number): Completion {
    const offset = codePointsToUtf16(code, cursorPos);
    const info = this.executor.complete(code, offset) as unknown as CompletionReply;
    const typed = code.slice(info.start, Math.max(info.start, offset));
    const byOrder = [...info.entries].sort((a, b) => a.sortText.localeCompare(b.sortText) || a.name.localeCompare(b.name));
    let entries = byOrder.filter((e) => e.name.startsWith(typed));
    if (entries.length === 0) entries = byOrder.filter((e) => e.name.toLowerCase().startsWith(typed.toLowerCase()));
    const start = utf16ToCodePoints(code, info.start);
    const end = utf16ToCodePoints(code, info.end);
    return {
      matches: entries.map((e) => e.name),
      cursorStart: start,
      cursorEnd: end,
      types: entries.map((e) => ({ text: e.name, type: e.kind, start, end })),
    };
  }

  inspect(code: string, cursorPos: number): Inspection {
    const offset = codePointsToUtf16(code, cursorPos);
    // Inspect the identifier before the cursor too, as IPython does for `name|`.
    const at = (position: number) => this.executor.inspect(code, position) as unknown as InspectReply | null;
    const info = at(offset) ?? (offset > 0 ? at(offset - 1) : null);
    if (!info) return { found: false, text: "", markdown: "" };
    const signature = info.displayParts.join("");
    const docs = info.documentation.join("");
    const tags = info.tags.map((tag) => `@${tag.name} ${tag.text}`.trim());
    const text = [signature, docs, tags.join("\n")].filter(Boolean).join("\n\n");
    const markdown = ["```typescript\n" + signature + "\n```", docs, tags.map((t) => `*${t}*`).join("  \n")]
      .filter(Boolean)
      .join("\n\n");
    return { found: true, text, markdown };
  }

  isComplete(code: string): Completeness {
    const { isCompleteCode } = require("tslab/dist/converter") as typeof import("tslab/dist/converter");
    const result = isCompleteCode(code);
    if (!result.completed) return { status: "incomplete", indent: result.indent ?? "" };
    const file = this.ts.createSourceFile("cell.ts", code, this.ts.ScriptTarget.Latest, false, this.ts.ScriptKind.TS);
    const parseErrors = (file as unknown as { parseDiagnostics?: TS.Diagnostic[] }).parseDiagnostics ?? [];
    return parseErrors.length > 0 ? { status: "invalid" } : { status: "complete" };
  }

  close(): void {
    this.executor.close();
  }
}

function cellUrl(label: string): string {
  return `convlab-cell:${label}`;
}
