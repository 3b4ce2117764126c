/**
 * Chart: a Vega-Lite spec that shows itself in any notebook front end.
 *
 * Its display bundle carries the spec (JupyterLab, VS Code and Notebook 7
 * draw it live), an SVG rendered here with the same Vega-Lite version (for
 * nbconvert HTML, GitHub, classic viewers), a PNG when asked for, and a
 * one-line text summary (for terminals and logs).
 */
import { DISPLAY, type Displayable, type MimeBundle } from "../display";
import { renderSVG, type RenderMessages } from "./render";
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
   * Also put a PNG in the display bundle (default false: the spec and SVG
   * already show everywhere; PNG adds size). `true` means scale 2.
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
    return new Chart(this.kind, this.summary, this.build, { ...this.options, theme });
  }

  /** The chart as a standalone SVG document, rendered server-side. */
  toSVG(): string {
    if (this.cachedSVG === undefined) {
      const rendered = renderSVG(this.frozenSpec());
      this.lastMessages = { warnings: rendered.warnings, errors: rendered.errors };
      this.cachedSVG = rendered.svg;
    }
    return this.cachedSVG;
  }

  /** The chart as PNG bytes (SVG rasterized by sharp; scale 2 by default for sharp slides). */
  toPNG(options: PNGOptions = {}): Promise<Buffer> {
    return svgToPNG(this.toSVG(), options);
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

  /** The display bundle without PNG; synchronous, for live updates. */
  bundle(): MimeBundle {
    return {
      [VEGA_LITE_MIME]: this.spec,
      "image/svg+xml": this.toSVG(),
      "text/plain": this.summary,
    };
  }

  [DISPLAY](): MimeBundle | Promise<MimeBundle> {
    const bundle = this.bundle();
    const png = this.options.png;
    if (!png) return bundle;
    return this.toPNG(png === true ? {} : png).then((bytes) => ({ ...bundle, "image/png": bytes.toString("base64") }));
  }

  toString(): string {
    return this.summary;
  }

  /** Shown by util.inspect (the kernel's fallback and console.log). */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.summary;
  }

  private frozenSpec(): VegaLiteSpec {
    if (!this.cachedSpec) {
      const p = palette(this.theme);
      const body = this.build({ theme: this.theme, annotationColor: p.annotation, textColor: p.text });
      const config = themeConfig(this.theme);
      const { config: ownConfig, ...rest } = body;
      this.cachedSpec = {
        $schema: VEGA_LITE_SCHEMA,
        ...rest,
        config: ownConfig && typeof ownConfig === "object" && !Array.isArray(ownConfig) ? mergeConfig(config, ownConfig) : config,
      };
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
