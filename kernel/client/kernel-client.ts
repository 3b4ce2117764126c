/**
 * A small Jupyter client: starts a kernel process with a fresh connection
 * file and talks to it over the five channels. The project's protocol tests
 * and the kernel benchmark use it; it also starts other kernels (tslab) so
 * they can be measured side by side.
 */
import { ChildProcess, spawn } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import * as zmq from "zeromq";
import type { ConnectionInfo } from "../wire/connection";
import { decode, encode, JupyterMessage, makeHeader, Signer } from "../wire/message";

export interface StartKernelOptions {
  /** The command line; "{connection_file}" is replaced by the file's path. */
  argv: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Pass stderr through to ours (for debugging). */
  inheritStderr?: boolean;
}

export interface Reply {
  reply: JupyterMessage;
  /** IOPub messages whose parent is the request, up to its idle status. */
  iopub: JupyterMessage[];
}

/** How much of a kernel's stderr a client keeps (the end of it). */
const STDERR_TAIL_CHARS = 4000;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

export class KernelClient {
  readonly session = randomUUID();
  readonly signer: Signer;
  private shell = new zmq.Dealer({ routingId: this.session });
  private control = new zmq.Dealer({ routingId: this.session + "-control" });
  private stdin = new zmq.Dealer({ routingId: this.session });
  private iopub = new zmq.Subscriber();
  private heartbeat = new zmq.Request();
  private iopubLog: JupyterMessage[] = [];
  private iopubWaiters: (() => void)[] = [];
  private replies = new Map<string, (m: JupyterMessage) => void>();
  private stdinHandler: ((m: JupyterMessage) => void) | null = null;
  private closed = false;
  /** The end of the kernel's stderr (unless passed through), for errors about it. */
  private stderrTail = "";
  exited: Promise<number | null>;

  private constructor(readonly process: ChildProcess, readonly connection: ConnectionInfo, readonly connectionFile: string) {
    this.signer = new Signer(connection.key, connection.signature_scheme);
    this.exited = new Promise((resolve) => process.on("exit", (code) => resolve(code)));
    process.stderr?.on("data", (chunk: Buffer) => (this.stderrTail = (this.stderrTail + chunk.toString()).slice(-STDERR_TAIL_CHARS)));
  }

  /** `problem`, with the kernel's last words on stderr when there were any. */
  private withStderr(problem: string): Error {
    const tail = this.stderrTail.trim();
    return new Error(tail ? `${problem}; the end of its stderr:\n${tail}` : problem);
  }

  static async start(options: StartKernelOptions): Promise<KernelClient> {
    const dir = mkdtempSync(path.join(tmpdir(), "convlab-kernel-"));
    const connection: ConnectionInfo = {
      transport: "tcp",
      ip: "127.0.0.1",
      key: randomBytes(16).toString("hex"),
      signature_scheme: "hmac-sha256",
      shell_port: await freePort(),
      iopub_port: await freePort(),
      stdin_port: await freePort(),
      control_port: await freePort(),
      hb_port: await freePort(),
      kernel_name: "convlab",
    };
    const file = path.join(dir, "connection.json");
    writeFileSync(file, JSON.stringify(connection));
    const argv = options.argv.map((a) => a.replace("{connection_file}", file));
    const child = spawn(argv[0], argv.slice(1), {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ["ignore", "ignore", options.inheritStderr ? "inherit" : "pipe"],
    });
    const client = new KernelClient(child, connection, file);
    await client.connect();
    return client;
  }

  private async connect(): Promise<void> {
    const c = this.connection;
    const url = (port: number) => `tcp://${c.ip}:${port}`;
    this.shell.connect(url(c.shell_port));
    this.control.connect(url(c.control_port));
    this.stdin.connect(url(c.stdin_port));
    this.iopub.connect(url(c.iopub_port));
    this.iopub.subscribe();
    this.heartbeat.connect(url(c.hb_port));
    void this.readReplies(this.shell);
    void this.readReplies(this.control);
    void this.readStdin();
    void this.readIopub();
  }

  private async readReplies(socket: zmq.Dealer): Promise<void> {
    try {
      for await (const frames of socket) {
        const decoded = decode(frames, this.signer);
        if (!decoded.ok) continue;
        const parentId = decoded.message.parent_header.msg_id ?? "";
        this.replies.get(parentId)?.(decoded.message);
      }
    } catch {
      // closed
    }
  }

  private async readStdin(): Promise<void> {
    try {
      for await (const frames of this.stdin) {
        const decoded = decode(frames, this.signer);
        if (decoded.ok) this.stdinHandler?.(decoded.message);
      }
    } catch {
      // closed
    }
  }

  private async readIopub(): Promise<void> {
    try {
      for await (const frames of this.iopub) {
        const decoded = decode(frames, this.signer);
        if (!decoded.ok) continue;
        this.iopubLog.push(decoded.message);
        const waiters = this.iopubWaiters;
        this.iopubWaiters = [];
        for (const w of waiters) w();
      }
    } catch {
      // closed
    }
  }

  /** Every IOPub message received so far. */
  get published(): readonly JupyterMessage[] {
    return this.iopubLog;
  }

