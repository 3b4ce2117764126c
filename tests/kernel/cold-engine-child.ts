/**
 * Runs cells through a TypeScript engine whose compiler thread has just
 * started (so it is still warming up), in its own process, and prints what
 * each cell gave as one JSON line. Used by quick-convert.test.ts.
 *
 *   node cold-engine-child.js <cell> [<cell> ...]
 */
import { CompilerClient } from "../../kernel/engine/compiler-client";
import { TypeScriptEngine } from "../../kernel/engine/engine";
import { packageRoot } from "../../kernel/package-root";

async function main(cells: string[]): Promise<void> {
  const root = packageRoot();
  const resolution = { notebookDir: process.cwd(), root, packages: { convlab: root } };
  const compiler = CompilerClient.start({ ...resolution, preload: ["convlab", "@tensorflow/tfjs"] });
  const engine = new TypeScriptEngine({ ...resolution, compiler });
  const results = [];
  for (const [i, code] of cells.entries()) {
    const warm = compiler.warm;
    let stderr = "";
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => ((stderr += chunk), true)) as typeof process.stderr.write;
    try {
      const outcome = await engine.execute(code, `In[${i + 1}]`).done;
      results.push({ warmBefore: warm, stderr, ...outcome, value: outcome.status === "ok" ? String(outcome.value) : undefined });
    } finally {
      process.stderr.write = write;
    }
  }
  process.stdout.write(JSON.stringify(results) + "\n");
  compiler.close();
  process.exit(0);
}

// Only as a process of its own (mocha may load this file when given the folder).
if (require.main === module) void main(process.argv.slice(2));
