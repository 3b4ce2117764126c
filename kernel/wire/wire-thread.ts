/**
 * The wire thread: owns every ZeroMQ socket, so heartbeats, interrupts and
 * output keep flowing while the main thread runs a learner's code, even a
 * loop that never yields.
 *
 * It verifies and decodes incoming messages and hands requests to the main
 * thread; it signs and sends what the main thread asks it to. It answers
 * heartbeats, kernel_info (when no cell runs), interrupt_request and
 * shutdown_request itself.
 */
import { parentPort, workerData } from "node:worker_threads";
import { Session } from "node:inspector";
import * as zmq from "zeromq";
import { endpoint } from "./connection";
import { decode, encode, JupyterMessage, makeHeader, Signer } from "./message";
import { ExecState, SharedState } from "./shared-state";
import type { Channel, ParentRef, WireCommand, WireEvent, WireThreadOptions } from "./thread-messages";
import { userInfo } from "node:os";
import { randomUUID } from "node:crypto";

const options = workerData as WireThreadOptions;
const port = parentPort!;
const shared = new SharedState(options.shared);
const signer = new Signer(options.connection.key, options.connection.signature_scheme);
const session = randomUUID();
const username = safeUsername();

const sockets = {
  shell: new zmq.Router(),
  control: new zmq.Router(),
  stdin: new zmq.Router(),
  iopub: new zmq.Publisher(),
  heartbeat: new zmq.Reply(),
};
// zeromq.js allows one pending send per socket: chain them.
const sendChains: Record<Channel, Promise<unknown>> = {
  shell: Promise.resolve(),
  control: Promise.resolve(),
  stdin: Promise.resolve(),
  iopub: Promise.resolve(),
};
let closing = false;

function log(...args: unknown[]): void {
  if (options.debug) process.stderr.write(`[convlab wire] ${args.map(String).join(" ")}\n`);
}

function warn(...args: unknown[]): void {
  process.stderr.write(`[convlab wire] ${args.map(String).join(" ")}\n`);
}

function post(event: WireEvent): void {
  port.postMessage(event);
}

function send(
  channel: Channel,
  msgType: string,
  content: unknown,
  parent: ParentRef | null,
  metadata: Record<string, unknown> = {},
  buffers: Uint8Array[] = [],
): Promise<unknown> {
  if (channel !== "iopub") flushStreams();
  else if (msgType !== "stream") flushStreams();
  const message: JupyterMessage<unknown> = {
    identities: channel === "iopub" ? [Buffer.from(msgType)] : (parent?.identities ?? []).map((id) => Buffer.from(id)),
    header: makeHeader(msgType, session, username),
    parent_header: parent?.header ?? {},
    metadata,
    content,
    buffers: buffers.map((b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength)),
  };
  const frames = encode(message, signer);
  const socket = sockets[channel];
  const next = sendChains[channel].then(() => socket.send(frames)).catch((err) => {
    if (!closing) warn(`could not send ${msgType} on ${channel}:`, (err as Error).message);
  });
  sendChains[channel] = next;
  return next;
}

// --- stdout/stderr: coalesced, and always sent before any later output ---
interface PendingStream { name: "stdout" | "stderr"; text: string; parent: ParentRef | null }
let pendingStreams: PendingStream[] = [];
let pendingBytes = 0;
let streamTimer: NodeJS.Timeout | null = null;

function queueStream(name: "stdout" | "stderr", text: string, parent: ParentRef | null): void {
  const last = pendingStreams[pendingStreams.length - 1];
  if (last && last.name === name && last.parent?.header.msg_id === parent?.header.msg_id) last.text += text;
  else pendingStreams.push({ name, text, parent });
  pendingBytes += text.length;
  if (pendingBytes > 1 << 16) flushStreams();
  else if (!streamTimer) streamTimer = setTimeout(flushStreams, 20);
}

function flushStreams(): void {
  if (streamTimer) clearTimeout(streamTimer);
  streamTimer = null;
  const streams = pendingStreams;
  pendingStreams = [];
  pendingBytes = 0;
  for (const s of streams) send("iopub", "stream", { name: s.name, text: s.text }, s.parent);
}

// --- requests ---
function parentOf(message: JupyterMessage): ParentRef {
  return { header: message.header, identities: message.identities };
}

async function serve(channel: "shell" | "control" | "stdin", socket: zmq.Router): Promise<void> {
  for await (const frames of socket) {
    const decoded = decode(frames, signer);
    if (!decoded.ok) {
      warn(`dropped a message on ${channel}: ${decoded.reason}`);
      continue;
    }
    const message = decoded.message;
    log(channel, message.header.msg_type);
    try {
      handle(channel, message);
    } catch (err) {
      warn(`failed to handle ${message.header.msg_type}:`, (err as Error).stack);
    }
  }
}

