/**
 * Where a notebook's imports come from, for the type-checker and at run
 * time alike, in this order:
 *
 * 1. the notebook's folder (its node_modules and those above it), so a
 *    package the learner installed next to the notebook wins;
 * 2. the packages the kernel names (convlab → this project);
 * 3. convlab's own dependencies (tfjs and the rest), so a notebook in any
 *    folder can import them, with types.
 *
 * At each step CommonJS rules come first; a package that only exports ES
 * modules (an "exports" map with "import" conditions) is found through its
 * import conditions. A module found nowhere fails with a message that names
 * the module and the notebook's folder, never the kernel's files.
 */
import { existsSync, readFileSync } from "node:fs";
import Module from "node:module";
import path from "node:path";
import type * as TS from "@tslab/typescript-for-tslab";

export interface ResolutionOptions {
  /** The notebook's folder (the kernel's working directory). */
  notebookDir: string;
  /** convlab's package root: its node_modules hold the fallback packages. */
  root: string;
  /** Bare module names that resolve to these package roots from any folder (e.g. convlab). */
  packages: Record<string, string>;
}

/** "@scope/name/sub/path" → ["@scope/name", "sub/path"]; null for relative and absolute specifiers. */
export function splitBareSpecifier(specifier: string): { name: string; subpath: string } | null {
  if (specifier.startsWith(".") || path.isAbsolute(specifier) || specifier.startsWith("node:") || specifier.includes(":")) return null;
  const parts = specifier.split("/");
  const count = specifier.startsWith("@") ? 2 : 1;
  if (parts.length < count || parts.slice(0, count).some((p) => p === "")) return null;
  return { name: parts.slice(0, count).join("/"), subpath: parts.slice(count).join("/") };
}

// ---------------------------------------------------------------- type-checker

type ResolveLiterals = NonNullable<TS.WatchCompilerHostOfFilesAndCompilerOptions<TS.BuilderProgram>["resolveModuleNameLiterals"]>;

/**
 * A `resolveModuleNameLiterals` for the compiler host. Lookups from files
 * inside node_modules are cached (installed packages do not change under a
 * running kernel, or rarely); lookups from cells are not, so a package
 * installed after a failed import is found when the cell runs again.
 */
export function typeResolver(ts: typeof TS, options: ResolutionOptions, host: TS.ModuleResolutionHost): ResolveLiterals {
  const caches = new Map<TS.ModuleResolutionKind, TS.ModuleResolutionCache>();
  const cacheFor = (kind: TS.ModuleResolutionKind, compilerOptions: TS.CompilerOptions) => {
    let cache = caches.get(kind);
    if (!cache) {
      cache = ts.createModuleResolutionCache(options.root, (f) => f, compilerOptions);
      caches.set(kind, cache);
    }
    return cache;
  };
  const fallbackFrom = path.join(options.root, "package.json");

  // CommonJS rules (tslab's Node10), then the "exports" map with import conditions (Bundler).
  const attempt = (name: string, containingFile: string, compilerOptions: TS.CompilerOptions, mode: TS.ResolutionMode): TS.ResolvedModuleFull | undefined => {
    const cached = /[\\/]node_modules[\\/]/.test(containingFile) || containingFile === fallbackFrom;
    for (const kind of [ts.ModuleResolutionKind.Node10, ts.ModuleResolutionKind.Bundler]) {
      const withKind = { ...compilerOptions, moduleResolution: kind };
      const cache = cached ? cacheFor(kind, withKind) : undefined;
      const found = ts.resolveModuleName(name, containingFile, withKind, host, cache, undefined, mode).resolvedModule;
      if (found) return found;
    }
    return undefined;
  };

  const resolve = (name: string, containingFile: string, compilerOptions: TS.CompilerOptions, mode: TS.ResolutionMode) => {
    const local = attempt(name, containingFile, compilerOptions, mode);
    if (local) return local;
    const bare = splitBareSpecifier(name);
    if (!bare) return undefined;
    const own = options.packages[bare.name];
    if (own) {
      const found = attempt(bare.subpath ? path.join(own, bare.subpath) : own, containingFile, compilerOptions, mode);
      if (found) return { ...found, isExternalLibraryImport: true };
    }
    return attempt(name, fallbackFrom, compilerOptions, mode);
  };

  return (literals, containingFile, _redirected, compilerOptions, containingSourceFile) =>
    literals.map((literal) => ({
      resolvedModule: resolve(literal.text, containingFile, compilerOptions, ts.getModeForUsageLocation(containingSourceFile, literal)),
    }));
}

// ---------------------------------------------------------------- run time

const IMPORT_CONDITIONS = ["node", "import", "module", "default"];

