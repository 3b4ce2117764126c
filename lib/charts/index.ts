/**
 * Charts for the workshop: Vega-Lite specs that show live in JupyterLab and,
 * through a server-side SVG, in every other front end and static export.
 */
export { Chart, type ChartOptions, type BuildContext, type SpecBuilder } from "./chart";
export { historyChart, type HistoryChartOptions } from "./history";
export {
  findBestEpoch,
  findGapOpening,
  type EpochRecord,
  type BestEpoch,
  type BestEpochOptions,
  type GapOpening,
  type GapOptions,
} from "./history-analysis";
export { renderSVG, renderSVGAsync, compileToVega, type RenderedSVG, type RenderMessages } from "./render";
export { svgToPNG, type PNGOptions } from "./png";
export type { SaveOptions, HTMLOptions } from "./save";
export { VEGA_LITE_SCHEMA, VEGA_LITE_MIME, type VegaLiteSpec, type Datum } from "./spec";
export { themeConfig, THEME_NAMES, type ThemeName } from "./theme";
export { usesFontMetrics } from "./text-metrics";
