/**
 * Watching one metric of the history for improvement: shared by early
 * stopping and reduce-LR-on-plateau, which judge "better" the same way
 * (Keras's monitor, mode and minDelta).
 */
import { improves, inferMode } from "../history";
import type { ResolvedTrainOptions } from "./options";

export interface MonitorOptions {
  /** The history field to watch. Default "valLoss". */
  monitor?: string;
  /** "min", "max" or "auto" (max for accuracy-like names, min otherwise). Default "auto". */
  mode?: "min" | "max" | "auto";
  /** Smallest change that counts as an improvement. */
  minDelta?: number;
}

export class Monitor {
  readonly monitor: string;
  readonly mode: "min" | "max";
  readonly minDelta: number;

  constructor(options: MonitorOptions, defaultMinDelta: number, what: string) {
    this.monitor = options.monitor ?? "valLoss";
    if (typeof this.monitor !== "string" || this.monitor.length === 0) throw new Error(`${what}: monitor must name a history field such as "valLoss".`);
    const mode = options.mode ?? "auto";
    if (!["min", "max", "auto"].includes(mode)) throw new Error(`${what}: mode must be "min", "max" or "auto" (got "${mode}").`);
    this.mode = mode === "auto" ? inferMode(this.monitor) : mode;
    this.minDelta = Math.abs(options.minDelta ?? defaultMinDelta);
    if (!Number.isFinite(this.minDelta)) throw new Error(`${what}: minDelta must be a number (got ${String(options.minDelta)}).`);
  }

  /** True when `value` beats `best` by more than minDelta. */
  improves(value: number, best: number | undefined): boolean {
    return improves(value, best, this.mode, this.minDelta);
  }

  /** A note when the monitored value will never appear (no validation). */
  problem(options: Readonly<ResolvedTrainOptions>, what: string): string | undefined {
    if (this.monitor.startsWith("val") && options.validationInterval === 0) {
      return `${what} watches ${this.monitor}, but validation is off (validationInterval 0), so it does nothing.`;
    }
    return undefined;
  }
}
