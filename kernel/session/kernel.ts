/**
 * The kernel's main thread: takes requests from the wire thread one at a
 * time, runs cells in the TypeScript engine, and answers as the Jupyter
 * messaging protocol (5.3) says: busy/idle around each request,
 * execute_input, execute_result with a full MIME bundle, errors as `error`
 * messages, and queued cells aborted after an error, as IPython does.
 */
import { getHeapStatistics } from "node:v8";
import type { JupyterMessage } from "../wire/message";
import { ExecState, SharedState } from "../wire/shared-state";
import type { ParentRef, WireEvent } from "../wire/thread-messages";
import type { WireClient } from "../wire/wire-client";
import type { TypeScriptEngine, ExecuteOutcome } from "../engine/engine";
import { interruptionError, KernelError } from "../engine/errors";
import { plainText, toBundle } from "../../lib/display/protocol";
import { HistoryStore } from "./history";
import { KernelNotebookHost, encodeBundle, INTERRUPTED_BY_USER } from "./notebook-host";
import { kernelLog } from "./output-capture";
import { beginCell, cancelTimersOf } from "./background-errors";
import { heapBeforeCell } from "./heap";
import { exitKernel } from "./exit-guard";
import { memoryError } from "./memory-report";

type Request = { channel: "shell" | "control"; message: JupyterMessage; sequence: number };

export interface KernelOptions {
  wire: WireClient;
  shared: SharedState;
  host: KernelNotebookHost;
  history: HistoryStore;
  kernelInfo: Record<string, unknown>;
  connectionPorts: Record<string, number>;
  /** Milliseconds a cell whose code reads the interrupt signal gets to stop by itself before its await is broken off. */
  politeInterruptMs: number;
  /** Creates the engine (slow: about a second); called once, before the first request that needs it. */
  createEngine(): TypeScriptEngine;
  /** Work for quiet moments (preloading), run while no request waits. */
  idleTasks?: ((engine: TypeScriptEngine) => void)[];
}

/** `name?`, `?name` (IPython's help syntax): show the docs of `name` in the pager. */
const HELP = /^\s*\?+\s*([\s\S]*\S)\s*$|^\s*([\s\S]*?\S)\s*\?+\s*$/;

export class Kernel {
  private readonly queue: Request[] = [];
  private working = false;
  /** Execute requests up to this sequence number are aborted (they arrived before an error). */
  private abortThrough = 0;
  private executionCount = 0;
  /** The label ("In[3]") of the cell running now. */
  private runningLabel: string | undefined;
  private engineInstance: TypeScriptEngine | null = null;
  private readonly idleTasks: ((engine: TypeScriptEngine) => void)[];

  constructor(private readonly options: KernelOptions) {
    this.idleTasks = [...(options.idleTasks ?? [])];
    options.wire.on("event", (event) => this.onEvent(event));
  }

  get engine(): TypeScriptEngine {
    if (!this.engineInstance) this.engineInstance = this.options.createEngine();
    return this.engineInstance;
  }

  /** Warms the engine, then runs idle tasks while nobody is waiting. */
  warmUp(): void {
    setImmediate(() => {
      if (this.working || this.queue.length) return;
      void this.engine;
      // Yield first: requests that arrived while the engine started go before any preloading.
      setImmediate(() => this.runIdleTasks());
    });
  }

  private runIdleTasks(): void {
    if (this.working || this.queue.length || !this.idleTasks.length) return;
    const task = this.idleTasks.shift()!;
    try {
      task(this.engine);
    } catch (err) {
      kernelLog("preload failed:", err);
    }
    setImmediate(() => this.runIdleTasks());
  }

  /**
   * Called for interrupt events from the wire thread: stops the running cell
   * if the interrupt was aimed at it (a late event for an earlier cell is ignored).
   */
  /** The request the last interrupt event stopped (a second one for it does not wait). */
  private lastInterrupted = 0;

