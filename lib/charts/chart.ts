/**
 * Chart: a Vega-Lite spec that shows itself in any notebook front end.
 *
 * Its display bundle carries the spec (JupyterLab, VS Code and Notebook 7
 * draw it live), an SVG rendered here with the same Vega-Lite version (the
 * classic Notebook, nbconvert HTML, GitHub), a PNG (the classic Notebook
 * shows no SVG in an untrusted notebook) and a one-line text summary
 * (terminals and logs). Each front end picks the best it can show.
 */
import { DISPLAY, type Displayable, type MimeBundle } from "../display";
import { renderSVG, renderSVGAsync, type RenderedSVG, type RenderMessages } from "./render";
import { svgToPNG, type PNGOptions } from "./png";
import { saveChart, chartHTML, type SaveOptions, type HTMLOptions } from "./save";
import { VEGA_LITE_MIME, VEGA_LITE_SCHEMA, type VegaLiteSpec } from "./spec";
import { palette, themeConfig, type ThemeName } from "./theme";

/** Options every chart accepts. */
export interface ChartOptions {
  /** Title above the chart. Default: one that names what is shown. */
  title?: string;
  /** Width of the plotting area in pixels (axes and legend add to it). */
  width?: number;
  /** Height of the plotting area in pixels. */
  height?: number;
  /** "auto" (default) reads on light and dark notebooks; "light"/"dark" for slides. */
  theme?: ThemeName;
  /**
   * The PNG in the display bundle: `{ scale }` (default 1; 2 for sharp
   * slides), or `false` to leave it out (the classic Notebook then shows
   * nothing of the chart in an untrusted notebook).
   */
  png?: boolean | PNGOptions;
}

/** What a chart builder needs to know about the theme while writing the spec. */
export interface BuildContext {
  theme: ThemeName;
  /** Colour for annotations such as the best-epoch rule, readable in this theme. */
  annotationColor: string;
  /** Colour for text drawn on the chart (not on coloured cells). */
  textColor: string;
}

/** Builds the body of a spec (no `$schema`, no theme `config`). */
export type SpecBuilder = (context: BuildContext) => VegaLiteSpec;

export class Chart implements Displayable {
  private cachedSpec: VegaLiteSpec | undefined;
  private cachedSVG: string | undefined;
  private lastMessages: RenderMessages = { warnings: [], errors: [] };

  /**
   * @param kind what sort of chart this is ("history", "confusion-matrix", ...)
   * @param summary one line for text/plain, e.g. "best epoch 7 (valLoss 0.31)"
   * @param build writes the spec for a theme
   */
  constructor(
    readonly kind: string,
    readonly summary: string,
    private readonly build: SpecBuilder,
    readonly options: Readonly<ChartOptions> = {},
    /**
     * The spec draws images (data URLs), which vega loads asynchronously:
     * such charts render with `await chart.render()` before `toSVG()`.
     */
    readonly drawsImages = false,
  ) {}

  get theme(): ThemeName {
    return this.options.theme ?? "auto";
  }

  /** The complete Vega-Lite spec (a fresh copy: edit it freely). */
  get spec(): VegaLiteSpec {
    return structuredClone(this.frozenSpec());
  }

  /** What vega and vega-lite warned about during the last render (should be empty). */
  get renderMessages(): RenderMessages {
    return { warnings: [...this.lastMessages.warnings], errors: [...this.lastMessages.errors] };
  }

  /** The same chart in another theme. */
  withTheme(theme: ThemeName): Chart {
    if (theme === this.theme) return this;
    return new Chart(this.kind, this.summary, this.build, { ...this.options, theme }, this.drawsImages);
  }

  /**
   * The chart as a standalone SVG document, rendered server-side (once; the
   * result is kept). Synchronous, except for charts that draw images, which
   * need `await chart.render()` first.
   */
  toSVG(): string {
    if (this.cachedSVG === undefined) {
      if (this.drawsImages) {
        throw new Error(`This ${this.kind} chart draws images, which load asynchronously: call \`await chart.render()\` before toSVG().`);
      }
      this.keep(renderSVG(this.frozenSpec()));
    }
    return this.cachedSVG as string;
  }

