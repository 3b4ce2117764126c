/**
 * Running convlab's generated kernels on several threads.
 *
 * The threaded wasm build keeps tensors in a shared WebAssembly.Memory. Each
 * worker thread (./kernel-worker) binds the same compiled module to that
 * memory, so a kernel can cut its work into chunks (lists of calls on parts
 * of the data) for the threads to share: every thread, the main one
 * included, takes the next chunk not yet taken until none is left, and the
 * kernel returns when all are done. A worker that wakes late (a sleeping
 * thread takes a while to wake) or runs slow takes fewer. Workers sleep in
 * Atomics.wait between rounds (spinning instead bought nothing in a
 * side-by-side trial here) and never keep Node running.
 *
 * Chunks must not depend on each other's results: a worker that has not
 * started yet simply leaves its share to the main thread.
 *
 * Why kernels and not the batch: a trial here with a second copy of tfjs
 * and the model in a worker, each thread running a whole step on half the
 * batch and the gradients summed once a step, trained vgg32 1.3-1.6x as
 * fast as one thread, no better than these split kernels: two trainings
 * running at once here each ran 10-13% slower than one alone (medians of
 * six trials, as threads of one process or as two processes alike), so
 * splitting the batch starts from that loss too.
 *
 * A kernel waits for the workers' last chunks before it returns. Leaving
 * that wait to whatever next touches the memory bought under 1% in a trial
 * here: the next kernel starts about 0.06 ms later.
 */
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import type { WasmBackend } from "../kernel-calls";
import { BUSY_MS_BYTE, CHUNKS, CHUNKS_RUN, CONTROL_SLOTS, FAILED, FIRST_CALL, FIRST_CHUNK, IDLE, invoke, KernelFunction, MAX_CHUNKS, MESSAGE_BYTES, OFFSETS, READY, RUN, STATE, UNKNOWN, WRITTEN } from "./job-protocol";
import { boundModule, simdKernels, SimdKernels } from "./runtime";

/** A generated kernel's name and its arguments. */
export type KernelCall = [kernel: keyof SimdKernels, ...args: number[]];
/** Calls one thread makes in order: a chunk of work. */
export type Job = KernelCall[];

interface Pool {
  module: object;
  workers: Worker[];
  controls: Int32Array[];
  messages: Uint8Array[];
  names: string[];
  indexOf: Map<string, number>;
  /** The next chunk to take, shared by all threads. */
  next: Int32Array;
}

let pool: Pool | undefined;

/** Rounds in which worker threads, and the main thread, ran chunks (tests and benchmarks read these). */
export const jobCounts = { workers: 0, main: 0 };
/**
 * Where the main thread's time in runChunks went, in milliseconds since
 * the process started (benchmarks take differences over a few steps):
 * writing rounds' calls for the workers (while they wake), running chunks itself, waiting for
 * the workers' last chunks, and running chunks with no worker to share them.
 */
export const threadTimes = { rounds: 0, writeMs: 0, mainChunksMs: 0, waitMs: 0, aloneMs: 0 };

/** Each worker's milliseconds running chunks since it started (empty without a pool). */
export function workerBusyMs(): number[] {
  return (pool?.controls ?? []).map((control) => new Float64Array(control.buffer, BUSY_MS_BYTE, 1)[0]);
}

/** Threads the generated kernels may use (set when the wasm backend starts). */
let wanted = 1;

/** How many threads the generated kernels use from now on (1: the main thread only). */
export function setKernelThreads(threads: number): void {
  wanted = Math.max(1, Math.floor(threads));
  if (pool && pool.workers.length !== wanted - 1) stopPool();
}

/** Threads the generated kernels use on this backend: 1 unless its memory is shared (the threaded build). */
export function kernelThreads(backend: WasmBackend): number {
  if (wanted <= 1) return 1;
  const bound = simdKernels(backend) ? boundModule() : undefined;
  const shared = typeof SharedArrayBuffer !== "undefined" && bound?.memory.buffer instanceof SharedArrayBuffer;
  return shared ? wanted : 1;
}

function stopPool(): void {
  for (const w of pool?.workers ?? []) void w.terminate();
  pool = undefined;
}

