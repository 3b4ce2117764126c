/**
 * A learner's first cell, before the compiler thread is warm: transpiled on
 * this thread without types, so the first Shift+Enter does not wait seconds
 * for the type checker to load TypeScript's, tfjs's and convlab's typings.
 *
 * Only the kernel's first cell qualifies (no earlier cell declared anything,
 * so no name needs tslab's `exports.` rewriting), and only a plain one: it parses, imports packages (not local files, which the
 * compiler builds), and exports nothing itself. Its output has tslab's shape:
 * an ES module whose top-level names are exported, the last expression
 * stored in `tsLastExpr`, then turned into CommonJS.
 *
 * Its declarations are left to the compiler, once warm: see
 * TypeScriptEngine, which type-checks the cell before the next one.
 */
import type * as TS from "@tslab/typescript-for-tslab";
import type { ConvertReply } from "./compiler";

/** The variable tslab stores a cell's last expression in. */
const LAST_EXPRESSION = "tsLastExpr";

export interface QuickConversion {
  reply: ConvertReply;
  /** The cell's top-level names (values and imports). */
  names: string[];
}

/** The cell transpiled without types, or null if it must wait for the compiler. */
export function quickConvert(ts: typeof TS, src: string): QuickConversion | null {
  const file = ts.createSourceFile("cell.ts", src, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  if ((file as unknown as { parseDiagnostics?: unknown[] }).parseDiagnostics?.length) return null;
  const names: string[] = [];
  for (const statement of file.statements) {
    const declared = topLevelNames(ts, statement);
    if (!declared) return null;
    names.push(...declared);
  }
  if (names.includes(LAST_EXPRESSION)) return null;
  const last = file.statements.at(-1);
  let module = src;
  let lastExpressionVar: string | undefined;
  if (last && ts.isExpressionStatement(last)) {
    const expression = src.slice(last.expression.getStart(file), last.expression.end);
    module = `${src.slice(0, last.getStart(file))}export const ${LAST_EXPRESSION} = (${expression});${src.slice(last.end)}`;
    lastExpressionVar = LAST_EXPRESSION;
  }
  if (names.length > 0) module += `\nexport { ${names.join(", ")} }`;
  const target = ts.ScriptTarget.ES2022;
  const esModule = ts.transpileModule(module, {
    fileName: "cell.ts",
    compilerOptions: { module: ts.ModuleKind.ESNext, target, esModuleInterop: true, experimentalDecorators: true, noImplicitUseStrict: true, newLine: ts.NewLineKind.LineFeed },
  }).outputText;
  const output = ts.transpileModule(esModule, {
    fileName: "cell.js",
    compilerOptions: { module: ts.ModuleKind.CommonJS, target, esModuleInterop: true, noImplicitUseStrict: true, newLine: ts.NewLineKind.LineFeed },
  }).outputText;
  return { reply: { output, declOutput: "", diagnostics: [], hasToplevelAwait: hasTopLevelAwait(ts, file), lastExpressionVar }, names };
}

/** The value names a top-level statement declares; null if the statement needs the compiler. */
function topLevelNames(ts: typeof TS, statement: TS.Statement): string[] | null {
  const modifiers = ts.canHaveModifiers(statement) ? (ts.getModifiers(statement) ?? []) : [];
  if (modifiers.some((m) => m.kind === ts.SyntaxKind.ExportKeyword || m.kind === ts.SyntaxKind.DeclareKeyword)) return null;
  if (ts.isImportDeclaration(statement)) {
    const specifier = (statement.moduleSpecifier as TS.StringLiteral).text;
    if (specifier.startsWith(".") || specifier.startsWith("/")) return null;
    const clause = statement.importClause;
    if (!clause || clause.isTypeOnly) return [];
    const names = clause.name ? [clause.name.text] : [];
    const bindings = clause.namedBindings;
    if (bindings && ts.isNamespaceImport(bindings)) names.push(bindings.name.text);
    if (bindings && ts.isNamedImports(bindings)) names.push(...bindings.elements.filter((e) => !e.isTypeOnly).map((e) => e.name.text));
    return names;
  }
  if (ts.isVariableStatement(statement)) return statement.declarationList.declarations.flatMap((d) => bindingNames(ts, d.name));
  if (ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) return statement.name ? [statement.name.text] : null;
  if (ts.isExportDeclaration(statement) || ts.isExportAssignment(statement) || ts.isImportEqualsDeclaration(statement)) return null;
  // Types, enums and namespaces are left to the compiler; anything else declares nothing.
  if (ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement) || ts.isEnumDeclaration(statement) || ts.isModuleDeclaration(statement)) return null;
  return [];
}

function bindingNames(ts: typeof TS, name: TS.BindingName): string[] {
  if (ts.isIdentifier(name)) return [name.text];
  return name.elements.flatMap((element) => (ts.isOmittedExpression(element) ? [] : bindingNames(ts, element.name)));
}

/** An `await` (or `for await`) outside every function: the executor then runs the cell as an async function. */
function hasTopLevelAwait(ts: typeof TS, file: TS.SourceFile): boolean {
  const visit = (node: TS.Node): boolean => {
    if (ts.isFunctionLike(node) || ts.isClassStaticBlockDeclaration(node)) return false;
    if (ts.isAwaitExpression(node) || (ts.isForOfStatement(node) && node.awaitModifier)) return true;
    return ts.forEachChild(node, visit) ?? false;
  };
  return ts.forEachChild(file, visit) ?? false;
}
