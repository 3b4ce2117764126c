/**
 * The main thread's side of the wire thread: starts it and offers typed
 * calls to send messages and receive requests.
 */
import { Worker } from "node:worker_threads";
import { writeSync } from "node:fs";
import { getHeapStatistics } from "node:v8";
import path from "node:path";
import { EventEmitter } from "node:events";
import type { Channel, ParentRef, WireCommand, WireEvent, WireThreadOptions } from "./thread-messages";

// Captured before the kernel guards process.exit against cells.
const exitProcess = process.exit.bind(process);

export interface WireEvents {
  event: [WireEvent];
}

export class WireClient extends EventEmitter<WireEvents> {
  private readonly worker: Worker;
  private flushes = new Map<number, () => void>();
  private nextFlush = 1;

  constructor(options: WireThreadOptions) {
    super();
    this.worker = new Worker(path.join(__dirname, "wire-thread.js"), {
      workerData: { heapLimitBytes: getHeapStatistics().heap_size_limit, ...options },
      // The wire thread's own stdout/stderr go to the kernel's log, never into a notebook.
      stdout: true,
      stderr: true,
    });
    const toLog = (chunk: Buffer) => writeSync(2, chunk);
    this.worker.stdout.on("data", toLog);
    this.worker.stderr.on("data", toLog);
    this.worker.on("message", (event: WireEvent) => {
      if (event.kind === "flushed") {
        this.flushes.get(event.token)?.();
        this.flushes.delete(event.token);
        return;
      }
      this.emit("event", event);
    });
    this.worker.on("error", (err) => {
      writeSync(2, `[convlab] the wire thread failed: ${err.stack ?? err}\n`);
      exitProcess(1);
    });
  }

  send(channel: Channel, msgType: string, content: unknown, parent: ParentRef | null, metadata?: Record<string, unknown>): void {
    this.command({ kind: "send", channel, msgType, content, parent, metadata });
  }

  stream(name: "stdout" | "stderr", text: string, parent: ParentRef | null): void {
    this.command({ kind: "stream", name, text, parent });
  }

  /** Resolves once everything sent so far has left the sockets. */
  flush(): Promise<void> {
    const token = this.nextFlush++;
    return new Promise((resolve) => {
      this.flushes.set(token, resolve);
      this.command({ kind: "flush", token });
    });
  }

  /** Sends what is queued, closes the sockets and waits for the wire thread to end. */
  async close(): Promise<void> {
    await this.flush();
    const ended = new Promise<void>((resolve) => this.worker.once("exit", () => resolve()));
    this.command({ kind: "close" });
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, 3000).unref());
    await Promise.race([ended, timeout]);
  }

  private command(command: WireCommand): void {
    this.worker.postMessage(command);
  }
}