function handle(channel: "shell" | "control" | "stdin", message: JupyterMessage): void {
  const type = message.header.msg_type;
  if (channel === "stdin") {
    if (type === "input_reply") post({ kind: "input_reply", value: String(message.content.value ?? "") });
    return;
  }
  if (type === "kernel_info_request" && (channel === "control" || shared.state !== ExecState.RunningSync && shared.state !== ExecState.RunningAsync)) {
    const parent = parentOf(message);
    send("iopub", "status", { execution_state: "busy" }, parent);
    send(channel, "kernel_info_reply", options.kernelInfo, parent);
    send("iopub", "status", { execution_state: "idle" }, parent);
    return;
  }
  if (type === "interrupt_request") {
    interrupt();
    send(channel, "interrupt_reply", { status: "ok" }, parentOf(message));
    return;
  }
  if (type === "shutdown_request") {
    const restart = Boolean(message.content.restart);
    const parent = parentOf(message);
    send(channel, "shutdown_reply", { status: "ok", restart }, parent);
    // Let the main thread tidy up and exit; force it if it is stuck.
    sendChains[channel].then(() => {
      post({ kind: "shutdown", restart });
      setTimeout(() => process.kill(process.pid, "SIGTERM"), 5000).unref();
    });
    return;
  }
  post({ kind: "request", channel, message, sequence: shared.countRequest() });
}

// --- interrupts ---
let inspectorSession: Session | null = null;

/**
 * Interrupting is polite first: the main thread and the library see the
 * request at once (shared memory), so training stops at the next batch. If
 * the cell still runs after the grace period, it is broken off: SIGINT for a
 * cell's synchronous part (vm's breakOnSigint turns it into an exception),
 * V8's terminateExecution for a loop that never yields after an await.
 */
function interrupt(): void {
  const state = shared.state;
  if (state !== ExecState.RunningSync && state !== ExecState.RunningAsync) return;
  const number = shared.requestInterrupt();
  post({ kind: "interrupt" });
  setTimeout(() => {
    if (shared.interruptsSeen >= number) return;
    const now = shared.state;
    if (now === ExecState.RunningSync) {
      log("forcing interrupt with SIGINT");
      process.kill(process.pid, "SIGINT");
    } else if (now === ExecState.RunningAsync) {
      log("forcing interrupt with terminateExecution");
      if (!inspectorSession) {
        inspectorSession = new Session();
        inspectorSession.connectToMainThread();
      }
      inspectorSession.post("Runtime.terminateExecution");
    }
  }, options.interruptGraceMs).unref();
}

// --- commands from the main thread ---
port.on("message", (command: WireCommand) => {
  switch (command.kind) {
    case "send":
      send(command.channel, command.msgType, command.content, command.parent, command.metadata, command.buffers);
      break;
    case "stream":
      queueStream(command.name, command.text, command.parent);
      break;
    case "flush": {
      flushStreams();
      Promise.all(Object.values(sendChains)).then(() => post({ kind: "flushed", token: command.token }));
      break;
    }
    case "close":
      void close();
      break;
  }
});

async function close(): Promise<void> {
  flushStreams();
  await Promise.all(Object.values(sendChains));
  closing = true;
  // Everything queued has been handed to ZeroMQ; give it a moment to leave, no more.
  for (const socket of Object.values(sockets)) {
    socket.linger = 100;
    socket.close();
  }
  port.close();
}

async function heartbeat(): Promise<void> {
  for await (const frames of sockets.heartbeat) await sockets.heartbeat.send(frames);
}

async function start(): Promise<void> {
  const c = options.connection;
  for (const socket of [sockets.shell, sockets.control, sockets.stdin]) socket.linger = 1000;
  sockets.iopub.linger = 1000;
  await Promise.all([
    sockets.shell.bind(endpoint(c, c.shell_port)),
    sockets.control.bind(endpoint(c, c.control_port)),
    sockets.stdin.bind(endpoint(c, c.stdin_port)),
    sockets.iopub.bind(endpoint(c, c.iopub_port)),
    sockets.heartbeat.bind(endpoint(c, c.hb_port)),
  ]);
  send("iopub", "status", { execution_state: "starting" }, null);
  post({ kind: "ready" });
  const loops = [
    serve("shell", sockets.shell),
    serve("control", sockets.control),
    serve("stdin", sockets.stdin),
    heartbeat(),
  ];
  await Promise.all(loops.map((p) => p.catch((err) => { if (!closing) warn("socket loop ended:", err); })));
}

function safeUsername(): string {
  try {
    return userInfo().username;
  } catch {
    return "convlab";
  }
}

start().catch((err) => {
  warn("could not open the kernel's sockets:", (err as Error).message);
  process.kill(process.pid, "SIGTERM");
});
