/**
 * The project's import graph, read from the TypeScript sources (not the
 * build): every import, export-from, require() and import() with a relative
 * path, resolved to a file, with the names it takes and whether it is erased
 * at run time (type-only).
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import * as ts from "typescript";

export const ROOT = resolve(__dirname, "..", "..", "..");

export interface Import {
  /** Importing file, relative to the root with forward slashes (lib/train/train.ts). */
  from: string;
  /** Imported file, likewise (lib/data/index.ts). */
  to: string;
  /** The names taken (`*` for a namespace or a whole-module re-export; none for a side-effect import). */
  names: string[];
  /** True when the import is erased at run time (`import type`, or only type specifiers). */
  typeOnly: boolean;
  line: number;
}

/** Every .ts file below `dir` (relative to the root), skipping declaration files. */
export function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(join(ROOT, d))) {
      const path = `${d}/${entry}`;
      if (statSync(join(ROOT, path)).isDirectory()) walk(path);
      else if (entry.endsWith(".ts") && !entry.endsWith(".d.ts")) out.push(path);
    }
  };
  if (existsSync(join(ROOT, dir))) walk(dir);
  return out.sort();
}

function resolveModule(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith(".")) return undefined;
  const base = resolve(ROOT, dirname(from), specifier);
  for (const candidate of [`${base}.ts`, join(base, "index.ts"), base]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return relative(ROOT, candidate).split("\\").join("/");
  }
  return relative(ROOT, `${base}.ts`).split("\\").join("/");
}

/** The imports of one file. */
export function importsOf(file: string): Import[] {
  const source = ts.createSourceFile(file, readFileSync(join(ROOT, file), "utf8"), ts.ScriptTarget.Latest, true);
  const found: Import[] = [];
  const add = (specifier: ts.Expression | undefined, names: string[], typeOnly: boolean, node: ts.Node) => {
    if (!specifier || !ts.isStringLiteralLike(specifier)) return;
    const to = resolveModule(file, specifier.text);
    if (to) found.push({ from: file, to, names, typeOnly, line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1 });
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const names: string[] = [];
      let allTypes = clause?.isTypeOnly ?? false;
      if (clause?.name) names.push("default");
      const bindings = clause?.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) names.push("*");
      if (bindings && ts.isNamedImports(bindings)) {
        for (const element of bindings.elements) names.push((element.propertyName ?? element.name).text);
        if (!clause!.name && bindings.elements.length > 0 && bindings.elements.every((e) => e.isTypeOnly)) allTypes = true;
      }
      add(node.moduleSpecifier, names, allTypes, node);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier) {
      const clause = node.exportClause;
      const names = !clause || ts.isNamespaceExport(clause) ? ["*"] : clause.elements.map((e) => (e.propertyName ?? e.name).text);
      const typeOnly = node.isTypeOnly || (clause !== undefined && ts.isNamedExports(clause) && clause.elements.length > 0 && clause.elements.every((e) => e.isTypeOnly));
      add(node.moduleSpecifier, names, typeOnly, node);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node.moduleReference.expression, ["*"], node.isTypeOnly, node);
    } else if (ts.isCallExpression(node) && (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === "require"))) {
      add(node.arguments[0], ["*"], false, node);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node.argument.literal as ts.Expression, ["*"], true, node);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/**
 * The modules a source file loads at run time, read from its compiled
 * JavaScript in dist/ (what tsc kept: imports of types only are gone), as
 * source paths. Undefined when the file was not compiled.
 */
export function runtimeImportsOf(file: string): string[] | undefined {
  const compiled = join(ROOT, "dist", file.replace(/\.ts$/, ".js"));
  if (!existsSync(compiled)) return undefined;
  const text = readFileSync(compiled, "utf8");
  const found = new Set<string>();
  for (const match of text.matchAll(/\brequire\("(\.[^"]*)"\)/g)) {
    const to = resolveModule(file, match[1]);
    if (to) found.add(to);
  }
  return [...found].sort();
}

/** The names a module exports, following `export *` (not `export * as`, which is one name). */
export function exportedNames(file: string, seen = new Set<string>()): Set<string> {
  const names = new Set<string>();
  if (seen.has(file) || !existsSync(join(ROOT, file))) return names;
  seen.add(file);
  const source = ts.createSourceFile(file, readFileSync(join(ROOT, file), "utf8"), ts.ScriptTarget.Latest, true);
  for (const statement of source.statements) {
    if (ts.isExportDeclaration(statement)) {
      const clause = statement.exportClause;
      if (!clause && statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier)) {
        const target = resolveModule(file, statement.moduleSpecifier.text);
        if (target) for (const name of exportedNames(target, seen)) names.add(name);
      } else if (clause && ts.isNamespaceExport(clause)) names.add(clause.name.text);
      else if (clause && ts.isNamedExports(clause)) for (const element of clause.elements) names.add(element.name.text);
    } else if (ts.canHaveModifiers(statement) && ts.getModifiers(statement)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) {
      if (ts.isVariableStatement(statement)) {
        for (const declaration of statement.declarationList.declarations) if (ts.isIdentifier(declaration.name)) names.add(declaration.name.text);
      } else {
        const name = (statement as ts.DeclarationStatement).name;
        if (name && ts.isIdentifier(name)) names.add(name.text);
      }
    }
  }
  return names;
}
