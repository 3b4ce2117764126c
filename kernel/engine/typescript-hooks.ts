/**
 * How we run tslab's TypeScript engine without forking it.
 *
 * tslab's converter reads the TypeScript namespace from
 * `@tslab/typescript-for-tslab`. Before it loads, we put a namespace in the
 * module cache that forwards everything to the real one except:
 *
 * - `createWatchCompilerHost`: programs are plain `ts.Program`s instead of
 *   BuilderPrograms. A BuilderProgram recomputes every file's references on
 *   each rebuild (about 30 ms per cell once tfjs's typings are loaded); a
 *   cell needs none of that. Only `@types/node` is included automatically,
 *   and JavaScript gets an inline source map so errors point into the cell.
 * - `transpileModule` (tslab's ES-module → CommonJS step): also emits a
 *   source map, kept with the one from the first step so a stack frame can be
 *   traced back to a cell line.
 * - module resolution: a notebook in any folder finds convlab, its
 *   dependencies and ES-module-only packages (see module-resolution.ts).
 * - reading the cell: tslab exports a cell's names by their escaped form
 *   (`__x` is `___x` inside TypeScript), which breaks every name that starts
 *   with two underscores; the export list is unescaped as it is read.
 */
import type Module from "node:module";
import path from "node:path";
import type * as TS from "@tslab/typescript-for-tslab";
import { typeResolver, type ResolutionOptions } from "./module-resolution";

type TsNamespace = typeof TS;

export interface SourceMaps {
  /** TypeScript cell → ES module JavaScript. */
  fromTypeScript?: Module.SourceMapPayload;
  /** ES module JavaScript → the CommonJS that runs. */
  fromModule?: Module.SourceMapPayload;
}

export type HookOptions = ResolutionOptions;

const TS_MODULE = "@tslab/typescript-for-tslab";
const INLINE_MAP = /\n?\/\/# sourceMappingURL=data:application\/json;base64,([A-Za-z0-9+/=]+)\s*$/;
const FILE_MAP = /\n?\/\/# sourceMappingURL=\S+\s*$/;

/** CommonJS text → its maps; bounded, newest last. */
const mapsByOutput = new Map<string, SourceMaps>();

export function sourceMapsFor(output: string): SourceMaps | undefined {
  return mapsByOutput.get(output);
}

let installed: TsNamespace | null = null;

/** Installs the hooks (once) and returns the real TypeScript namespace. */
export function installTypeScriptHooks(options: HookOptions): TsNamespace {
  if (installed) return installed;
  const real = require(TS_MODULE) as TsNamespace;
  const hooked = Object.create(null) as Record<string, unknown>;
  for (const key of Object.keys(real)) {
    Object.defineProperty(hooked, key, { get: () => (real as Record<string, unknown>)[key], enumerable: true, configurable: true });
  }
  const define = (key: string, value: unknown) =>
    Object.defineProperty(hooked, key, { value, enumerable: true, configurable: true, writable: true });

  real.sys.useCaseSensitiveFileNames = true; // tslab sets this process-wide (its issue #82)
  define("createWatchCompilerHost", (...args: Parameters<TsNamespace["createWatchCompilerHost"]>) => {
    const compilerOptions = args[1] as TS.CompilerOptions;
    args[1] = { ...compilerOptions, types: ["node"], inlineSourceMap: true, sourceMap: false } as never;
    const host = (real.createWatchCompilerHost as (...a: unknown[]) => TS.WatchCompilerHostOfFilesAndCompilerOptions<TS.BuilderProgram>)(...args);
    host.resolveModuleNameLiterals = typeResolver(real, options, host);
    // With our own resolution TypeScript would re-resolve every file of every
    // program; only the cells' imports can change (a package installed
    // between two runs of a cell).
    host.hasInvalidatedResolutions = (file: TS.Path) => isCellFile(file);
    const readFile = host.readFile.bind(host);
    host.readFile = (file: string, encoding?: string) => {
      const text = readFile(file, encoding);
      return text !== undefined && isCellFile(file) ? unescapeCellNames(text) : text;
    };
    host.createProgram = ((
      rootNames: readonly string[] | undefined,
      compilerOpts: TS.CompilerOptions | undefined,
      compilerHost: TS.CompilerHost,
      oldBuilder: TS.BuilderProgram | undefined,
      configDiagnostics: readonly TS.Diagnostic[] | undefined,
      references: readonly TS.ProjectReference[] | undefined,
    ) => plainProgram(real, rootNames ?? [], compilerOpts ?? {}, compilerHost, oldBuilder, configDiagnostics, references)) as never;
    return host;
  });
  define("transpileModule", (input: string, transpileOptions: TS.TranspileOptions) => {
    const inline = INLINE_MAP.exec(input);
    const source = inline ? input.slice(0, inline.index) : input;
    const result = real.transpileModule(source, {
      ...transpileOptions,
      compilerOptions: { ...transpileOptions.compilerOptions, sourceMap: true, inlineSourceMap: false },
    });
    const outputText = result.outputText.replace(FILE_MAP, "\n");
    remember(outputText, {
      fromTypeScript: inline ? JSON.parse(Buffer.from(inline[1], "base64").toString("utf8")) : undefined,
      fromModule: result.sourceMapText ? JSON.parse(result.sourceMapText) : undefined,
    });
    return { ...result, outputText };
  });

  const resolved = require.resolve(TS_MODULE);
  const cached = require.cache[resolved];
  if (!cached) throw new Error(`${TS_MODULE} is not in the module cache`);
  cached.exports = hooked;
  installed = real;
  return real;
}

