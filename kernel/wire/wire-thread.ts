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
import * as zmq from "zeromq";
import { endpoint } from "./connection";
import { decode, encode, JupyterMessage, makeHeader, SignatureHistory, Signer } from "./message";
import { ExecState, SharedState } from "./shared-state";
import { disconnectMainThread, mainThreadHeapUsed, terminateMainThreadExecution } from "./main-thread";
import { watchParent } from "./parent-watch";
import { watchHeap } from "./heap-watch";
import type { Channel, ParentRef, WireCommand, WireEvent, WireThreadOptions } from "./thread-messages";
import { userInfo } from "node:os";
import { randomUUID } from "node:crypto";

const options = workerData as WireThreadOptions;
const port = parentPort!;
const shared = new SharedState(options.shared);
const signer = new Signer(options.connection.key, options.connection.signature_scheme);
const signatures = new SignatureHistory();
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
    if (!signatures.accept(decoded.signature)) {
      warn(`dropped a replayed message on ${channel} (its signature was seen before)`);
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
  const sequence = shared.countRequest();
  if (type === "execute_request") unfinishedExecutes.push(sequence);
  post({ kind: "request", channel, message, sequence });
}

// --- interrupts ---
/** Execute requests handed to the main thread, oldest first; answered ones are dropped lazily. */
const unfinishedExecutes: number[] = [];

/** The execute request an interrupt applies to: the oldest not yet answered, whatever its phase. */
function interruptTarget(): number | undefined {
  const finished = shared.finishedThrough;
  while (unfinishedExecutes.length && unfinishedExecutes[0] <= finished) unfinishedExecutes.shift();
  return unfinishedExecutes[0];
}

/** The execute request the latest interrupt was aimed at. */
let lastTarget: number | undefined;

/**
 * Interrupting is polite first: the main thread and the library see the
 * request at once (shared memory), so training stops at the next batch, and
 * a cell still queued or being type-checked never starts. If the cell still
 * runs after the grace period, it is broken off. A cell whose code reads the
 * interrupt signal (train()) gets longer, politeInterruptMs, to stop and keep
 * its state, however long a batch takes on a busy machine; interrupting the
 * same cell again breaks it off without waiting.
 */
function interrupt(): void {
  const target = interruptTarget();
  if (target === undefined) return;
  const again = target === lastTarget;
  lastTarget = target;
  const number = shared.interruptRequest(target);
  post({ kind: "interrupt" });
  // Past the main thread's own polite deadline, so it can break off an await first.
  const politeUntil = again ? 0 : Date.now() + options.politeInterruptMs + options.interruptGraceMs;
  breakOffIfStuck(target, number, options.interruptGraceMs, politeUntil);
}

/**
 * SIGINT for a cell's synchronous part (vm's breakOnSigint turns it into an
 * exception), V8's terminateExecution for a loop that never yields after an
 * await. A request not yet running is checked again later: it stops by
 * itself before it runs.
 */
function breakOffIfStuck(target: number, number: number, delayMs: number, politeUntil = 0): void {
  setTimeout(() => {
    if (shared.interruptsSeen >= number || shared.finishedThrough >= target) return;
    const now = shared.state;
    const notRunning = shared.handling !== target || (now !== ExecState.RunningSync && now !== ExecState.RunningAsync);
    if (notRunning || (shared.polls(target) && Date.now() < politeUntil)) {
      breakOffIfStuck(target, number, delayMs, politeUntil);
    } else if (now === ExecState.RunningSync) {
      log("forcing interrupt with SIGINT");
      process.kill(process.pid, "SIGINT");
    } else {
      log("forcing interrupt with terminateExecution");
      terminateMainThreadExecution();
    }
  }, delayMs).unref();
}

// --- the memory watch: stop a cell before the heap runs out ---
function runningCell(): number {
  const state = shared.state;
  const running = state === ExecState.RunningSync || state === ExecState.RunningAsync;
  return running ? shared.handling : 0;
}

const heapWatch = options.heapLimitBytes ? watchHeap({
    limitBytes: options.heapLimitBytes,
    runningRequest: runningCell,
    startBytes: () => shared.cellStartHeapBytes,
    heapUsed: mainThreadHeapUsed,
    onFull(request, usedBytes) {
      warn(`the heap holds ${Math.round(usedBytes / 2 ** 20)} MB of its ${Math.round(options.heapLimitBytes! / 2 ** 20)} MB limit: stopping the running cell`);
      shared.stopForMemory(request, usedBytes);
      const number = shared.interruptRequest(request);
      post({ kind: "memory" });
      // No grace: the heap may fill within a second.
      breakOffIfStuck(request, number, 20);
    },
  })
  : null;

// --- the parent watch: a kernel whose Jupyter died ends too ---
watchParent((parentPid) => {
  warn(`the process that started this kernel (pid ${parentPid}) has exited; shutting down`);
  process.kill(process.pid, "SIGTERM");
});

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
  heapWatch?.stop();
  disconnectMainThread();
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
