/**
 * The import rules of the README, checked on the sources:
 *
 * - the kernel knows nothing of the library but its display protocol;
 * - the library never imports the kernel or the command line;
 * - the library's packages depend on each other in one direction (no cycle);
 * - a package uses another through its index, wherever the index exports
 *   the name it needs (its other modules are its own business);
 * - no module of the library imports itself back at run time (a cycle of
 *   modules is what makes a class undefined at load).
 *
 * Each failure names the file, the line and the import, and what to do.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { exportedNames, importsOf, ROOT, runtimeImportsOf, sourceFiles, type Import } from "./imports";

const PROTOCOL = "lib/display/protocol.ts";

/** The top folder of the library a file is in ("lib/data"): the package it belongs to, with all its sub-packages. */
export function familyOf(path: string): string | undefined {
  return path.startsWith("lib/") ? path.split("/").slice(0, 2).join("/") : undefined;
}

/** The package a library file belongs to: the nearest folder above it with an index.ts ("lib/data/sources", "lib/train"). */
export function packageOf(file: string): string | undefined {
  if (!file.startsWith("lib/")) return undefined;
  const parts = file.split("/").slice(0, -1);
  for (let n = parts.length; n > 1; n--) {
    const dir = parts.slice(0, n).join("/");
    if (existsSync(join(ROOT, dir, "index.ts"))) return dir;
  }
  return undefined;
}

const where = (i: Import) => `${i.from}:${i.line} imports ${i.to}`;

/** Import rules broken by these imports, one line each. */
export function boundaryViolations(imports: readonly Import[]): string[] {
  const problems: string[] = [];
  for (const i of imports) {
    if (i.from.startsWith("kernel/") && i.to.startsWith("lib/") && i.to !== PROTOCOL) {
      problems.push(`${where(i)}: the kernel may use only ${PROTOCOL} of the library; pass what it needs in from cli/ instead.`);
    }
    if (i.from.startsWith("lib/") && (i.to.startsWith("kernel/") || i.to.startsWith("cli/"))) {
      problems.push(`${where(i)}: the library must not import the ${i.to.split("/")[0]}; it shows things through ${PROTOCOL}.`);
    }
  }
  return problems;
}

/** Imports that reach into another package for a name its index exports. */
export function internalsViolations(imports: readonly Import[]): string[] {
  const problems: string[] = [];
  const exportsOf = new Map<string, Set<string>>();
  for (const i of imports) {
    const from = packageOf(i.from);
    const to = packageOf(i.to);
    if (!from || !to || i.to === `${to}/index.ts`) continue;
    // Within one top folder (lib/data and lib/data/sources, say) modules may use each other's internals.
    if (familyOf(from) === familyOf(to)) continue;
    if (!exportsOf.has(to)) exportsOf.set(to, exportedNames(`${to}/index.ts`));
    const exported = i.names.filter((name) => name !== "*" && exportsOf.get(to)!.has(name));
    if (exported.length > 0) {
      problems.push(`${where(i)}: ${exported.join(", ")} ${exported.length === 1 ? "is" : "are"} exported by ${to}/index.ts; import from "${to}" instead.`);
    }
  }
  return problems;
}

/** Cycles in a graph given as node → neighbours, each as the list of nodes around it (first node repeated at the end). */
export function findCycles(graph: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, "open");
    stack.push(node);
    for (const next of [...(graph.get(node) ?? [])].sort()) {
      if (state.get(next) === "open") cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, "done");
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
  return cycles;
}

/** Package → packages it imports (type-only imports included: they are dependencies of the design). */
export function packageGraph(imports: readonly Import[]): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const i of imports) {
    const from = packageOf(i.from);
    const to = packageOf(i.to);
    if (!from || !to || from === to) continue;
    if (!graph.has(from)) graph.set(from, new Set());
    graph.get(from)!.add(to);
  }
  return graph;
}

/** Module → modules it loads at run time, from the compiled JavaScript (tsc drops imports used only as types). */
export function runtimeGraph(files: readonly string[]): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of files) {
    const loaded = runtimeImportsOf(file);
    if (loaded === undefined) throw new Error(`${file} has no compiled dist/${file.replace(/\.ts$/, ".js")}; run npm run build.`);
    graph.set(file, new Set(loaded));
  }
  return graph;
}

/** A cycle among the sub-packages of one top folder (lib/check and lib/check/expectations, say) stays inside that package. */
function familyCycle(cycle: string[]): boolean {
  return cycle.every((p) => familyOf(p) === familyOf(cycle[0]));
}

describe("architecture: the import rules", function () {
  const files = [...sourceFiles("lib"), ...sourceFiles("kernel"), ...sourceFiles("cli")];
  const imports = files.flatMap(importsOf);

  it("reads the imports of the kernel, the command line and the library", function () {
    assert.ok(files.length > 150, `${files.length} files`);
    assert.ok(imports.some((i) => i.from === "cli/main.ts" && i.to.startsWith("kernel/")), "cli/main.ts imports the kernel");
    assert.ok(imports.some((i) => i.from.startsWith("kernel/") && i.to === PROTOCOL), "the kernel imports the display protocol");
  });

  it("the kernel uses only the display protocol of the library, and the library neither the kernel nor the command line", function () {
    assert.deepEqual(boundaryViolations(imports), []);
  });

  it("the library's packages form no cycle", function () {
    const cycles = findCycles(packageGraph(imports)).filter((c) => !familyCycle(c));
    assert.deepEqual(cycles.map((c) => c.join(" → ")), []);
  });

  it("a package imports another's names from its index where the index exports them", function () {
    assert.deepEqual(internalsViolations(imports), []);
  });

  it("no module of the library loads itself back at run time", function () {
    const cycles = findCycles(runtimeGraph(files.filter((f) => f.startsWith("lib/"))));
    assert.deepEqual(cycles.map((c) => c.join(" → ")), []);
  });

  it("the display protocol imports nothing of the project", function () {
    assert.deepEqual(importsOf(PROTOCOL).map(where), []);
  });

  it("what a module loads at run time is read from the build: imports used only as types do not count", function () {
    // dataset.ts takes AugmentOptions from augment.ts only as a type, and loads batches.ts to stream.
    const loaded = runtimeImportsOf("lib/data/dataset.ts")!;
    assert.ok(loaded.includes("lib/data/batches.ts"), loaded.join(", "));
    assert.ok(!loaded.includes("lib/data/augment.ts"), loaded.join(", "));
  });
});