/** The file an "exports" map gives for `subpath` ("." or "./x") under import conditions, or null. */
export function exportsTarget(exports: unknown, subpath: string): string | null {
  const isConditions = (value: unknown): value is Record<string, unknown> =>
    typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).every((k) => !k.startsWith("."));
  const pick = (target: unknown, star?: string): string | null => {
    if (typeof target === "string") return star === undefined ? target : target.split("*").join(star);
    if (Array.isArray(target)) {
      for (const t of target) {
        const found = pick(t, star);
        if (found) return found;
      }
      return null;
    }
    if (isConditions(target)) {
      for (const [condition, value] of Object.entries(target)) {
        if (IMPORT_CONDITIONS.includes(condition)) {
          const found = pick(value, star);
          if (found) return found;
        }
      }
    }
    return null;
  };
  if (typeof exports === "string" || Array.isArray(exports) || isConditions(exports)) return subpath === "." ? pick(exports) : null;
  if (typeof exports !== "object" || exports === null) return null;
  const map = exports as Record<string, unknown>;
  if (subpath in map) return pick(map[subpath]);
  for (const [key, value] of Object.entries(map)) {
    const star = key.indexOf("*");
    if (star < 0) continue;
    const [before, after] = [key.slice(0, star), key.slice(star + 1)];
    if (subpath.startsWith(before) && subpath.endsWith(after) && subpath.length >= key.length - 1) {
      return pick(value, subpath.slice(before.length, subpath.length - after.length));
    }
  }
  return null;
}

/** Finds `specifier` in these node_modules folders through its package's import conditions. */
function resolveThroughImportConditions(specifier: string, nodeModulesDirs: readonly string[]): string | null {
  const bare = splitBareSpecifier(specifier);
  if (!bare) return null;
  for (const dir of nodeModulesDirs) {
    const manifest = path.join(dir, bare.name, "package.json");
    if (!existsSync(manifest)) continue;
    let exports: unknown;
    try {
      exports = (JSON.parse(readFileSync(manifest, "utf8")) as { exports?: unknown }).exports;
    } catch {
      continue;
    }
    if (exports === undefined) continue;
    const target = exportsTarget(exports, bare.subpath ? `./${bare.subpath}` : ".");
    if (target) {
      const file = path.join(dir, bare.name, target);
      if (existsSync(file)) return file;
    }
  }
  return null;
}

type ResolveFilename = (request: string, parent: unknown, isMain: boolean, options?: unknown) => string;
const NOT_FOUND = new Set(["MODULE_NOT_FOUND", "ERR_PACKAGE_PATH_NOT_EXPORTED"]);
let runtimeInstalled = false;

/** Makes `require` (which cells compile to) follow the order above. Installed once per process. */
export function installRuntimeResolution(options: ResolutionOptions): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  const moduleInternals = Module as unknown as {
    _resolveFilename: ResolveFilename;
    _nodeModulePaths(from: string): string[];
  };
  const original = moduleInternals._resolveFilename;
  moduleInternals._resolveFilename = function (this: unknown, request, parent, isMain, resolveOptions) {
    try {
      return original.call(this, request, parent, isMain, resolveOptions);
    } catch (error) {
      const bare = splitBareSpecifier(request);
      if (!bare || !NOT_FOUND.has((error as { code?: string }).code ?? "")) throw error;
      const parentFile = (parent as { filename?: string } | undefined)?.filename;
      const parentPaths = (parent as { paths?: string[] } | undefined)?.paths ?? moduleInternals._nodeModulePaths(options.notebookDir);
      const esm = resolveThroughImportConditions(request, parentPaths);
      if (esm) return esm;
      const own = options.packages[bare.name];
      if (own) return original.call(this, bare.subpath ? path.join(own, bare.subpath) : own, parent, isMain, resolveOptions);
      try {
        return original.call(this, request, parent, isMain, { paths: [options.root] });
      } catch {
        const fallback = resolveThroughImportConditions(request, moduleInternals._nodeModulePaths(options.root));
        if (fallback) return fallback;
      }
      // A cell's imports get the learner's message; convlab's own missing modules keep Node's.
      const fromConvlab = ["node_modules", "dist"].some((dir) => parentFile && isInside(parentFile, path.join(options.root, dir)));
      if (fromConvlab) throw error;
      throw moduleNotFound(request, bare.name, options.notebookDir);
    }
  };
}

function isInside(file: string, dir: string): boolean {
  const relative = path.relative(dir, file);
  return !relative.startsWith("..") && !path.isAbsolute(relative);
}

function moduleNotFound(request: string, name: string, notebookDir: string): Error {
  const error = new Error(
    `Cannot find module '${request}'. It is not installed next to this notebook, nor is it one of convlab's packages. ` +
      `To use it, install it in the notebook's folder (${notebookDir}): npm install ${name}`,
  ) as Error & { code: string };
  error.code = "MODULE_NOT_FOUND";
  return error;
}
