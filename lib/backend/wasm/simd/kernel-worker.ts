/**
 * A worker thread of ./parallel: binds convlab's generated kernels to the
 * wasm backend's shared memory, then runs the calls the main thread writes
 * into its control block, each time it is told to.
 */
import { workerData } from "node:worker_threads";
import { CALLS, DONE, FAILED, FIRST_CALL, READY, RUN, STATE } from "./job-protocol";

interface WorkerSetup {
  module: object;
  memory: object;
  control: SharedArrayBuffer;
  message: SharedArrayBuffer;
  names: string[];
}

// (Not named `module`: that would clash with CommonJS's own, and Node would then load this file as an ES module.)
const { module: compiled, memory, control, message, names } = workerData as WorkerSetup;
const api = (globalThis as unknown as { WebAssembly: { Instance: new (m: object, i: object) => { exports: Record<string, unknown> } } }).WebAssembly;
const instance = new api.Instance(compiled, { env: { memory } }).exports;
const kernels = names.map((name) => instance[name] as (...args: number[]) => void);
const slots = new Int32Array(control);
const text = new Uint8Array(message);

Atomics.store(slots, READY, 1);
for (;;) {
  for (let state = Atomics.load(slots, STATE); state !== RUN; state = Atomics.load(slots, STATE)) Atomics.wait(slots, STATE, state);
  try {
    let at = FIRST_CALL;
    const calls = slots[CALLS];
    const args: number[] = [];
    for (let c = 0; c < calls; c++) {
      const kernel = kernels[slots[at++]];
      args.length = slots[at++];
      for (let i = 0; i < args.length; i++) args[i] = slots[at++];
      kernel(...args);
    }
    Atomics.store(slots, STATE, DONE);
  } catch (error) {
    const bytes = new TextEncoder().encode(error instanceof Error ? error.message : String(error));
    text.fill(0);
    text.set(bytes.subarray(0, text.length - 1));
    Atomics.store(slots, STATE, FAILED);
  }
  Atomics.notify(slots, STATE);
}
