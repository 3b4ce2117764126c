/**
 * Checks shared by the chart tests: the spec against vega-lite 5.6.1's own
 * JSON schema, compilation with vega-lite, rendering with vega (no
 * warnings), and reading marks back out of the SVG.
 */
import assert from "node:assert/strict";
import Ajv, { type ValidateFunction } from "ajv";
import * as vl from "vega-lite";
import type { TopLevelSpec } from "vega-lite";
import { CollectingLogger } from "../../lib/charts/render";
import { VEGA_LITE_SCHEMA, type Chart, type VegaLiteSpec } from "../../lib/charts";

let validator: ValidateFunction | undefined;

/** vega-lite 5.6.1's schema (what JupyterLab 4 renders), compiled once. */
function schemaValidator(): ValidateFunction {
  if (!validator) {
    const schema = require("vega-lite/build/vega-lite-schema.json") as object;
    const ajv = new Ajv({ strict: false, allErrors: false, allowUnionTypes: true });
    ajv.addFormat("color-hex", /^#(?:[0-9a-fA-F]{3}){1,2}$/);
    ajv.addFormat("uri", (value: string) => URL.canParse(value));
    ajv.addFormat("uri-reference", () => true);
    validator = ajv.compile(schema);
  }
  return validator;
}

export function assertValidVegaLite(spec: unknown, what = "spec"): void {
  const validate = schemaValidator();
  if (!validate(spec)) {
    const errors = (validate.errors ?? []).slice(0, 8).map((e) => `${e.instancePath || "/"} ${e.message} ${JSON.stringify(e.params)}`);
    assert.fail(`${what} does not validate against the Vega-Lite 5.6.1 schema:\n${errors.join("\n")}`);
  }
}

/** Compiles with vega-lite and returns its warnings. */
export function compileWarnings(spec: VegaLiteSpec): string[] {
  const logger = new CollectingLogger();
  vl.compile(spec as unknown as TopLevelSpec, { logger });
  return [...logger.messages.warnings, ...logger.messages.errors];
}

/**
 * The acceptance checks every chart type passes: `$schema` exact, a JSON
 * object spec that validates against Vega-Lite 5.6.1's schema, compiles with
 * vega-lite without warnings, and renders with vega without warnings.
 * Returns the SVG.
 */
export async function assertRendersCleanly(chart: Chart): Promise<string> {
  const spec = chart.spec;
  assert.equal(spec.$schema, VEGA_LITE_SCHEMA);
  assert.equal(typeof spec, "object");
  assert.deepEqual(JSON.parse(JSON.stringify(spec)), spec, "the spec must be plain JSON");
  assertValidVegaLite(spec, `${chart.kind} spec`);
  assert.deepEqual(compileWarnings(spec), [], `${chart.kind}: vega-lite warnings`);
  const svg = await chart.render();
  assert.deepEqual(chart.renderMessages, { warnings: [], errors: [] }, `${chart.kind}: vega warnings`);
  assert.match(svg, /^<svg[^>]+xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  return svg;
}

/** The item elements of a named mark (all of them, across facet cells). */
export function markItems(svg: string, name: string): string[] {
  const items: string[] = [];
  const opening = new RegExp(`<g class="mark-[a-z]+ role-mark ${name}_marks"[^>]*>`, "g");
  for (const match of svg.matchAll(opening)) {
    const start = (match.index ?? 0) + match[0].length;
    const end = svg.indexOf("</g>", start);
    const body = svg.slice(start, end);
    for (const item of body.matchAll(/<(path|line|text|image|rect|circle)\b[^>]*?(?:\/>|>[\s\S]*?<\/\1>)/g)) items.push(item[0]);
  }
  return items;
}

/** The text of a text element, lines joined by "\n". */
export function textOf(element: string): string {
  const spans = [...element.matchAll(/<tspan[^>]*>([\s\S]*?)<\/tspan>/g)].map((m) => m[1]);
  const raw = spans.length ? spans.join("\n") : element.replace(/^<text[^>]*>/, "").replace(/<\/text>$/, "");
  return raw.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#x27;|&#39;/g, "'").replace(/&amp;/g, "&");
}

/** Texts of a named text mark. */
export function markTexts(svg: string, name: string): string[] {
  return markItems(svg, name).map(textOf);
}

/** Texts of elements with a given role (axis titles, legend labels, ...). */
export function roleTexts(svg: string, role: string): string[] {
  const texts: string[] = [];
  const opening = new RegExp(`<g class="mark-text role-${role}"[^>]*>`, "g");
  for (const match of svg.matchAll(opening)) {
    const start = (match.index ?? 0) + match[0].length;
    const body = svg.slice(start, svg.indexOf("</g>", start));
    for (const t of body.matchAll(/<text\b[^>]*>[\s\S]*?<\/text>/g)) texts.push(textOf(t[0]));
  }
  return texts;
}

/** The translate(x, y) of an SVG element. */
export function translation(element: string): [number, number] {
  const m = /transform="translate\(([-\d.e]+),([-\d.e]+)\)"/.exec(element);
  assert.ok(m, `no translate() in ${element.slice(0, 120)}`);
  return [Number(m[1]), Number(m[2])];
}
