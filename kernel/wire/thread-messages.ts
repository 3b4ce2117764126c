/** What the wire thread and the main thread say to each other. */
import type { ConnectionInfo } from "./connection";
import type { JupyterMessage, MessageHeader } from "./message";

export type Channel = "shell" | "control" | "stdin" | "iopub";

export interface WireThreadOptions {
  connection: ConnectionInfo;
  /** The SharedArrayBuffer behind SharedState. */
  shared: SharedArrayBuffer;
  /** The static kernel_info_reply content, so the wire thread can answer it alone. */
  kernelInfo: Record<string, unknown>;
  /** Milliseconds the main thread gets to stop a cell on its own before it is forced. */
  interruptGraceMs: number;
  /** Milliseconds a cell that reads the interrupt signal gets to stop by itself (a second interrupt does not wait). */
  politeInterruptMs: number;
  debug: boolean;
  /** The main thread's heap limit (V8's heap_size_limit), for the memory watch; 0 turns it off. */
  heapLimitBytes?: number;
}

/** Identifies the request an outgoing message answers. */
export interface ParentRef {
  header: MessageHeader | Record<string, never>;
  identities: Uint8Array[];
}

/** Wire thread → main thread. */
export type WireEvent =
  | { kind: "ready" }
  | { kind: "request"; channel: "shell" | "control"; message: JupyterMessage; sequence: number }
  | { kind: "input_reply"; value: string }
  | { kind: "interrupt" }
  /** The running cell was stopped because the heap neared its limit. */
  | { kind: "memory" }
  | { kind: "shutdown"; restart: boolean }
  | { kind: "flushed"; token: number };

/** Main thread → wire thread. */
export type WireCommand =
  | {
      kind: "send";
      channel: Channel;
      msgType: string;
      content: unknown;
      parent: ParentRef | null;
      metadata?: Record<string, unknown>;
      buffers?: Uint8Array[];
    }
  | { kind: "stream"; name: "stdout" | "stderr"; text: string; parent: ParentRef | null }
  | { kind: "flush"; token: number }
  | { kind: "close" };