function startPool(backend: WasmBackend): Pool | undefined {
  const kernels = simdKernels(backend);
  const bound = kernels ? boundModule() : undefined;
  if (!kernels || !bound) return undefined;
  if (pool?.module === bound.module) return pool;
  stopPool();
  const names = Object.keys(kernels);
  const controls: Int32Array[] = [];
  const messages: Uint8Array[] = [];
  const workers: Worker[] = [];
  const next = new Int32Array(new SharedArrayBuffer(4));
  for (let i = 1; i < wanted; i++) {
    const control = new Int32Array(new SharedArrayBuffer(4 * CONTROL_SLOTS));
    const message = new Uint8Array(new SharedArrayBuffer(MESSAGE_BYTES));
    const worker = new Worker(join(__dirname, "kernel-worker.js"), {
      workerData: { module: bound.module, memory: bound.memory, control: control.buffer, message: message.buffer, names, chunkCounter: next.buffer },
    });
    // Idle workers wait in Atomics.wait; they must not keep Node running.
    worker.unref();
    // A worker that fails to start leaves READY at 0: the main thread runs its share.
    worker.on("error", (e) => { if (process.env.CONVLAB_DEBUG_WORKERS) console.error("kernel worker", e); });
    controls.push(control);
    messages.push(message);
    workers.push(worker);
  }
  pool = { module: bound.module, workers, controls, messages, names, indexOf: new Map(names.map((name, i) => [name, i])), next };
  return pool;
}

/**
 * Writes the workers' calls for chunks first.., as many as fit in a control
 * block before `end`, telling the workers after each chunk (WRITTEN);
 * returns the chunk after the last written. Every thread's calls take the
 * same slots (only scratch addresses differ), so one offset serves all.
 */
function write(p: Pool, helpers: number[], callsOf: ChunkCalls, first: number, end: number): number {
  let at = FIRST_CALL;
  let c = first;
  for (; c < end && c - first < MAX_CHUNKS; c++) {
    const calls = helpers.map((w) => callsOf(c, w + 1));
    const next = calls[0].reduce((slots, call) => slots + 1 + call.length, at);
    if (next > CONTROL_SLOTS) break;
    helpers.forEach((w, i) => {
      const control = p.controls[w];
      let slot = at;
      for (const call of calls[i]) {
        control[slot++] = p.indexOf.get(call[0])!;
        control[slot++] = call.length - 1;
        for (let a = 1; a < call.length; a++) control[slot++] = call[a] as number;
      }
      control[OFFSETS + c - first] = at;
      control[OFFSETS + c - first + 1] = next;
      Atomics.store(control, WRITTEN, c - first + 1);
    });
    at = next;
  }
  return c;
}

function runHere(kernels: SimdKernels, job: Job): void {
  for (const call of job) invoke(kernels[call[0]] as unknown as KernelFunction, call, 1);
}

/** Longest a round may take before the main thread gives up waiting for a worker. */
const JOB_TIMEOUT_MS = 300_000;

/** A chunk's calls as `thread` runs them (0: the main thread), so that each thread can have scratch memory of its own. */
export type ChunkCalls = (chunk: number, thread: number) => Job;

/**
 * Runs chunks 0..count-1 on the kernel threads, each thread taking the next
 * chunk not yet taken, and returns when all are done. Chunks go to the
 * workers in rounds of as many as their control blocks hold. `work` (see
 * parallelWork) below parallelWork.min keeps them all on this thread, for
 * kernels that cut their work into chunks for the cache's sake as well.
 */
export function runChunks(backend: WasmBackend, count: number, callsOf: ChunkCalls, work = Infinity): void {
  const kernels = simdKernels(backend);
  if (!kernels) throw new Error("convlab's generated kernels are not available on this wasm backend.");
  const p = count > 1 && work >= parallelWork.min && kernelThreads(backend) > 1 ? startPool(backend) : undefined;
  if (p) settle(p);
  const helpers = p ? p.controls.flatMap((control, w) => (Atomics.load(control, READY) === 1 ? [w] : [])).slice(0, count - 1) : [];
  for (let first = 0; first < count; ) {
    const end = helpers.length > 0 ? runRound(p!, kernels, helpers, callsOf, first, count) : first;
    if (end > first) {
      first = end;
      continue;
    }
    // No worker, or a chunk too large for a control block: this thread runs it alone.
    const alone = performance.now();
    for (const last = helpers.length === 0 ? count : first + 1; first < last; first++) runHere(kernels, callsOf(first, 0));
    threadTimes.aloneMs += performance.now() - alone;
    jobCounts.main++;
  }
}

