/** Small helpers shared by chart builders: titles, sizes, ticks (number formats: lib/display/html). */
import type { ChartOptions } from "./chart";
import type { JsonValue, VegaLiteSpec } from "./spec";

/** Title, width and height for the top of a spec, with a chart's own defaults. */
export function frame(
  options: ChartOptions,
  defaults: { title: string; subtitle?: string; width: number; height: number },
): VegaLiteSpec {
  const text = options.title ?? defaults.title;
  const title: JsonValue = defaults.subtitle ? { text, subtitle: defaults.subtitle } : text;
  return { title, width: options.width ?? defaults.width, height: options.height ?? defaults.height };
}

/** Checks a plain-data argument early, with a message that names it. */
export function requireArray<T>(value: readonly T[] | undefined, what: string, example: string): readonly T[] {
  if (!Array.isArray(value)) {
    throw new Error(`${what} must be an array (got ${describeValue(value)}). For example: ${example}`);
  }
  return value;
}

export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  return typeof value === "object" ? "an object" : `${typeof value} ${String(value)}`;
}

/**
 * Whole-number tick values for an axis over `values` when the span is short
 * (at most `maxTicks` ticks). With few points, Vega's "nice" ticks fall on
 * halves, and a whole-number label format then repeats labels ("1 2 2").
 */
export function wholeNumberTicks(values: readonly number[], maxTicks = 12): number[] | undefined {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return undefined;
  const first = Math.floor(Math.min(...finite));
  const last = Math.ceil(Math.max(...finite));
  if (last - first + 1 > maxTicks) return undefined;
  return Array.from({ length: last - first + 1 }, (_, i) => first + i);
}

/**
 * Scale and axis for a quantitative x over whole numbers (epochs, steps):
 * whole-number ticks and, while the span is short, a domain from whole
 * number to whole number, so that a live chart's first points (epoch 0.125,
 * say) sit on an axis from 0 to 1 rather than on a single point. Add the
 * title to `axis`.
 */
export function wholeNumberScale(values: readonly number[]): { scale?: { domain: [number, number] }; axis: VegaLiteSpec } {
  const ticks = wholeNumberTicks(values);
  if (ticks && ticks.length === 1) ticks.push(ticks[0] + 1);
  return {
    ...(ticks ? { scale: { domain: [ticks[0], ticks[ticks.length - 1]] as [number, number] } } : {}),
    axis: { tickMinStep: 1, format: "d", ...tickValues(ticks) },
  };
}

/** How many epochs a history covers: its last epoch, rounded up (records may fall within epochs). */
export function epochsCovered(epochs: readonly number[]): number {
  const finite = epochs.filter((e) => Number.isFinite(e));
  return finite.length ? Math.ceil(Math.max(...finite) - 1e-9) : 0;
}

/** `{ values }` for an axis when there are explicit ticks, else nothing (so the spec carries no undefined). */
export function tickValues(values: number[] | undefined): { values?: number[] } {
  return values ? { values } : {};
}