  interrupt(patient = true): void {
    const { shared } = this.options;
    const request = shared.handling;
    if (!this.running() || !shared.isInterrupted(request)) {
      shared.markInterruptsSeen();
      return;
    }
    const again = this.lastInterrupted === request;
    this.lastInterrupted = request;
    this.options.host.abort();
    // Code that reads the signal (train()) stops at its next check and keeps
    // its state; its await is broken off only if it has not within the grace
    // (or is interrupted again).
    if (patient && !again && shared.polls(request)) {
      setTimeout(() => this.breakOff(request), this.options.politeInterruptMs).unref();
    } else {
      this.breakOff(request);
    }
  }

  private running(): boolean {
    const { state } = this.options.shared;
    return state === ExecState.RunningSync || state === ExecState.RunningAsync;
  }

  /** Breaks off the await that request's cell is blocked in, if it still runs. */
  private breakOff(request: number): void {
    const { shared } = this.options;
    if (shared.handling !== request || !this.running()) return;
    shared.markInterruptsSeen();
    this.engineInstance?.interrupt();
  }

  /** A SIGINT sent to the kernel (not by its wire thread): interrupts the running cell. */
  interruptFromSignal(): void {
    const { shared } = this.options;
    if (shared.state === ExecState.RunningSync || shared.state === ExecState.RunningAsync) {
      shared.interruptRequest(shared.handling);
      this.interrupt();
    }
  }

  private onEvent(event: WireEvent): void {
    switch (event.kind) {
      case "request":
        this.queue.push({ channel: event.channel, message: event.message, sequence: event.sequence });
        void this.pump();
        break;
      case "interrupt":
        this.interrupt();
        break;
      case "memory":
        if (this.runningLabel) cancelTimersOf(this.runningLabel);
        this.interrupt(false);
        break;
      case "input_reply":
        this.options.host.receiveInput(event.value);
        break;
      case "shutdown":
        void this.shutdown();
        break;
      default:
        break;
    }
  }

  private async pump(): Promise<void> {
    if (this.working) return;
    this.working = true;
    try {
      while (this.queue.length) {
        await this.dispatch(this.queue.shift()!);
      }
    } finally {
      this.working = false;
    }
    setImmediate(() => this.runIdleTasks());
  }

  private async dispatch({ channel, message, sequence }: Request): Promise<void> {
    const parent: ParentRef = { header: message.header, identities: message.identities };
    const type = message.header.msg_type;
    const status = (state: "busy" | "idle") => this.options.wire.send("iopub", "status", { execution_state: state }, parent);
    this.options.shared.beginHandling(sequence);
    status("busy");
    try {
      if (sequence <= this.abortThrough && type === "execute_request") {
        this.reply(channel, "execute_reply", { status: "aborted" }, parent, { status: "aborted" });
        return;
      }
      await this.handle(channel, type, message, parent, sequence);
    } catch (err) {
      kernelLog(`failed to handle ${type}:`, err);
    } finally {
      status("idle");
      this.options.shared.endHandling();
    }
  }

  private reply(channel: "shell" | "control", msgType: string, content: unknown, parent: ParentRef, metadata: Record<string, unknown> = {}): void {
    this.options.wire.send(channel, msgType, content, parent, metadata);
  }