/**
 * One round from chunk `first` on: the workers told to start, their calls
 * written while they wake, this thread taking chunks too, then waiting for
 * them. Returns the chunk after the round's last (`first` if none fitted).
 */
function runRound(p: Pool, kernels: SimdKernels, helpers: number[], callsOf: ChunkCalls, first: number, count: number): number {
  Atomics.store(p.next, 0, first);
  const ranBefore = helpers.map((w) => Atomics.load(p.controls[w], CHUNKS_RUN));
  for (const w of helpers) {
    const control = p.controls[w];
    control[FIRST_CHUNK] = first;
    Atomics.store(control, WRITTEN, 0);
    Atomics.store(control, CHUNKS, UNKNOWN);
    Atomics.store(control, STATE, RUN);
    Atomics.notify(control, STATE);
  }
  const writing = performance.now();
  let end: number;
  try {
    end = write(p, helpers, callsOf, first, count);
  } finally {
    helpers.forEach((w) => endWriting(p.controls[w]));
  }
  let here = 0;
  const start = performance.now();
  threadTimes.writeMs += start - writing;
  for (let c = Atomics.add(p.next, 0, 1); c < end; c = Atomics.add(p.next, 0, 1), here++) runHere(kernels, callsOf(c, 0));
  const done = performance.now();
  helpers.forEach((w) => waitFor(p, w));
  threadTimes.rounds++;
  threadTimes.mainChunksMs += done - start;
  threadTimes.waitMs += performance.now() - done;
  if (here > 0) jobCounts.main++;
  helpers.forEach((w, i) => { if (Atomics.load(p.controls[w], CHUNKS_RUN) > ranBefore[i]) jobCounts.workers++; });
  return end;
}

/** runChunks for chunks that any thread runs the same way (no scratch of their own). */
export function runJobs(backend: WasmBackend, jobs: Job[]): void {
  runChunks(backend, jobs.length, (chunk) => jobs[chunk]);
}

/**
 * Waits for workers still running a job whose kernel call was cut short
 * (an interrupted cell stops the main thread while it waits): their writes
 * must end before anything reuses that memory, and their control blocks
 * before they are written again. Such a job's failure no longer matters.
 */
function settle(p: Pool): void {
  p.controls.forEach((control, worker) => {
    if (Atomics.load(control, STATE) === IDLE) return;
    endWriting(control);
    try {
      waitFor(p, worker);
    } catch {
      // the stale job's error: its kernel call is gone
    }
  });
}

/** Tells a worker that the round's chunks are those written so far (a worker waiting for a chunk not written then stops). */
function endWriting(control: Int32Array): void {
  Atomics.store(control, CHUNKS, Atomics.load(control, WRITTEN));
}

function waitFor(p: Pool, worker: number): void {
  const control = p.controls[worker];
  const deadline = Date.now() + JOB_TIMEOUT_MS;
  for (let state = Atomics.load(control, STATE); state === RUN; state = Atomics.load(control, STATE)) {
    if (Date.now() > deadline) throw new Error(`convlab's kernel thread ${worker + 1} did not finish its work within ${JOB_TIMEOUT_MS / 1000} s.`);
    Atomics.wait(control, STATE, RUN, 1000);
  }
  const state = Atomics.load(control, STATE);
  Atomics.store(control, STATE, IDLE);
  if (state === FAILED) {
    const bytes = p.messages[worker];
    const text = new TextDecoder().decode(bytes.slice(0, bytes.indexOf(0) >= 0 ? bytes.indexOf(0) : bytes.length));
    throw new Error(`convlab's kernel thread ${worker + 1} failed: ${text}`);
  }
}

/**
 * Splits [0, total) into at most `parts` ranges of whole multiples of
 * `unit` (the last may be shorter), as even as possible.
 */
export function splitRange(total: number, parts: number, unit = 1): [first: number, count: number][] {
  const units = Math.ceil(total / unit);
  const n = Math.max(1, Math.min(parts, units));
  const ranges: [number, number][] = [];
  for (let i = 0; i < n; i++) {
    const first = Math.floor((units * i) / n) * unit;
    const end = Math.min(total, Math.floor((units * (i + 1)) / n) * unit);
    if (end > first) ranges.push([first, end - first]);
  }
  return ranges;
}

