/** Small helpers shared by chart builders: titles, sizes, number formats. */
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

/** A short human number: 0.3127 → "0.313", 1234.5 → "1,235", 1e-5 → "1e-5". */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e6)) return value.toExponential(2).replace(/\.?0+e/, "e").replace("e+", "e");
  if (Number.isInteger(value)) return value.toLocaleString("en-US");
  return Number(value.toPrecision(3)).toLocaleString("en-US", { maximumFractionDigits: 6 });
}

/** 0.9731 → "97.3%". */
export function formatPercent(fraction: number): string {
  return `${(fraction * 100).toFixed(1)}%`;
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