function remember(output: string, maps: SourceMaps): void {
  mapsByOutput.delete(output);
  mapsByOutput.set(output, maps);
  if (mapsByOutput.size > 64) mapsByOutput.delete(mapsByOutput.keys().next().value as string);
}

/**
 * A ts.Program dressed as the BuilderProgram the watch API and tslab expect.
 * tslab uses getProgram, getSourceFile, emit and getAllDependencies.
 */
function plainProgram(
  ts: TsNamespace,
  rootNames: readonly string[],
  options: TS.CompilerOptions,
  host: TS.CompilerHost,
  oldBuilder: TS.BuilderProgram | undefined,
  configFileParsingDiagnostics: readonly TS.Diagnostic[] | undefined,
  projectReferences: readonly TS.ProjectReference[] | undefined,
): TS.EmitAndSemanticDiagnosticsBuilderProgram {
  const program = ts.createProgram({
    rootNames,
    options,
    host,
    oldProgram: (oldBuilder as { getProgramOrUndefined?(): TS.Program | undefined } | undefined)?.getProgramOrUndefined?.(),
    configFileParsingDiagnostics,
    projectReferences,
  });
  // tslab reads the cell files' `locals`, which exist once they are bound.
  // Binding them is enough: a type checker (a second of work per cell with
  // large typings) is made only when tslab asks for one, and it is asked for
  // once per cell, not for each of the two programs tslab builds.
  const internal = ts as unknown as { bindSourceFile(file: TS.SourceFile, options: TS.CompilerOptions): void };
  for (const name of rootNames) {
    const file = program.getSourceFile(name);
    if (file && isCellFile(name)) internal.bindSourceFile(file, options);
  }
  const builder = {
    getProgram: () => program,
    getProgramOrUndefined: () => program,
    releaseProgram: () => undefined,
    getCompilerOptions: () => program.getCompilerOptions(),
    getSourceFile: (fileName: string) => program.getSourceFile(fileName),
    getSourceFiles: () => program.getSourceFiles(),
    getCurrentDirectory: () => program.getCurrentDirectory(),
    getOptionsDiagnostics: (token?: TS.CancellationToken) => program.getOptionsDiagnostics(token),
    getGlobalDiagnostics: (token?: TS.CancellationToken) => program.getGlobalDiagnostics(token),
    getConfigFileParsingDiagnostics: () => program.getConfigFileParsingDiagnostics(),
    getSyntacticDiagnostics: (file?: TS.SourceFile, token?: TS.CancellationToken) => program.getSyntacticDiagnostics(file, token),
    getSemanticDiagnostics: (file?: TS.SourceFile, token?: TS.CancellationToken) => program.getSemanticDiagnostics(file, token),
    getDeclarationDiagnostics: (file?: TS.SourceFile, token?: TS.CancellationToken) => program.getDeclarationDiagnostics(file, token),
    emit: (...args: Parameters<TS.Program["emit"]>) => program.emit(...args),
    getAllDependencies: (sourceFile: TS.SourceFile) => localDependencies(ts, program, sourceFile),
  };
  return builder as unknown as TS.EmitAndSemanticDiagnosticsBuilderProgram;
}

/** The file and the project files it imports, transitively (no declarations, nothing from node_modules). */
function localDependencies(ts: TsNamespace, program: TS.Program, root: TS.SourceFile): string[] {
  const internal = ts as unknown as {
    getResolvedModule(file: TS.SourceFile, name: string, mode: TS.ResolutionMode): TS.ResolvedModuleFull | undefined;
  };
  const seen = new Set<string>([root.fileName]);
  const queue = [root];
  while (queue.length) {
    const file = queue.pop()!;
    const imports = (file as unknown as { imports?: readonly TS.StringLiteralLike[] }).imports ?? [];
    for (const specifier of imports) {
      const mode = ts.getModeForUsageLocation(file, specifier);
      const resolved = internal.getResolvedModule(file, specifier.text, mode);
      if (!resolved || resolved.isExternalLibraryImport) continue;
      const dependency = program.getSourceFile(resolved.resolvedFileName);
      if (!dependency || dependency.isDeclarationFile || seen.has(dependency.fileName)) continue;
      seen.add(dependency.fileName);
      queue.push(dependency);
    }
  }
  return [...seen];
}

const CELL_FILES = new Set(["__tslab__.ts", "__prev__.d.ts"]);

function isCellFile(file: string): boolean {
  return CELL_FILES.has(path.basename(file));
}

/**
 * tslab lists a cell's top-level names in an `export { ... }` it appends,
 * taking them from TypeScript's symbol table, where a name that starts with
 * `__` is stored with one more underscore; it also declares overwritten
 * classes as `let <name>: any;` from there. Undo that escaping. Keys with
 * exactly two leading underscores are TypeScript's internal names (never a
 * declared name); they are dropped.
 */
export function unescapeCellNames(text: string): string {
  const unescape = (name: string) => (name.startsWith("___") ? name.slice(1) : name);
  return text
    .replace(/\nexport \{([^{}]*)\}$/, (_all, names: string) => {
      const kept = names
        .split(",")
        .map((n) => n.trim())
        .filter((n) => n && !(n.startsWith("__") && !n.startsWith("___")))
        .map(unescape);
      return `\nexport {${kept.join(", ")}}`;
    })
    .replace(/^let (___[\w$]*): any;$/gm, (_all, name: string) => `let ${unescape(name)}: any;`);
}
