/**
 * Vega-Lite specs as plain JSON. Chart builders write spec objects directly
 * and the tests validate every one against vega-lite 5.6.1's own JSON schema,
 * which catches more than the compile-time types would (those accept
 * properties added after 5.6 that JupyterLab 4 cannot render).
 */

/** The `$schema` JupyterLab 4 (Vega-Lite 5.6) accepts for `application/vnd.vegalite.v5+json`. */
export const VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json";

/** The MIME type JupyterLab renders Vega-Lite 5 specs from. */
export const VEGA_LITE_MIME = "application/vnd.vegalite.v5+json";

/**
 * JSON as builders write it: `undefined` members are allowed (optional
 * settings) and dropped when the chart serializes its spec.
 */
export type JsonValue = string | number | boolean | null | undefined | JsonValue[] | { [key: string]: JsonValue };

/** A Vega-Lite spec (top level or nested) as a JSON object. */
export type VegaLiteSpec = { [key: string]: JsonValue };

/** A row of inline chart data. */
export type Datum = Record<string, string | number | boolean | null>;

/** A number for JSON: NaN and ±Infinity (invalid JSON) become null, which Vega-Lite skips. */
export function jsonNumber(value: number | null | undefined): number | null {
  return value === null || value === undefined || !Number.isFinite(value) ? null : value;
}

/** Rounds for display-sized JSON without changing what a chart shows. */
export function roundTo(value: number, significantDigits = 6): number {
  if (!Number.isFinite(value) || value === 0) return value;
  return Number(value.toPrecision(significantDigits));
}
