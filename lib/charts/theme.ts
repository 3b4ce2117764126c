/**
 * Chart themes as Vega-Lite `config` objects.
 *
 * - "auto" (default): transparent background, mid-grey text and grid, and
 *   mid-luminance series colours, readable on JupyterLab's light and dark
 *   themes alike (and on GitHub's, and in VS Code's) without knowing which
 *   one is in use. Text is #767676: about 4.5:1 contrast on white and 4.2:1 on
 *   JupyterLab's dark background (#111).
 * - "light": white background, dark text; for slides and printed handouts.
 * - "dark": near-black background, light text; for dark slides.
 */
import type { JsonValue, VegaLiteSpec } from "./spec";

export type ThemeName = "auto" | "light" | "dark";

export const THEME_NAMES: readonly ThemeName[] = ["auto", "light", "dark"];

/** DejaVu Sans first: it is what text-metrics.ts measures and what sharp draws with. */
export const CHART_FONT = "DejaVu Sans, Verdana, Geneva, sans-serif";

/**
 * Categorical colours (Tableau 10): all mid-luminance, so each stays visible
 * on white and on black.
 */
export const SERIES_COLORS = [
  "#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2",
  "#eeca3b", "#b279a2", "#ff9da6", "#9d755d", "#bab0ac",
];

interface Palette {
  background: string;
  text: string;
  title: string;
  grid: string;
  domain: string;
  /** Colour for annotations (best-epoch rule, chance diagonal). */
  annotation: string;
}

const PALETTES: Record<ThemeName, Palette> = {
  auto: { background: "transparent", text: "#767676", title: "#767676", grid: "rgba(128,128,128,0.25)", domain: "#888888", annotation: "#888888" },
  light: { background: "#ffffff", text: "#333333", title: "#111111", grid: "#e6e6e6", domain: "#888888", annotation: "#555555" },
  dark: { background: "#1e1e1e", text: "#cccccc", title: "#eeeeee", grid: "#3a3a3a", domain: "#888888", annotation: "#bbbbbb" },
};

export function palette(theme: ThemeName): Palette {
  const found = PALETTES[theme];
  if (!found) {
    throw new Error(`Unknown chart theme "${String(theme)}". Use one of: ${THEME_NAMES.join(", ")}.`);
  }
  return found;
}

/** The Vega-Lite `config` for a theme. */
export function themeConfig(theme: ThemeName): VegaLiteSpec {
  const p = palette(theme);
  const axis: { [key: string]: JsonValue } = {
    labelColor: p.text,
    titleColor: p.text,
    gridColor: p.grid,
    domainColor: p.domain,
    tickColor: p.domain,
    labelFont: CHART_FONT,
    titleFont: CHART_FONT,
    titleFontWeight: "normal",
    titleFontSize: 12,
    labelFontSize: 11,
  };
  return {
    background: p.background,
    font: CHART_FONT,
    view: { stroke: null },
    axis,
    legend: {
      labelColor: p.text,
      titleColor: p.text,
      labelFont: CHART_FONT,
      titleFont: CHART_FONT,
      titleFontWeight: "normal",
      labelFontSize: 11,
      titleFontSize: 12,
      labelLimit: 240,
    },
    header: { labelColor: p.text, titleColor: p.text, labelFont: CHART_FONT, titleFont: CHART_FONT, labelFontSize: 12 },
    title: { color: p.title, subtitleColor: p.text, font: CHART_FONT, subtitleFont: CHART_FONT, fontSize: 14, fontWeight: "bold", anchor: "start" },
    text: { color: p.text, font: CHART_FONT },
    range: { category: SERIES_COLORS },
  };
}
