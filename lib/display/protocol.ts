/**
 * The display protocol: the only thing the library and the kernel share.
 *
 * - A value shows itself richly by implementing `[DISPLAY]()`, returning a
 *   MIME bundle (as in Deno's Jupyter kernel). Charts, tables and reports in
 *   the library do this; they never talk to Jupyter directly.
 * - A notebook front end (the convlab kernel) installs a `NotebookHost` on
 *   `globalThis[HOST]`. The library finds it there to show, update and clear
 *   outputs and to learn whether the learner pressed "interrupt".
 *
 * Keep this file free of project and third-party imports: the kernel loads it
 * at start-up and must not pull in the library.
 */
import { inspect } from "node:util";

/** `[DISPLAY]()` returns the MIME bundle that shows a value. */
export const DISPLAY: unique symbol = Symbol.for("Jupyter.display") as never;

/** Where a kernel installs its `NotebookHost`. */
export const HOST: unique symbol = Symbol.for("convlab.notebookHost") as never;

/**
 * MIME type → data. Text types are strings; `*json` types are JSON values
 * (objects, never strings); binary types (image/png, ...) are base64 strings
 * or bytes, which the host encodes.
 */
export type MimeBundle = Record<string, unknown>;

export interface Displayable {
  [DISPLAY](): MimeBundle | Promise<MimeBundle>;
}

export interface DisplayOptions {
  /** Lets a later `update` replace this output in place. */
  displayId?: string;
  /** Replace the output shown earlier under `displayId` instead of adding one. */
  update?: boolean;
  /** Per-MIME metadata, e.g. `{ "image/png": { width: 300 } }`. */
  metadata?: Record<string, unknown>;
}

/** What a notebook front end offers to the library. */
export interface NotebookHost {
  /** Shows (or, with `update`, replaces) an output of the running cell. */
  display(bundle: MimeBundle, options?: DisplayOptions): void;
  /** Clears the cell's output, at once or (wait) when the next output arrives. */
  clearOutput(wait?: boolean): void;
  /** Aborted when the learner interrupts the running cell; fresh for every cell. */
  readonly signal: AbortSignal;
  /** Asks the learner for a line of text (Jupyter's input_request). */
  input(prompt: string, options?: { password?: boolean }): Promise<string>;
  /** True when no person is watching (nbconvert, nbclient, CI). */
  readonly headless: boolean;
  /** Comms: messages to and from front-end widgets. */
  comms?: CommHost;
}

export interface Comm {
  readonly id: string;
  readonly target: string;
  send(data: unknown): void;
  close(data?: unknown): void;
  onMessage(handler: (data: unknown) => void): void;
  onClose(handler: (data: unknown) => void): void;
}

export interface CommHost {
  /** Called when the front end opens a comm with this target name. */
  registerTarget(target: string, onOpen: (comm: Comm, data: unknown) => void): void;
  /** Opens a comm from the kernel side. */
  open(target: string, data?: unknown): Comm;
}

export function isDisplayable(value: unknown): value is Displayable {
  return (
    value !== null &&
    (typeof value === "object" || typeof value === "function") &&
    typeof (value as Partial<Displayable>)[DISPLAY] === "function"
  );
}

/** How any value becomes a bundle: its own `[DISPLAY]()`, else util.inspect. */
export async function toBundle(value: unknown): Promise<MimeBundle> {
  if (isDisplayable(value)) {
    const bundle = await value[DISPLAY]();
    if (bundle && typeof bundle === "object") {
      if (!("text/plain" in bundle)) return { ...bundle, "text/plain": plainText(value) };
      return bundle;
    }
  }
  return { "text/plain": plainText(value) };
}

export function plainText(value: unknown): string {
  if (typeof value === "string") return inspect(value);
  return inspect(value, { depth: 4, colors: false, maxArrayLength: 100, breakLength: 100 });
}

export function notebookHost(): NotebookHost | undefined {
  return (globalThis as Record<symbol, NotebookHost | undefined>)[HOST];
}
