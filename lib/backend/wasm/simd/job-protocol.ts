/**
 * The control block shared by ./parallel (main thread) and ./kernel-worker:
 * Int32 slots per worker, and the values of its STATE slot. Kept apart so
 * the worker loads nothing else.
 */
export const STATE = 0;
/** 1 once the worker has bound the kernels. */
export const READY = 1;
/** How many calls follow, from FIRST_CALL: kernel index, argument count, arguments. */
export const CALLS = 2;
export const FIRST_CALL = 4;
/** Int32 slots per worker: calls beyond this go in further rounds. */
export const CONTROL_SLOTS = 1 << 16;
/** Bytes for a failed job's error message. */
export const MESSAGE_BYTES = 1024;

// STATE values.
export const IDLE = 0;
export const RUN = 1;
export const DONE = 2;
export const FAILED = 3;
