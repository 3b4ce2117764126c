/**
 * The kernel's side of the display protocol: what `display`, `clearOutput`,
 * `input` and the interrupt signal do inside a notebook.
 */
import { HOST, MimeBundle, NotebookHost, DisplayOptions } from "../../lib/display/protocol";
import type { SharedState } from "../wire/shared-state";
import type { ParentRef } from "../wire/thread-messages";
import type { WireClient } from "../wire/wire-client";
import { CommManager } from "./comms";

/** The message of the signal's abort reason (library code may throw it). */
export const INTERRUPTED_BY_USER = "Interrupted by the user.";

export class KernelNotebookHost implements NotebookHost {
  /** The request whose cell is running (or ran last): outputs are attributed to it. */
  parent: ParentRef | null = null;
  allowStdin = false;
  readonly comms: CommManager;
  private controller = new AbortController();
  /** The execute request whose cell runs (its sequence number); interrupts aimed at it abort the signal. */
  private request = 0;
  private pendingInput: ((value: string) => void) | null = null;

  constructor(private readonly wire: WireClient, private readonly shared: SharedState) {
    this.comms = new CommManager((msgType, content) => this.wire.send("iopub", msgType, content, this.parent));
  }

  install(): void {
    (globalThis as Record<symbol, unknown>)[HOST] = this;
  }

  beginCell(parent: ParentRef, allowStdin: boolean, request: number): void {
    this.parent = parent;
    this.allowStdin = allowStdin;
    this.controller = new AbortController();
    this.request = request;
  }

  /**
   * Read from shared memory, so even a loop that never yields to the event
   * loop sees the interrupt at its next check.
   */
  get signal(): AbortSignal {
    this.shared.notePolled(this.request);
    return this.currentSignal;
  }

  /** The running cell's signal, for the kernel's own checks (which do not make the cell one that polls). */
  get currentSignal(): AbortSignal {
    if (!this.controller.signal.aborted && this.shared.isInterrupted(this.request)) {
      this.abort();
    }
    return this.controller.signal;
  }

  abort(): void {
    if (!this.controller.signal.aborted) {
      const reason = new Error(INTERRUPTED_BY_USER);
      reason.name = "Interrupted";
      this.controller.abort(reason);
    }
  }

  /** nbconvert and nbclient execute with allow_stdin false; a person at a notebook has it true. */
  get headless(): boolean {
    if (process.env.CONVLAB_HEADLESS) return process.env.CONVLAB_HEADLESS !== "0";
    return !this.allowStdin;
  }

  display(bundle: MimeBundle, options: DisplayOptions = {}): void {
    const content: Record<string, unknown> = {
      data: encodeBundle(bundle),
      metadata: options.metadata ?? {},
      transient: options.displayId ? { display_id: options.displayId } : {},
    };
    if (options.update && !options.displayId) throw new Error("Updating a display needs its displayId.");
    this.wire.send("iopub", options.update ? "update_display_data" : "display_data", content, this.parent);
  }

  clearOutput(wait = false): void {
    this.wire.send("iopub", "clear_output", { wait }, this.parent);
  }

  input(prompt: string, options: { password?: boolean } = {}): Promise<string> {
    if (!this.allowStdin) {
      return Promise.reject(new Error("This front end does not accept input (allow_stdin is false), e.g. nbconvert. Give the value in code instead."));
    }
    if (this.pendingInput) return Promise.reject(new Error("Already waiting for input."));
    return new Promise((resolve) => {
      this.pendingInput = resolve;
      this.wire.send("stdin", "input_request", { prompt, password: Boolean(options.password) }, this.parent);
    });
  }

  /** An input_reply from the front end. */
  receiveInput(value: string): void {
    const resolve = this.pendingInput;
    this.pendingInput = null;
    resolve?.(value);
  }
}

/** Bytes become base64 (Jupyter's form for binary MIME types); everything else goes as is. */
export function encodeBundle(bundle: MimeBundle): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const [mime, value] of Object.entries(bundle)) {
    data[mime] = value instanceof Uint8Array ? Buffer.from(value).toString("base64") : value;
  }
  return data;
}
