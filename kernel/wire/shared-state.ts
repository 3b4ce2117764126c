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
/** The execute request the latest interrupt applies to (its sequence number). */
const INTERRUPT_TARGET = 4;
/** The request the main thread is handling now (0: none). */
const HANDLING = 5;
/** The last request the main thread has finished handling. */
const FINISHED_THROUGH = 6;
/** The execute request stopped because the heap neared its limit. */
const MEMORY_STOP = 7;
/** The heap in use (MB) when that cell was stopped. */
const MEMORY_USED_MB = 8;
/** The heap in use (MB) when the running cell began. */
const CELL_START_HEAP_MB = 9;
/** The execute request whose cell's code has read the interrupt signal (it stops by itself). */
const POLLED_BY = 10;
const SLOTS = 11;

export class SharedState {
  readonly view: Int32Array;

  constructor(buffer: SharedArrayBuffer = new SharedArrayBuffer(4 * SLOTS)) {
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

  /**
   * Aims an interrupt at the execute request with this sequence number, in
   * whatever phase it is (queued, type-checking, running). Returns the
   * interrupt's number.
   */
  interruptRequest(sequence: number): number {
    let current = Atomics.load(this.view, INTERRUPT_TARGET);
    while (current < sequence) {
      const seen = Atomics.compareExchange(this.view, INTERRUPT_TARGET, current, sequence);
      if (seen === current) break;
      current = seen;
    }
    return this.requestInterrupt();
  }

  /** True if an interrupt was aimed at this request. */
  isInterrupted(sequence: number): boolean {
    return sequence > 0 && Atomics.load(this.view, INTERRUPT_TARGET) >= sequence;
  }

  get interruptTarget(): number {
    return Atomics.load(this.view, INTERRUPT_TARGET);
  }

  /** Called by the main thread when it starts handling a request. */
  beginHandling(sequence: number): void {
    Atomics.store(this.view, HANDLING, sequence);
  }

  /** Called by the main thread when it has answered the request it was handling. */
  endHandling(): void {
    Atomics.store(this.view, FINISHED_THROUGH, Atomics.load(this.view, HANDLING));
    Atomics.store(this.view, HANDLING, 0);
  }

  get handling(): number {
    return Atomics.load(this.view, HANDLING);
  }

  get finishedThrough(): number {
    return Atomics.load(this.view, FINISHED_THROUGH);
  }

  /** Called by the wire thread when it stops a cell whose heap neared the limit. */
  stopForMemory(sequence: number, usedBytes: number): void {
    Atomics.store(this.view, MEMORY_USED_MB, Math.round(usedBytes / 2 ** 20));
    Atomics.store(this.view, MEMORY_STOP, sequence);
  }

  /** The heap in use (bytes) if this request was stopped for memory, else undefined. */
  memoryStoppedAt(sequence: number): number | undefined {
    if (sequence <= 0 || Atomics.load(this.view, MEMORY_STOP) !== sequence) return undefined;
    return Atomics.load(this.view, MEMORY_USED_MB) * 2 ** 20;
  }

  /** Called by the main thread before a cell runs: the heap it starts from. */
  set cellStartHeapBytes(bytes: number) {
    Atomics.store(this.view, CELL_START_HEAP_MB, Math.round(bytes / 2 ** 20));
  }

  get cellStartHeapBytes(): number {
    return Atomics.load(this.view, CELL_START_HEAP_MB) * 2 ** 20;
  }

  /** Called by the main thread when the running cell's code reads the interrupt signal. */
  notePolled(sequence: number): void {
    Atomics.store(this.view, POLLED_BY, sequence);
  }

  /**
   * True if request `sequence`'s cell reads the interrupt signal, as library
   * code that stops politely does (train() between batches): an interrupt
   * then gives it time to stop and keep its state before breaking it off.
   */
  polls(sequence: number): boolean {
    return sequence > 0 && Atomics.load(this.view, POLLED_BY) === sequence;
  }
}
