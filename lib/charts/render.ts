/**
 * Server-side rendering: Vega-Lite spec → Vega spec → SVG string, without a
 * browser. The same vega-lite (5.6) that JupyterLab 4 uses compiles the spec,
 * so what the notebook shows from the spec and what nbconvert shows from the
 * SVG agree.
 */
import * as vega from "vega";
import * as vl from "vega-lite";
import type { TopLevelSpec } from "vega-lite";
import { installTextMetrics } from "./text-metrics";
import type { VegaLiteSpec } from "./spec";

/** What vega or vega-lite said while compiling and rendering. */
export interface RenderMessages {
  warnings: string[];
  errors: string[];
}

/** Collects vega's and vega-lite's log lines instead of printing them. */
export class CollectingLogger implements vega.LoggerInterface {
  readonly messages: RenderMessages = { warnings: [], errors: [] };
  private currentLevel = vega.Warn;

  level(): number;
  level(level: number): this;
  level(level?: number): number | this {
    if (level === undefined) return this.currentLevel;
    this.currentLevel = level;
    return this;
  }
  error(...args: readonly unknown[]): this {
    this.messages.errors.push(args.map(describe).join(" "));
    return this;
  }
  warn(...args: readonly unknown[]): this {
    if (this.currentLevel >= vega.Warn) this.messages.warnings.push(args.map(describe).join(" "));
    return this;
  }
  info(): this {
    return this;
  }
  debug(): this {
    return this;
  }
}

function describe(value: unknown): string {
  if (value instanceof Error) return value.message;
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** Compiles a Vega-Lite spec to Vega, recording vega-lite's warnings in `logger`. */
export function compileToVega(spec: VegaLiteSpec, logger = new CollectingLogger()): vega.Spec {
  try {
    return vl.compile(spec as unknown as TopLevelSpec, { logger }).spec;
  } catch (err) {
    throw new Error(
      `Vega-Lite could not compile this chart's spec: ${(err as Error).message}. ` +
        `If you built or edited the spec yourself, check it against https://vega.github.io/vega-lite/docs/ (version 5.6).`,
      { cause: err },
    );
  }
}

export interface RenderedSVG extends RenderMessages {
  svg: string;
  width: number;
  height: number;
}

/**
 * Renders a Vega-Lite spec to an SVG string synchronously. Inline data only:
 * specs that load URLs or images need `renderSVGAsync`.
 */
export function renderSVG(spec: VegaLiteSpec): RenderedSVG {
  installTextMetrics();
  const logger = new CollectingLogger();
  const view = new vega.View(vega.parse(compileToVega(spec, logger)), { renderer: "none", logger });
  try {
    // With inline data nothing in the dataflow awaits, so run() completes the
    // scenegraph before it returns (vega's toSVG would only add a microtask hop).
    view.run();
    const { width, height, origin } = viewFrame(view);
    const SVGStringRenderer = (vega as unknown as { SVGStringRenderer: SvgRendererConstructor }).SVGStringRenderer;
    const renderer = new SVGStringRenderer(view.loader())
      .initialize(null, width, height, origin, 1)
      .background(view.background());
    renderer.render((view.scenegraph() as unknown as { root: unknown }).root);
    const svg = renderer.svg();
    if (!svg) throw new Error("vega produced no SVG for this chart");
    failOnErrors(logger);
    return { svg, width, height, ...logger.messages };
  } finally {
    view.finalize();
  }
}

/** Renders a spec to SVG, waiting for anything vega loads (images, URLs). */
export async function renderSVGAsync(spec: VegaLiteSpec): Promise<RenderedSVG> {
  installTextMetrics();
  const logger = new CollectingLogger();
  const view = new vega.View(vega.parse(compileToVega(spec, logger)), { renderer: "none", logger });
  try {
    const svg = await view.toSVG();
    const { width, height } = viewFrame(view);
    failOnErrors(logger);
    return { svg, width, height, ...logger.messages };
  } finally {
    view.finalize();
  }
}

/** Vega logs some failures (a bad expression, say) instead of throwing; a chart drawn past them would mislead. */
function failOnErrors(logger: CollectingLogger): void {
  const { errors } = logger.messages;
  if (errors.length) throw new Error(`vega could not render this chart: ${errors.join("; ")}`);
}

interface SvgRenderer {
  initialize(el: null, width: number, height: number, origin: [number, number], scale: number): SvgRenderer;
  background(color: unknown): SvgRenderer;
  render(scene: unknown): SvgRenderer;
  svg(): string | null;
}
type SvgRendererConstructor = new (loader: unknown) => SvgRenderer;

/** The drawing size and origin vega's own headless renderer would use. */
function viewFrame(view: vega.View): { width: number; height: number; origin: [number, number] } {
  const padding = view.padding() as { left: number; right: number; top: number; bottom: number };
  const internals = view as unknown as { _viewWidth: number; _viewHeight: number; _origin: [number, number] };
  return {
    width: Math.max(0, internals._viewWidth + padding.left + padding.right),
    height: Math.max(0, internals._viewHeight + padding.top + padding.bottom),
    origin: [padding.left + internals._origin[0], padding.top + internals._origin[1]],
  };
}