  private async handle(channel: "shell" | "control", type: string, message: JupyterMessage, parent: ParentRef, sequence: number): Promise<void> {
    const content = message.content as Record<string, unknown>;
    switch (type) {
      case "execute_request":
        return this.execute(channel, content, parent, sequence);
      case "kernel_info_request":
        return this.reply(channel, "kernel_info_reply", this.options.kernelInfo, parent);
      case "complete_request": {
        const code = String(content.code ?? "");
        const cursor = Number(content.cursor_pos ?? code.length);
        const c = this.engine.complete(code, cursor);
        return this.reply(channel, "complete_reply", {
          status: "ok",
          matches: c.matches,
          cursor_start: c.cursorStart,
          cursor_end: c.cursorEnd,
          metadata: { _jupyter_types_experimental: c.types },
        }, parent);
      }
      case "inspect_request": {
        const code = String(content.code ?? "");
        const i = this.engine.inspect(code, Number(content.cursor_pos ?? code.length));
        return this.reply(channel, "inspect_reply", {
          status: "ok",
          found: i.found,
          data: i.found ? { "text/plain": i.text, "text/markdown": i.markdown } : {},
          metadata: {},
        }, parent);
      }
      case "is_complete_request": {
        const result = this.engine.isComplete(String(content.code ?? ""));
        return this.reply(channel, "is_complete_reply", result, parent);
      }
      case "history_request":
        return this.reply(channel, "history_reply", { status: "ok", history: this.history(content) }, parent);
      case "comm_info_request": {
        const target = typeof content.target_name === "string" ? content.target_name : undefined;
        return this.reply(channel, "comm_info_reply", { status: "ok", comms: this.options.host.comms.info(target) }, parent);
      }
      case "comm_open":
        this.options.host.parent = parent;
        return this.options.host.comms.handleOpen(content);
      case "comm_msg":
        this.options.host.parent = parent;
        return this.options.host.comms.handleMessage(content);
      case "comm_close":
        return this.options.host.comms.handleClose(content);
      case "connect_request":
        return this.reply(channel, "connect_reply", { status: "ok", ...this.options.connectionPorts }, parent);
      default:
        kernelLog(`unsupported request "${type}" on ${channel}; ignored`);
    }
  }

  private history(content: Record<string, unknown>) {
    const output = Boolean(content.output);
    const history = this.options.history;
    switch (content.hist_access_type) {
      case "tail":
        return history.tail(Number(content.n ?? 10), output);
      case "range":
        return history.range(Number(content.session ?? 0), Number(content.start ?? 1), content.stop === undefined ? undefined : Number(content.stop), output);
      case "search":
        return history.search(String(content.pattern ?? "*"), content.n === undefined || content.n === null ? undefined : Number(content.n), Boolean(content.unique), output);
      default:
        return [];
    }
  }

  private async execute(channel: "shell" | "control", content: Record<string, unknown>, parent: ParentRef, sequence: number): Promise<void> {
    const { wire, host } = this.options;
    const code = String(content.code ?? "");
    const silent = Boolean(content.silent);
    const storeHistory = silent ? false : content.store_history !== false;
    const stopOnError = content.stop_on_error !== false;
    if (storeHistory) this.executionCount++;
    const count = this.executionCount;
    if (!silent) wire.send("iopub", "execute_input", { code, execution_count: count }, parent);

    const help = HELP.exec(code);
    if (help && !/^\s*$/.test(help[1] ?? help[2] ?? "")) {
      const target = (help[1] ?? help[2]).trim();
      const info = this.engine.inspect(target, target.length);
      const data = info.found
        ? { "text/plain": info.text, "text/markdown": info.markdown }
        : { "text/plain": `No documentation found for \`${target}\`.` };
      this.reply(channel, "execute_reply", {
        status: "ok",
        execution_count: count,
        payload: [{ source: "page", data, start: 0 }],
        user_expressions: {},
      }, parent);
      if (storeHistory) this.options.history.add(count, code);
      return;
    }

    host.beginCell(parent, Boolean(content.allow_stdin), sequence);
    // An interrupt that came while the cell waited in the queue stops it before it runs.
    const outcome: ExecuteOutcome = host.currentSignal.aborted ? { status: "error", ...interruptionError() } : await this.run(code, `In[${count}]`, sequence);
    let resultText: string | null = null;
    let reply: Record<string, unknown>;
    let failure: KernelError | null = outcome.status === "error" ? outcome : null;
    if (outcome.status === "ok" && outcome.hasValue && !silent) {
      try {
        const data = encodeBundle(await toBundle(outcome.value));
        resultText = typeof data["text/plain"] === "string" ? data["text/plain"] : plainText(outcome.value);
        wire.send("iopub", "execute_result", { execution_count: count, data, metadata: {} }, parent);
      } catch (err) {
        failure = { ename: "DisplayError", evalue: `Showing the result failed: ${(err as Error).message}`, traceback: [String((err as Error).stack ?? err)] };
      }
    }
    if (failure) {
      wire.send("iopub", "error", { ename: failure.ename, evalue: failure.evalue, traceback: failure.traceback }, parent);
      reply = { status: "error", execution_count: count, ename: failure.ename, evalue: failure.evalue, traceback: failure.traceback };
    } else {
      reply = {
        status: "ok",
        execution_count: count,
        payload: [],
        user_expressions: await this.userExpressions(content.user_expressions),
      };
    }
    if (storeHistory) this.options.history.add(count, code, resultText);
    // Like ipykernel's stop_on_error: execute requests that had reached the
    // kernel before this error are answered "aborted" without running. Fixed
    // before the reply goes out, so nothing sent after the reply is caught.
    if (failure && stopOnError && !silent) this.abortThrough = this.options.shared.requestsReceived;
    this.reply(channel, "execute_reply", reply, parent, { status: reply.status });
  }

