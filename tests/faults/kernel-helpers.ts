/** Small helpers for probes that talk to a kernel. */
import type { JupyterMessage } from "../../kernel/wire/message";
import type { KernelClient } from "../../kernel/client/kernel-client";

export function executeContent(code: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true, ...extra };
}

/** The text/plain of a reply's execute_result (throws, showing what came instead, if there is none). */
export function resultText(reply: { reply: JupyterMessage; iopub: JupyterMessage[] }): string {
  const result = reply.iopub.find((m) => m.header.msg_type === "execute_result");
  if (!result) throw new Error(`no result; the reply was ${JSON.stringify(reply.reply.content).slice(0, 400)}`);
  return (result.content.data as Record<string, string>)["text/plain"];
}

/** Waits until request `id`'s cell has printed `text` (so it runs, past type-checking). */
export function waitForText(kernel: KernelClient, id: string, text: string, timeoutMs = 120_000): Promise<JupyterMessage> {
  return kernel.waitForIopub(
    (m) => m.parent_header.msg_id === id && m.header.msg_type === "stream" && String(m.content.text).includes(text),
    timeoutMs,
  );
}

/** Waits for a stream message anywhere whose text matches. */
export function waitForStream(kernel: KernelClient, pattern: RegExp, timeoutMs = 60_000): Promise<JupyterMessage> {
  return kernel.waitForIopub((m) => m.header.msg_type === "stream" && pattern.test(String(m.content.text)), timeoutMs);
}

export async function interrupt(kernel: KernelClient): Promise<void> {
  const { reply } = await kernel.request("interrupt_request", {}, { channel: "control", waitForIdle: false });
  if (reply.content.status !== "ok") throw new Error(`interrupt_request failed: ${JSON.stringify(reply.content)}`);
}

/** Resolves when the process `pid` is gone (or a zombie waiting for its new parent to reap it). */
export async function processGone(pid: number, timeoutMs: number): Promise<boolean> {
  const { readFileSync } = await import("node:fs");
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      process.kill(pid, 0);
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      if (/^\d+ \(.*\) Z/.test(stat)) return true;
    } catch {
      return true;
    }
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
}
