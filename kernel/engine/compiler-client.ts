/**
 * The main thread's handle on the compiler thread. tslab's executor calls
 * its converter synchronously, so requests are synchronous too: post the
 * request, then sleep on a shared flag until the reply is there.
 */
import path from "node:path";
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from "node:worker_threads";
import type { CodeMetadata } from "tslab/dist/metadata";
import type { Diagnostic } from "tslab/dist/converter";
import {
  REPLY_READY,
  SIGNAL_SLOTS,
  STOPPED,
  WARM,
  type CompilerConfig,
  type CompilerReply,
  type CompilerRequest,
  type CompletionReply,
  type ConvertReply,
  type InspectReply,
} from "./compiler";

export class CompilerClient {
  private constructor(
    private readonly worker: Worker,
    private readonly port: MessagePort,
    private readonly signal: Int32Array,
  ) {}

  /** Starts the compiler thread; it warms up at once. */
  static start(config: CompilerConfig): CompilerClient {
    const signal = new Int32Array(new SharedArrayBuffer(SIGNAL_SLOTS * Int32Array.BYTES_PER_ELEMENT));
    const { port1, port2 } = new MessageChannel();
    const worker = new Worker(path.join(__dirname, "compiler-worker.js"), {
      workerData: { port: port2, signal, config },
      transferList: [port2],
    });
    // The kernel exits by itself (process.exit); this thread never keeps it alive.
    worker.unref();
    worker.on("error", (error) => process.stderr.write(`[convlab kernel] the compiler thread failed: ${error.stack ?? error}\n`));
    return new CompilerClient(worker, port1, signal);
  }

  /** True once the warm-up is over: from then on a request waits for nothing but itself. */
  get warm(): boolean {
    return Atomics.load(this.signal, WARM) === 1;
  }

  convert(prevDecl: string, src: string): ConvertReply {
    return this.call({ op: "convert", prevDecl, src });
  }

  complete(prevDecl: string, src: string, position: number): CompletionReply {
    return this.call({ op: "complete", prevDecl, src, position });
  }

  inspect(prevDecl: string, src: string, position: number): InspectReply | null {
    return this.call({ op: "inspect", prevDecl, src, position });
  }

  addModule(name: string, content: string, meta?: CodeMetadata): Diagnostic[] {
    return this.call({ op: "addModule", name, content, meta });
  }

  close(): void {
    void this.worker.terminate();
  }

  private call<T>(request: CompilerRequest): T {
    Atomics.store(this.signal, REPLY_READY, 0);
    this.port.postMessage(request);
    for (;;) {
      const received = receiveMessageOnPort(this.port);
      if (received) {
        const reply = received.message as CompilerReply;
        if (reply.ok) return reply.value as T;
        const error = new Error(`The TypeScript compiler failed: ${reply.message}`);
        error.stack = reply.stack ?? error.stack;
        throw error;
      }
      if (Atomics.load(this.signal, STOPPED)) throw new Error("The TypeScript compiler thread has stopped; restart the kernel.");
      Atomics.wait(this.signal, REPLY_READY, 0, 1000);
    }
  }
}