/**
 * Work (multiply-adds, or 4 per float an elementwise kernel passes over)
 * below which a kernel stays on one thread. A round costs the waking of a
 * worker (tens to hundreds of microseconds on a virtual machine) and the
 * wait for its last chunk, so a kernel shorter than about 0.3 ms gains
 * nothing from a second thread. 2^22 rather than 2^18: LeNet's 2-thread
 * training step 23.3 -> 21.1 ms, vgg64's 452 -> 425 ms, vgg32's unchanged
 * (91.4 / 92.9 ms): medians of turns of steps with each threshold,
 * alternating in one process.
 * Tests lower it so that their small shapes split.
 */
export const parallelWork: { min: number } = { min: 1 << 22 };

/**
 * Splits [0, total) across the kernel threads in multiples of `unit` (one
 * part when `work` is below parallelWork.min) and runs, at once, the job
 * `part` makes for each range (`partsPerThread` ranges per thread, which
 * the threads share out as they come free). The jobs must write disjoint
 * memory.
 */
export function splitOnThreads(backend: WasmBackend, total: number, unit: number, work: number, part: (first: number, count: number) => Job, partsPerThread = 1): void {
  const parts = work >= parallelWork.min ? splitRange(total, partsPerThread * kernelThreads(backend), unit) : [[0, total] as [number, number]];
  runJobs(backend, parts.map(([first, count]) => part(first, count)));
}

/**
 * Runs gemm calls that share their m rows and row tables (see
 * SimdKernels.gemm: m, n, rowsA, a, rowsC, c, ...), in order, with the rows
 * split across the kernel threads in groups of four (the product's register
 * tiles). Each thread writes its own rows of C, so the split is safe
 * whenever different rows of C do not overlap. `work`: the calls'
 * multiply-adds. `rowsPerPart` caps a part's rows (parts beyond one per
 * thread are shared out as threads come free): the kernel walks all of a
 * part's rows for each strip of columns, so a part's rows of A should stay
 * in cache.
 */
export function gemmOnThreads(backend: WasmBackend, calls: KernelCall[], work: number, rowsPerPart = Infinity): void {
  const rows = calls[0]?.[1] ?? 0;
  const threads = kernelThreads(backend);
  const partsPerThread = Math.max(1, Math.ceil(Math.ceil(rows / rowsPerPart) / threads));
  splitOnThreads(
    backend,
    rows,
    4,
    work,
    (first, count) => calls.map(([kernel, , n, rowsA, a, rowsC, c, ...rest]) => [kernel, count, n, rowsA + 4 * first, a, rowsC + 4 * first, c, ...rest]),
    partsPerThread,
  );
}

/**
 * Whether streaming passes (a few operations per float they read: bias add,
 * ReLU and its gradient, column sums) are split across the kernel threads.
 * On: with the chunks shared out as threads come free, splitting them took
 * vgg32's 2-thread training from 717 to 754 img/s on the project's 2-core
 * machine (`npm run bench -- cnn --models vgg32 --no-peer`, one run each);
 * with one fixed half per thread, the worker's wake-up and the wait for the
 * slower half had eaten the gain. Tests turn it off to check one thread.
 */
export const streamingPasses: { split: boolean } = { split: true };

/** Parts per thread of a split streaming pass. */
const STREAM_PARTS_PER_THREAD = 4;

/** splitOnThreads for a streaming pass over `floats` floats: one part unless streamingPasses.split. */
export function streamOnThreads(backend: WasmBackend, total: number, unit: number, floats: number, part: (first: number, count: number) => Job): void {
  splitOnThreads(backend, total, unit, streamingPasses.split ? 4 * floats : 0, part, STREAM_PARTS_PER_THREAD);
}

/** simd.addRow (see ./rows), a streaming pass: its rows split across the kernel threads when streamingPasses.split. */
export function addRowOnThreads(backend: WasmBackend, x: number, rows: number, columns: number, b: number, out: number, relu: 0 | 1): void {
  const rowBytes = 4 * columns;
  streamOnThreads(backend, rows, 1, rows * columns, (first, count) => [["addRow", x + first * rowBytes, count, columns, b, out + first * rowBytes, relu]]);
}
