/**
 * The control block shared by ./parallel (main thread) and ./kernel-worker:
 * Int32 slots per worker, and the values of its STATE slot. Kept apart so
 * the worker loads nothing else.
 *
 * Work goes in rounds of chunks. Every thread takes the next chunk from a
 * shared counter (Atomics.add) until the round's chunks are gone, so a
 * thread that wakes late or runs slow simply takes fewer.
 */
export const STATE = 0;
/** 1 once the worker has bound the kernels. */
export const READY = 1;
/** The round's first chunk (the shared counter's value at its start). */
export const FIRST_CHUNK = 2;
/**
 * How many chunks the round has, or UNKNOWN while the main thread is still
 * writing them; chunk c's calls start at slot OFFSETS[c] and end at OFFSETS[c + 1].
 */
export const CHUNKS = 3;
/** Chunks the worker has run (it adds to this; ./parallel reads it). */
export const CHUNKS_RUN = 4;
/**
 * How many of the round's chunks have their calls written. The main thread
 * wakes the workers first and writes the calls while they wake (a sleeping
 * thread takes longer to wake than the writing takes); a worker that has
 * taken a chunk not yet written waits for it.
 */
export const WRITTEN = 5;
/** CHUNKS before the round's size is known. */
export const UNKNOWN = -1;
/** Byte offset of a Float64 the worker adds its milliseconds running chunks to (slots 6-7; ./parallel's threadTimes reads it). */
export const BUSY_MS_BYTE = 24;
export const OFFSETS = 8;
/** Chunks in one round at most. */
export const MAX_CHUNKS = 4096;
/** Where the calls start: kernel index, argument count, arguments. */
export const FIRST_CALL = OFFSETS + MAX_CHUNKS + 1;
/** Int32 slots per worker: chunks beyond them go in further rounds. */
export const CONTROL_SLOTS = 1 << 16;
/** Bytes for a failed job's error message. */
export const MESSAGE_BYTES = 1024;

// STATE values.
export const IDLE = 0;
export const RUN = 1;
export const DONE = 2;
export const FAILED = 3;

/** A generated kernel as JavaScript sees it: i32 arguments, no result. */
export type KernelFunction = (...args: number[]) => void;

/** The most arguments a generated kernel takes (gemmPlanes'; a test checks every kernel against it). */
export const MAX_KERNEL_ARGS = 21;

/**
 * Calls `kernel` with the arguments at `args[at]` onwards. Always
 * MAX_KERNEL_ARGS of them: wasm ignores those beyond the kernel's own
 * count, and V8 makes a fixed-arity call far more cheaply than a spread
 * call (`kernel(...args)`), which a training step makes thousands of.
 */
export function invoke(kernel: KernelFunction, args: ArrayLike<unknown>, at: number): void {
  const a = args as ArrayLike<number>;
  kernel(
    a[at], a[at + 1], a[at + 2], a[at + 3], a[at + 4], a[at + 5], a[at + 6], a[at + 7], a[at + 8], a[at + 9], a[at + 10],
    a[at + 11], a[at + 12], a[at + 13], a[at + 14], a[at + 15], a[at + 16], a[at + 17], a[at + 18], a[at + 19], a[at + 20],
  );
}
