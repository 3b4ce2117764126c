/**
 * The compiler thread: warms up (builds the program, loads the preloaded
 * typings), then answers the main thread's requests one at a time. A
 * request that arrives during the warm-up is answered after the current
 * step. Replies go back on the request port, and a shared flag wakes the
 * main thread, which waits for them synchronously (see compiler-client.ts).
 */
import { writeSync } from "node:fs";
import { workerData, type MessagePort } from "node:worker_threads";
import { format } from "node:util";
import { Compiler, REPLY_READY, STOPPED, WARM, type CompilerConfig, type CompilerReply, type CompilerRequest } from "./compiler";

interface Boot {
  port: MessagePort;
  signal: Int32Array;
  config: CompilerConfig;
}

const { port, signal, config } = workerData as Boot;

// The compiler's own messages belong in Jupyter's log, never in a cell's output.
for (const level of ["log", "info", "warn", "error", "debug"] as const) {
  console[level] = (...args: unknown[]) => writeSync(2, `[convlab compiler] ${format(...args)}\n`);
}

const compiler = new Compiler(config);
const steps = compiler.warmUpSteps();
const started = performance.now();

function warmUp(): void {
  const step = steps.shift();
  if (!step) {
    Atomics.store(signal, WARM, 1);
    if (config.debug) {
      const { user, system } = process.cpuUsage();
      console.info(`warm in ${Math.round(performance.now() - started)} ms (process CPU ${Math.round((user + system) / 1000)} ms)`);
    }
    return;
  }
  try {
    step();
  } catch (error) {
    console.warn("warm-up step failed:", error);
  }
  setImmediate(warmUp);
}

port.on("message", (request: CompilerRequest) => {
  let reply: CompilerReply;
  try {
    reply = { ok: true, value: compiler.handle(request) };
  } catch (error) {
    reply = { ok: false, message: (error as Error)?.message ?? String(error), stack: (error as Error)?.stack };
  }
  port.postMessage(reply);
  Atomics.store(signal, REPLY_READY, 1);
  Atomics.notify(signal, REPLY_READY);
});

process.on("exit", () => {
  Atomics.store(signal, STOPPED, 1);
  Atomics.notify(signal, REPLY_READY);
});

setImmediate(warmUp);
