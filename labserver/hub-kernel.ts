/**
 * A kernel on a learner's server, driven through the hub: the session is
 * made with the server's REST API and the kernel is spoken to over the
 * websocket that the hub's proxy forwards (/user/<name>/api/kernels/<id>/channels),
 * exactly the path JupyterLab in the learner's browser uses. The tests and
 * the bench run lessons this way.
 */
import { randomUUID } from "node:crypto";
import WebSocket from "ws";
import type { HubApi } from "./hub-api";

export interface Output {
  type: string;
  content: Record<string, unknown>;
}

export interface ExecuteResult {
  status: "ok" | "error" | "aborted" | "died";
  outputs: Output[];
  /** "Name: message" of the error, when status is not ok. */
  error?: string;
}

interface Message {
  header: { msg_id: string; msg_type: string };
  parent_header: { msg_id?: string };
  content: Record<string, unknown>;
  channel: string;
}

export class HubKernel {
  private pending = new Map<string, { outputs: Output[]; reply?: Record<string, unknown>; idle: boolean; done: (r: ExecuteResult) => void }>();
  private readonly session = randomUUID();

  private constructor(
    private readonly socket: WebSocket,
    readonly api: HubApi,
    readonly user: string,
    readonly sessionId: string,
    readonly kernelId: string,
  ) {
    socket.on("message", (data) => this.receive(JSON.parse(data.toString()) as Message));
    socket.on("close", () => this.failAll("the connection to the kernel closed"));
  }

  /** Starts a kernel for the notebook at `path` (as JupyterLab does on opening it) and connects to it. */
  static async open(api: HubApi, user: string, path: string, kernelName = "convlab"): Promise<HubKernel> {
    const session = await api.json<{ id: string; kernel: { id: string } }>(api.userPath(user, "api/sessions"), {
      method: "POST",
      body: JSON.stringify({ path, name: path.split("/").pop(), type: "notebook", kernel: { name: kernelName } }),
    });
    const url = new URL(api.userPath(user, `api/kernels/${session.kernel.id}/channels?session_id=${randomUUID()}`), api.hubUrl);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(url, { headers: { Authorization: `token ${api.token}` } });
    await new Promise<void>((resolve, reject) => {
      socket.once("open", () => resolve());
      socket.once("error", reject);
      socket.once("unexpected-response", (_request, response) => reject(new Error(`The kernel's websocket was refused: ${response.statusCode}`)));
    });
    return new HubKernel(socket, api, user, session.id, session.kernel.id);
  }

  /** Runs code and resolves when the kernel has replied and gone idle, or when the timeout passes (then it throws). */
  execute(code: string, timeoutMs: number): Promise<ExecuteResult> {
    const msgId = randomUUID();
    const message = {
      header: { msg_id: msgId, msg_type: "execute_request", session: this.session, username: this.user, version: "5.3", date: new Date().toISOString() },
      parent_header: {},
      metadata: {},
      content: { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true },
      channel: "shell",
      buffers: [],
    };
    return new Promise<ExecuteResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(msgId);
        reject(new Error(`${this.user}'s kernel did not finish a cell within ${Math.round(timeoutMs / 1000)} s:\n${code.slice(0, 200)}`));
      }, timeoutMs);
      this.pending.set(msgId, {
        outputs: [],
        idle: false,
        done: (result) => {
          clearTimeout(timer);
          resolve(result);
        },
      });
      this.socket.send(JSON.stringify(message));
    });
  }

  private receive(message: Message): void {
    if (message.channel === "iopub" && message.header.msg_type === "status" && ["restarting", "dead"].includes(String(message.content.execution_state))) {
      return this.failAll(`the kernel ${message.content.execution_state === "dead" ? "died" : "died and is restarting"}`);
    }
    const entry = this.pending.get(message.parent_header?.msg_id ?? "");
    if (!entry) return;
    if (message.channel === "shell" && message.header.msg_type === "execute_reply") entry.reply = message.content;
    else if (message.channel === "iopub" && message.header.msg_type === "status" && message.content.execution_state === "idle") entry.idle = true;
    else if (message.channel === "iopub" && ["stream", "display_data", "execute_result", "error", "update_display_data"].includes(message.header.msg_type)) {
      entry.outputs.push({ type: message.header.msg_type, content: message.content });
    }
    if (entry.reply && entry.idle) {
      this.pending.delete(message.parent_header.msg_id!);
      const status = entry.reply.status as ExecuteResult["status"];
      entry.done({ status, outputs: entry.outputs, error: status === "ok" ? undefined : `${String(entry.reply.ename)}: ${String(entry.reply.evalue)}` });
    }
  }

  private failAll(reason: string): void {
    for (const [id, entry] of this.pending) {
      this.pending.delete(id);
      entry.done({ status: "died", outputs: entry.outputs, error: reason });
    }
  }

  /** Closes the connection and shuts the kernel down (deletes its session). */
  async close(): Promise<void> {
    this.socket.close();
    await this.api.fetch(this.api.userPath(this.user, `api/sessions/${this.sessionId}`), { method: "DELETE" }).catch(() => undefined);
  }
}

export interface NotebookRun {
  seconds: number;
  cells: number;
  /** The first failing cell (index among code cells) and its error; absent when every cell ran. */
  failure?: { cell: number; error: string };
  /** Every output, in order. */
  outputs: Output[];
}

/** Runs every code cell of a notebook in the learner's server, in order, stopping at the first error. */
export async function runNotebook(api: HubApi, user: string, path: string, cellTimeoutMs: number): Promise<NotebookRun> {
  const notebook = await api.json<{ content: { cells: { cell_type: string; source: string }[] } }>(api.userPath(user, `api/contents/${path.split("/").map(encodeURIComponent).join("/")}?content=1`));
  const code = notebook.content.cells.filter((c) => c.cell_type === "code").map((c) => c.source);
  const started = Date.now();
  const kernel = await HubKernel.open(api, user, path);
  const outputs: Output[] = [];
  try {
    for (const [i, source] of code.entries()) {
      const result = await kernel.execute(source, cellTimeoutMs);
      outputs.push(...result.outputs);
      if (result.status !== "ok") return { seconds: (Date.now() - started) / 1000, cells: i, failure: { cell: i, error: result.error ?? result.status }, outputs };
    }
  } finally {
    await kernel.close();
  }
  return { seconds: (Date.now() - started) / 1000, cells: code.length, outputs };
}
