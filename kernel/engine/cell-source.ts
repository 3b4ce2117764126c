/**
 * Rewrites of a cell's source before tslab sees it.
 */
import type * as TS from "@tslab/typescript-for-tslab";

/**
 * `{ name }` becomes `{ name: name }` when `name` was declared by an earlier
 * cell: tslab rewrites earlier cells' names as `exports.name`, but misses the
 * shorthand form, which then fails with "name is not defined".
 *
 * (Unlike IPython, a trailing `;` does not hide the result: TypeScript ends
 * nearly every statement with one. `void expression` shows nothing.)
 */
export function expandShorthands(ts: typeof TS, code: string, earlierNames: ReadonlySet<string>): string {
  const file = ts.createSourceFile("cell.ts", code, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const insertions: { at: number; text: string }[] = [];
  const visit = (node: TS.Node): void => {
    if (ts.isShorthandPropertyAssignment(node) && !node.objectAssignmentInitializer && earlierNames.has(node.name.text)) {
      insertions.push({ at: node.name.end, text: `: ${node.name.text}` });
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  let rewritten = code;
  for (const { at, text } of insertions.sort((a, b) => b.at - a.at)) rewritten = rewritten.slice(0, at) + text + rewritten.slice(at);
  return rewritten;
}
