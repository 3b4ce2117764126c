/**
 * The TypeScript engine: tslab's converter (type-check and transpile a cell
 * against the declarations of the cells before it) and its executor (run it,
 * keeping every top-level variable), wrapped so the kernel gets structured
 * results instead of console text.
 */
import type * as TS from "@tslab/typescript-for-tslab";
import type { Converter, ConvertResult, Diagnostic } from "tslab/dist/converter";
import type { Executor } from "tslab/dist/executor";
import { installRuntimeResolution, installTypeScriptHooks, sourceMapsFor, SourceMaps } from "./typescript-hooks";
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

export interface EngineOptions {
  /** Folder that relative imports and node_modules resolve from (the notebook's folder). */
  cwd: string;
  /** Bare module names importable from any folder, with their package roots. */
  packages: Record<string, string>;
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
  private lastConvert: ConvertResult | null = null;
  private runtimeError: { error: unknown } | null = null;
  private value: { value: unknown } | null = null;
  private currentLabel = "";
  private currentCode = "";
  private restoring = false;

  constructor(private readonly options: EngineOptions) {
    this.ts = installTypeScriptHooks({ packages: options.packages });
    installRuntimeResolution(options.packages);
    // Loaded only after the hooks are in place.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { createConverter } = require("tslab/dist/converter") as typeof import("tslab/dist/converter");
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { createExecutor } = require("tslab/dist/executor") as typeof import("tslab/dist/executor");
    this.converter = this.observe(createConverter({ isJS: false, isBrowser: false }));
    const converters = { node: this.converter, browser: this.converter, close: () => this.converter.close() };
    this.executor = createExecutor(options.cwd, converters, {
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

  /** Wraps the converter to keep its structured result and name the cell for stack traces. */
  private observe(converter: Converter): Converter {
    return {
      ...converter,
      convert: (prevDecl: string, src: string): ConvertResult => {
        if (this.restoring) return converter.convert(prevDecl, src);
        const result = converter.convert(prevDecl, src);
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
          this.cells.set(url, {
            label: this.currentLabel,
            code: this.currentCode,
            maps: sourceMapsFor(result.output),
            jsLines: result.output.split("\n").length,
          });
          result.output += `\n//# sourceURL=${url}`;
        }
        for (const side of result.sideOutputs ?? []) {
          this.cells.set(side.path, { label: side.path, code: "", maps: sourceMapsFor(side.data), jsLines: side.data.split("\n").length });
        }
        return result;
      },
      inspect: converter.inspect.bind(converter),
      complete: converter.complete.bind(converter),
      addModule: converter.addModule.bind(converter),
      close: converter.close.bind(converter),
    };
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

  complete(code: string, cursorPos: number): Completion {
    const offset = codePointsToUtf16(code, cursorPos);
    const info = this.executor.complete(code, offset);
    const entries = info.original?.entries ?? [];
    const kinds = new Map(entries.map((e) => [e.name, e.kind as string]));
    const start = utf16ToCodePoints(code, info.start);
    const end = utf16ToCodePoints(code, info.end);
    return {
      matches: info.candidates,
      cursorStart: start,
      cursorEnd: end,
      types: info.candidates.map((text) => ({ text, type: kinds.get(text) ?? "", start, end })),
    };
  }

  inspect(code: string, cursorPos: number): Inspection {
    const offset = codePointsToUtf16(code, cursorPos);
    // Inspect the identifier before the cursor too, as IPython does for `name|`.
    let info = this.executor.inspect(code, offset);
    if (!info && offset > 0) info = this.executor.inspect(code, offset - 1);
    if (!info) return { found: false, text: "", markdown: "" };
    const signature = (info.displayParts ?? []).map((p) => p.text).join("");
    const docs = (info.documentation ?? []).map((p) => p.text).join("");
    const tags = (info.tags ?? [])
      .map((tag) => `@${tag.name} ${(tag.text ?? []).map((p) => p.text).join("")}`.trim());
    const text = [signature, docs, tags.join("\n")].filter(Boolean).join("\n\n");
    const markdown = ["```typescript\n" + signature + "\n```", docs, tags.map((t) => `*${t}*`).join("  \n")]
      .filter(Boolean)
      .join("\n\n");
    return { found: true, text, markdown };
  }

  isComplete(code: string): Completeness {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { isCompleteCode } = require("tslab/dist/converter") as typeof import("tslab/dist/converter");
    const result = isCompleteCode(code);
    if (!result.completed) return { status: "incomplete", indent: result.indent ?? "" };
    const file = this.ts.createSourceFile("cell.ts", code, this.ts.ScriptTarget.Latest, false, this.ts.ScriptKind.TS);
    const parseErrors = (file as unknown as { parseDiagnostics?: TS.Diagnostic[] }).parseDiagnostics ?? [];
    return parseErrors.length > 0 ? { status: "invalid" } : { status: "complete" };
  }

  /**
   * Loads a module's typings into the compiler for good, so the learner's
   * first `import` of it type-checks in milliseconds.
   */
  preloadTypes(moduleName: string): void {
    const name = "__preload_" + moduleName.replace(/\W/g, "_");
    this.converter.addModule(name, `import ${JSON.stringify(moduleName)};\n`);
  }

  close(): void {
    this.executor.close();
  }
}

function cellUrl(label: string): string {
  return `convlab-cell:${label}`;
}
