/**
 * Showing things in the notebook: `display`, updatable displays,
 * `clearOutput`, `input` and the interrupt signal.
 *
 * Inside the convlab kernel these go to Jupyter through the installed
 * NotebookHost. Anywhere else (a script, a test) `display` prints the
 * text/plain form and the interrupt signal never fires.
 */
import { randomUUID } from "node:crypto";
import { DisplayOptions, MimeBundle, notebookHost, toBundle } from "./protocol";

export { DISPLAY, HOST, isDisplayable, toBundle, plainText } from "./protocol";
export type { Displayable, MimeBundle, NotebookHost, DisplayOptions, Comm, CommHost } from "./protocol";

/** A shown output that can be replaced in place. */
export class DisplayHandle {
  constructor(readonly id: string) {}

  /** Replaces what this handle shows with `value`. */
  async update(value: unknown, options: Omit<DisplayOptions, "displayId" | "update"> = {}): Promise<void> {
    const bundle = await toBundle(value);
    showBundle(bundle, { ...options, displayId: this.id, update: true });
  }

  /** Replaces what this handle shows with an already built bundle (no await needed). */
  updateBundle(bundle: MimeBundle, options: Omit<DisplayOptions, "displayId" | "update"> = {}): void {
    showBundle(bundle, { ...options, displayId: this.id, update: true });
  }
}

/**
 * Shows `value` below the cell. Values with `[Symbol.for("Jupyter.display")]()`
 * render richly; everything else as text. Returns a handle to update it later.
 */
export async function display(value: unknown, options: DisplayOptions = {}): Promise<DisplayHandle> {
  const bundle = await toBundle(value);
  return displayBundle(bundle, options);
}

/** Shows a ready MIME bundle; synchronous, for hot loops. */
export function displayBundle(bundle: MimeBundle, options: DisplayOptions = {}): DisplayHandle {
  const id = options.displayId ?? randomUUID();
  showBundle(bundle, { ...options, displayId: id });
  return new DisplayHandle(id);
}

function showBundle(bundle: MimeBundle, options: DisplayOptions): void {
  const host = notebookHost();
  if (host) {
    host.display(bundle, options);
  } else {
    const text = bundle["text/plain"];
    process.stdout.write((typeof text === "string" ? text : JSON.stringify(text)) + "\n");
  }
}

/** Clears the cell's output now, or (wait = true) just before the next output arrives. */
export function clearOutput(wait = false): void {
  notebookHost()?.clearOutput(wait);
}

const neverAborted = new AbortController().signal;

/** An AbortSignal that fires when the learner interrupts the running cell. */
export function interruptSignal(): AbortSignal {
  return notebookHost()?.signal ?? neverAborted;
}

/** True when a notebook front end (the convlab kernel) is showing the outputs: live displays default to on. */
export function inNotebook(): boolean {
  return notebookHost() !== undefined;
}

/** True once the learner has pressed interrupt during the running cell. */
export function wasInterrupted(): boolean {
  return interruptSignal().aborted;
}

/** True when nobody watches the notebook live (nbconvert, CI). */
export function isHeadless(): boolean {
  return notebookHost()?.headless ?? true;
}

/** Asks the learner for a line of text. Outside a notebook it reads stdin. */
export async function input(prompt = "", options: { password?: boolean } = {}): Promise<string> {
  const host = notebookHost();
  if (host) return host.input(prompt, options);
  const readline = await import("node:readline/promises");
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
  try {
    return await rl.question(prompt);
  } finally {
    rl.close();
  }
}
