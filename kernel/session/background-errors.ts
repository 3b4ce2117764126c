/**
 * Errors thrown where no cell awaits them (a timer's callback, a promise
 * nobody caught) surface while some later cell runs, or none. Each says which
 * cell it comes from: timers, intervals and immediates set while a cell runs
 * remember that cell (and pass it on to the ones they set); a rejected
 * promise is traced to the cell in its error's stack.
 *
 * (Node's AsyncLocalStorage would carry the cell through promises too, but
 * with async hooks on, V8's terminateExecution, which breaks off a loop that
 * never yields, aborts the whole process.)
 */
import { promisify } from "node:util";
import type { KernelError } from "../engine/errors";

interface Origin {
  /** "In[3]" */
  cell: string;
  /** "a timer", "an interval", "setImmediate" */
  kind: string;
}

/** The cell whose code runs now: the running cell, or the one that set the callback running now. */
let current: string | undefined;
/** Cells whose timers are cancelled: stopped because they filled the heap. */
const cancelled = new Set<string>();
/** The origin of the last error a wrapped callback threw, read by the uncaughtException handler. */
let lastThrown: { error: unknown; origin: Origin } | undefined;

/** Marks `label` as the running cell until `end()` (sync part and awaits alike). */
export function beginCell(label: string): { end(): void } {
  current = label;
  cancelled.delete(label);
  return {
    end() {
      if (current === label) current = undefined;
    },
  };
}

/**
 * Cancels every timer `label` set, now and later: a cell stopped for filling
 * the heap must not go on filling it from a loop of timer-driven awaits.
 */
export function cancelTimersOf(label: string): void {
  cancelled.add(label);
}

function wrapCallback(callback: unknown, origin: Origin): unknown {
  if (typeof callback !== "function") return callback;
  return function (this: unknown, ...args: unknown[]) {
    if (cancelled.has(origin.cell)) return undefined;
    const outer = current;
    current = origin.cell;
    try {
      return (callback as (...a: unknown[]) => unknown).apply(this, args);
    } catch (error) {
      lastThrown = { error, origin };
      throw error;
    } finally {
      current = outer;
    }
  };
}

type Scheduler = (callback: unknown, ...rest: unknown[]) => unknown;

function remembering(original: Scheduler, kind: string): Scheduler {
  const wrapped = function (this: unknown, callback: unknown, ...rest: unknown[]) {
    const cell = current;
    return original.call(this, cell ? wrapCallback(callback, { cell, kind }) : callback, ...rest);
  };
  // util.promisify(setTimeout) and friends keep working.
  const custom = (original as unknown as Record<symbol, unknown>)[promisify.custom];
  if (custom) Object.defineProperty(wrapped, promisify.custom, { value: custom });
  return wrapped;
}

const CELL_FRAME = /convlab-cell:(In\[\d+\])/;

/** The origin of an error: where a wrapped callback threw it, or the first cell in its stack. */
function originOf(error: unknown, rejection: boolean): Origin | undefined {
  if (!rejection && lastThrown && lastThrown.error === error) return lastThrown.origin;
  const cell = CELL_FRAME.exec(String((error as Error)?.stack ?? ""))?.[1];
  if (cell) return { cell, kind: rejection ? "promise" : "callback" };
  return undefined;
}

export interface BackgroundErrorOptions {
  /** Formats an error with its frames mapped to cells. */
  format(error: unknown): KernelError;
  /** Shows the text to the learner (under the current or last cell). */
  show(text: string): void;
  /** For errors from no cell: the kernel's log. */
  log(text: string): void;
}

const WRAPPER_FILE = __filename.replace(/\.ts$/, ".js");
const RED = "\u001b[0;31m";
const RESET = "\u001b[0m";

export function describeBackgroundError(error: unknown, origin: Origin, running: string | undefined, format: (e: unknown) => KernelError): string {
  const { ename, evalue, traceback } = format(error);
  const where =
    origin.kind === "promise"
      ? `from a promise of ${origin.cell} that nothing awaited or caught`
      : origin.kind === "callback"
        ? `from a callback of ${origin.cell}`
        : `from ${origin.kind} set in ${origin.cell}`;
  const when = running === origin.cell ? "" : running ? `, shown under ${running}, which runs now` : `, after ${origin.cell} finished`;
  // The wrapper that remembered the cell is the kernel's, not the learner's.
  const frames = traceback.slice(1).filter((frame) => !frame.includes(WRAPPER_FILE));
  return [`${RED}${ename}${RESET} ${where}${when}: ${evalue}`, ...frames].join("\n") + "\n";
}

/** Patches the global timer functions and reports uncaught errors with their cell. */
export function reportBackgroundErrors(options: BackgroundErrorOptions): void {
  const g = globalThis as unknown as Record<string, Scheduler>;
  g.setTimeout = remembering(g.setTimeout, "a timer");
  g.setInterval = remembering(g.setInterval, "an interval");
  g.setImmediate = remembering(g.setImmediate, "setImmediate");

  const report = (error: unknown, rejection: boolean) => {
    const origin = originOf(error, rejection);
    lastThrown = undefined;
    if (!origin) {
      const what = rejection ? "Unhandled promise rejection" : "Uncaught exception";
      options.log(`${what} (from no cell): ${(error as Error)?.stack ?? String(error)}`);
      return;
    }
    try {
      options.show(describeBackgroundError(error, origin, current, options.format));
    } catch (failure) {
      options.log(`could not report an error from ${origin.cell}: ${String(failure)}; the error: ${String(error)}`);
    }
  };
  process.on("uncaughtException", (error) => report(error, false));
  process.on("unhandledRejection", (reason) => report(reason, true));
}
