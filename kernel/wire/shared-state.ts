/**
 * State the wire thread and the main (execution) thread share through a
 * SharedArrayBuffer, so the wire thread can read it while the main thread is
 * stuck in a learner's loop.
 */
export const enum ExecState {
  Starting = 0,
  Idle = 1,
  /** Compiling or running the synchronous part of a cell (SIGINT breaks it). */
  RunningSync = 2,
  /** Awaiting inside a cell: the main event loop should be free. */
  RunningAsync = 3,
}

const STATE = 0;
const INTERRUPTS_REQUESTED = 1;
const INTERRUPTS_SEEN = 2;
const REQUESTS_RECEIVED = 3;

export class SharedState {
  readonly view: Int32Array;

  constructor(buffer: SharedArrayBuffer = new SharedArrayBuffer(4 * 4)) {
    this.view = new Int32Array(buffer);
  }

  get buffer(): SharedArrayBuffer {
    return this.view.buffer as SharedArrayBuffer;
  }

  get state(): ExecState {
    return Atomics.load(this.view, STATE);
  }

  set state(value: ExecState) {
    Atomics.store(this.view, STATE, value);
  }

  /** Called by the wire thread; returns this interrupt's number. */
  requestInterrupt(): number {
    return Atomics.add(this.view, INTERRUPTS_REQUESTED, 1) + 1;
  }

  get interruptsRequested(): number {
    return Atomics.load(this.view, INTERRUPTS_REQUESTED);
  }

  /** Called by the main thread once it has acted on every interrupt so far. */
  markInterruptsSeen(): void {
    Atomics.store(this.view, INTERRUPTS_SEEN, this.interruptsRequested);
  }

  get interruptsSeen(): number {
    return Atomics.load(this.view, INTERRUPTS_SEEN);
  }

  /** Called by the wire thread for each request it receives; returns its sequence number. */
  countRequest(): number {
    return Atomics.add(this.view, REQUESTS_RECEIVED, 1) + 1;
  }

  /** How many requests the wire thread has received so far, including any the main thread has not seen yet. */
  get requestsReceived(): number {
    return Atomics.load(this.view, REQUESTS_RECEIVED);
  }
}