  /** Runs a cell, keeping the shared execution state the wire thread reads. */
  private async run(code: string, label: string, request: number): Promise<ExecuteOutcome> {
    const { shared } = this.options;
    const engine = this.engine;
    // Start the cell from a fresh macrotask. If a loop in the cell has to be
    // terminated (an interrupt it never checks), V8 drops every microtask
    // queued behind it; here that can only be the cell's own.
    await new Promise<void>((resolve) => setImmediate(resolve));
    shared.markInterruptsSeen();
    shared.cellStartHeapBytes = heapBeforeCell();
    shared.state = ExecState.RunningSync;
    this.runningLabel = label;
    const cell = beginCell(label);
    let outcome: ExecuteOutcome;
    try {
      const { done } = engine.execute(code, label);
      shared.state = ExecState.RunningAsync;
      outcome = await done;
    } catch (err) {
      outcome = { status: "error", ename: "InternalError", evalue: String((err as Error).message ?? err), traceback: [String((err as Error).stack ?? err)] };
    } finally {
      shared.state = ExecState.Idle;
      shared.markInterruptsSeen();
      cell.end();
      this.runningLabel = undefined;
    }
    const heapUsed = shared.memoryStoppedAt(request);
    if (heapUsed !== undefined) {
      cancelTimersOf(label);
      return { status: "error", ...memoryError(heapUsed, getHeapStatistics().heap_size_limit, engine.variables) };
    }
    // An interrupt ends the cell with an error whatever it was doing: stopped
    // by a signal, by terminating a loop, or by library code that stopped
    // politely at a checkpoint and returned (so queued cells are aborted, as
    // in IPython).
    if (this.options.host.currentSignal.aborted && !(outcome.status === "error" && outcome.ename === "TSError")) {
      return { status: "error", ...interruption(outcome) };
    }
    return outcome;
  }

  private async userExpressions(expressions: unknown): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    if (!expressions || typeof expressions !== "object") return out;
    for (const [name, expression] of Object.entries(expressions as Record<string, unknown>)) {
      const outcome = await this.run(String(expression), `user_expressions[${name}]`, this.options.shared.handling);
      if (outcome.status === "ok") {
        out[name] = { status: "ok", data: outcome.hasValue ? encodeBundle(await toBundle(outcome.value)) : { "text/plain": "undefined" }, metadata: {} };
      } else {
        out[name] = { status: "error", ename: outcome.ename, evalue: outcome.evalue, traceback: outcome.traceback };
      }
    }
    return out;
  }

  private async shutdown(): Promise<void> {
    try {
      this.engineInstance?.close();
      await this.options.wire.close();
    } finally {
      exitKernel(0);
    }
  }
}

/** The interruption error, keeping what library code said when it stopped (e.g. where training's state is kept). */
function interruption(outcome: ExecuteOutcome): KernelError {
  const base = interruptionError();
  if (outcome.status !== "error" || outcome.ename !== "Interrupted") return base;
  if (!outcome.evalue || outcome.evalue === INTERRUPTED_BY_USER || outcome.evalue === base.evalue) return base;
  return { ename: base.ename, evalue: `${base.evalue} ${outcome.evalue}`, traceback: [...base.traceback, outcome.evalue] };
}