  /** Renders the SVG (waiting for any images) and returns it. */
  async render(): Promise<string> {
    if (this.cachedSVG === undefined) {
      this.keep(this.drawsImages ? await renderSVGAsync(this.frozenSpec()) : renderSVG(this.frozenSpec()));
    }
    return this.cachedSVG as string;
  }

  /** The chart as PNG bytes (SVG rasterized by sharp; scale 2 by default for sharp slides). */
  async toPNG(options: PNGOptions = {}): Promise<Buffer> {
    return svgToPNG(await this.render(), options);
  }

  /** A standalone HTML page that shows the chart without network access. */
  toHTML(options: HTMLOptions = {}): string {
    return chartHTML(this, options);
  }

  /**
   * Writes the chart to a file; the extension picks the format:
   * `.svg`, `.png`, `.html`, `.vl.json` (or `.json`, the Vega-Lite spec).
   */
  save(path: string, options: SaveOptions = {}): Promise<string> {
    return saveChart(this, path, options);
  }

  /** The spec, the SVG and the summary: everything but the PNG, synchronously. */
  bundle(): MimeBundle {
    return {
      [VEGA_LITE_MIME]: this.spec,
      "image/svg+xml": this.toSVG(),
      "text/plain": this.summary,
    };
  }

  /**
   * The spec and the summary only: what a live chart sends while it
   * updates. Building the spec takes a millisecond or two; rendering the
   * SVG takes twenty times that, and would cap the update rate.
   */
  liveBundle(): MimeBundle {
    return { [VEGA_LITE_MIME]: this.spec, "text/plain": this.summary };
  }

  /** The full display bundle: spec, SVG, PNG and summary. */
  async fullBundle(): Promise<MimeBundle> {
    await this.render();
    const bundle = this.bundle();
    const png = this.options.png ?? true;
    if (png === false) return bundle;
    const bytes = await this.toPNG(png === true ? { scale: 1 } : { scale: 1, ...png });
    return { ...bundle, "image/png": bytes.toString("base64") };
  }

  [DISPLAY](): Promise<MimeBundle> {
    return this.fullBundle();
  }

  toString(): string {
    return this.summary;
  }

  /** Shown by util.inspect (the kernel's fallback and console.log). */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.summary;
  }

  private keep(rendered: RenderedSVG): void {
    this.lastMessages = { warnings: rendered.warnings, errors: rendered.errors };
    this.cachedSVG = rendered.svg;
  }

  private frozenSpec(): VegaLiteSpec {
    if (!this.cachedSpec) {
      const p = palette(this.theme);
      const body = this.build({ theme: this.theme, annotationColor: p.annotation, textColor: p.text });
      const config = themeConfig(this.theme);
      const { config: ownConfig, ...rest } = body;
      const spec: VegaLiteSpec = {
        $schema: VEGA_LITE_SCHEMA,
        ...rest,
        config: ownConfig && typeof ownConfig === "object" && !Array.isArray(ownConfig) ? mergeConfig(config, ownConfig) : config,
      };
      // A JSON round trip drops undefined members and turns stray NaN into
      // null, so the spec is exactly what reaches the notebook.
      this.cachedSpec = JSON.parse(JSON.stringify(spec)) as VegaLiteSpec;
    }
    return this.cachedSpec;
  }
}

/** Shallow-per-section merge: a chart's own config overrides the theme's. */
function mergeConfig(theme: VegaLiteSpec, own: VegaLiteSpec): VegaLiteSpec {
  const merged: VegaLiteSpec = { ...theme };
  for (const [key, value] of Object.entries(own)) {
    const base = merged[key];
    merged[key] =
      base && typeof base === "object" && !Array.isArray(base) && value && typeof value === "object" && !Array.isArray(value)
        ? { ...base, ...value }
        : value;
  }
  return merged;
}
