/** Starting the convlab kernel for a test, with its own history file. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { KernelClient } from "../../kernel/client/kernel-client";

export const ROOT = path.resolve(__dirname, "..", "..", "..");
export const CLI = path.join(ROOT, "dist", "kernel", "cli.js");

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