  /** Resolves when an IOPub message matching `predicate` has arrived. */
  async waitForIopub(predicate: (m: JupyterMessage) => boolean, timeoutMs = 30_000): Promise<JupyterMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.iopubLog.find(predicate);
      if (found) return found;
      if (Date.now() > deadline) throw new Error("timed out waiting for an IOPub message");
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(200, Math.max(1, deadline - Date.now())));
        this.iopubWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Frames for a request, signed (or deliberately mis-signed, for tests). */
  message(msgType: string, content: Record<string, unknown>): JupyterMessage {
    return {
      identities: [],
      header: makeHeader(msgType, this.session, "test"),
      parent_header: {},
      metadata: {},
      content,
      buffers: [],
    };
  }

  async sendRaw(channel: "shell" | "control" | "stdin", frames: (Buffer | string)[]): Promise<void> {
    const socket = channel === "shell" ? this.shell : channel === "control" ? this.control : this.stdin;
    await socket.send(frames);
  }

  /** Sends a request and waits for its reply and its IOPub messages up to idle. */
  async request(
    msgType: string,
    content: Record<string, unknown> = {},
    options: { channel?: "shell" | "control"; timeoutMs?: number; waitForIdle?: boolean } = {},
  ): Promise<Reply> {
    const message = this.message(msgType, content);
    const id = message.header.msg_id;
    const timeout = options.timeoutMs ?? 60_000;
    const reply = new Promise<JupyterMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.replies.delete(id);
        reject(new Error(`no reply to ${msgType} within ${timeout} ms`));
      }, timeout);
      this.replies.set(id, (m) => {
        clearTimeout(timer);
        this.replies.delete(id);
        resolve(m);
      });
    });
    await this.sendRaw(options.channel ?? "shell", encode(message, this.signer));
    const answer = await reply;
    if (options.waitForIdle !== false) {
      await this.waitForIopub((m) => m.parent_header.msg_id === id && m.header.msg_type === "status" && m.content.execution_state === "idle", timeout);
    }
    return { reply: answer, iopub: this.iopubLog.filter((m) => m.parent_header.msg_id === id) };
  }

  /** Sends a message that has no reply (comm_open, comm_msg, comm_close); resolves with its IOPub messages up to idle. */
  async notify(msgType: string, content: Record<string, unknown>, timeoutMs = 30_000): Promise<JupyterMessage[]> {
    const id = await this.send(msgType, content);
    await this.waitForIopub((m) => m.parent_header.msg_id === id && m.header.msg_type === "status" && m.content.execution_state === "idle", timeoutMs);
    return this.iopubLog.filter((m) => m.parent_header.msg_id === id);
  }

  /** Sends a request without waiting; returns its msg_id. */
  async send(msgType: string, content: Record<string, unknown>, channel: "shell" | "control" = "shell"): Promise<string> {
    const message = this.message(msgType, content);
    await this.sendRaw(channel, encode(message, this.signer));
    return message.header.msg_id;
  }

  /** Waits for the reply to a request sent with `send`. */
  waitForReply(msgId: string, timeoutMs = 60_000): Promise<JupyterMessage> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no reply within ${timeoutMs} ms`)), timeoutMs);
      this.replies.set(msgId, (m) => {
        clearTimeout(timer);
        this.replies.delete(msgId);
        resolve(m);
      });
    });
  }

  async execute(code: string, extra: Record<string, unknown> = {}, timeoutMs?: number): Promise<Reply> {
    return this.request("execute_request", {
      code,
      silent: false,
      store_history: true,
      user_expressions: {},
      allow_stdin: false,
      stop_on_error: true,
      ...extra,
    }, { timeoutMs });
  }

  /** Answers input_request messages on stdin with `answer(prompt)`. */
  onInput(answer: (prompt: string, password: boolean) => string): void {
    this.stdinHandler = (m) => {
      if (m.header.msg_type !== "input_request") return;
      const reply: JupyterMessage = {
        identities: [],
        header: makeHeader("input_reply", this.session, "test"),
        parent_header: m.header,
        metadata: {},
        content: { value: answer(String(m.content.prompt ?? ""), Boolean(m.content.password)) },
        buffers: [],
      };
      void this.stdin.send(encode(reply, this.signer));
    };
  }

  /** One heartbeat round trip; false if none within the timeout. */
  async ping(timeoutMs = 2000): Promise<boolean> {
    const answer = (async () => {
      await this.heartbeat.send("ping");
      const [echo] = await this.heartbeat.receive();
      return echo.toString() === "ping";
    })();
    const timeout = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), timeoutMs));
    return Promise.race([answer, timeout]);
  }

  /**
   * Waits until the kernel is ready the way jupyter_client does: send
   * kernel_info until a reply comes back on shell, then check that IOPub
   * delivers too (a subscription is live only some time after connecting;
   * until then published messages are lost), else start over.
   */
  async waitReady(timeoutMs = 180_000): Promise<JupyterMessage> {
    const deadline = Date.now() + timeoutMs;
    // Each round waits longer: a kernel on a loaded machine may take seconds
    // to answer, and asking again every second would only queue more requests.
    for (let wait = 1000; ; wait = Math.min(2 * wait, 15_000)) {
      if (this.process.exitCode !== null) throw this.withStderr(`the kernel exited with code ${this.process.exitCode}`);
      if (Date.now() > deadline) throw this.withStderr(`the kernel was not ready within ${timeoutMs} ms`);
      let reply: JupyterMessage;
      try {
        reply = (await this.request("kernel_info_request", {}, { timeoutMs: wait, waitForIdle: false })).reply;
      } catch {
        continue;
      }
      const parent = reply.parent_header.msg_id;
      try {
        await this.waitForIopub((m) => m.parent_header.msg_id === parent, wait / 5);
        return reply;
      } catch {
        // IOPub not connected yet: ask again.
      }
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.process.exitCode === null) this.process.kill("SIGKILL");
    for (const socket of [this.shell, this.control, this.stdin, this.iopub, this.heartbeat]) {
      socket.linger = 0;
      socket.close();
    }
  }
}
