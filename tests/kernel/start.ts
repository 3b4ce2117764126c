/** Starting the convlab kernel for a test, with its own history file. */
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { KernelClient } from "../../kernel/client/kernel-client";

export const ROOT = path.resolve(__dirname, "..", "..", "..");
export const CLI = path.join(ROOT, "dist", "cli", "main.js");

export async function startConvlabKernel(env: Record<string, string> = {}): Promise<KernelClient> {
  const scratch = mkdtempSync(path.join(tmpdir(), "convlab-test-"));
  const client = await KernelClient.start({
    argv: [process.execPath, CLI, "kernel", "-f", "{connection_file}"],
    cwd: scratch,
    env: { ...process.env, CONVLAB_HISTORY_FILE: path.join(scratch, "history.jsonl"), ...env },
    inheritStderr: Boolean(process.env.CONVLAB_TEST_DEBUG),
  });
  await client.waitReady();
  return client;
}

/**
 * Registers the kernel in a temporary prefix, for Jupyter tools run by
 * tests (nbconvert, nbclient, jupyter_kernel_test). Returns the environment
 * that makes Jupyter find it there, and a scratch folder.
 */
export function registerKernelForTests(): { env: NodeJS.ProcessEnv; dir: string } {
  const dir = mkdtempSync(path.join(tmpdir(), "convlab-spec-"));
  const install = spawnSync(process.execPath, [CLI, "install", "--prefix", dir], { encoding: "utf8" });
  if (install.status !== 0) throw new Error(`could not register the kernel: ${install.stderr}`);
  return {
    dir,
    env: {
      ...process.env,
      JUPYTER_PATH: path.join(dir, "share", "jupyter"),
      CONVLAB_HISTORY_FILE: path.join(dir, "history.jsonl"),
      PYDEVD_DISABLE_FILE_VALIDATION: "1",
    },
  };
}

/** A notebook (nbformat 4.5) of code cells, for the convlab kernel. */
export function notebookOf(sources: string[]): Record<string, unknown> {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: { name: "convlab", display_name: "TypeScript (convlab)", language: "typescript" },
      language_info: { name: "typescript", file_extension: ".ts" },
    },
    cells: sources.map((source, i) => ({ cell_type: "code", id: `cell-${i}`, metadata: {}, execution_count: null, outputs: [], source })),
  };
}
