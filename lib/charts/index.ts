/**
 * Charts for the workshop: Vega-Lite specs that show live in JupyterLab and,
 * through a server-side SVG, in every other front end and static export.
 */
export { Chart, type ChartOptions, type BuildContext, type SpecBuilder } from "./chart";
export { historyChart, type HistoryChartOptions } from "./history";
export { lineChart, type LineChartOptions, type Series } from "./line";
export { learningRateChart, type LearningRateChartOptions } from "./learning-rate";
export {
  confusionMatrixChart,
  summarizeConfusion,
  type ConfusionMatrixOptions,
  type ConfusionSummary,
} from "./confusion-matrix";
export { prCurveChart, rocCurveChart, averagePrecision, areaUnderROC, type PRCurve, type ROCCurve, type CurveChartOptions } from "./curves";
export { classBarChart, type ClassBarChartOptions } from "./class-bars";
export { histogramChart, describeDistribution, type HistogramOptions, type DistributionStats } from "./histogram";
export { parallelCoordinatesChart, type ParallelCoordinatesOptions, type SweepRecord } from "./parallel-coordinates";
export { bandChart, meanAndStd, type BandChartOptions, type BandPoint } from "./bands";
export { scatterChart, type ScatterChartOptions, type ScatterRecord } from "./scatter";
export { imageGrid, type GridImage, type ImageGridOptions } from "./image-grid";
export { annotatedImages, classColor, type AnnotatedImage, type AnnotatedBox, type AnnotatedImagesOptions } from "./annotated-images";
export { liveChart, liveHistoryChart, LiveChart, type LiveChartOptions } from "./live";
export { renderSVG, renderSVGAsync, compileToVega, type RenderedSVG, type RenderMessages } from "./render";
export { svgToPNG, type PNGOptions } from "./png";
export type { SaveOptions, HTMLOptions } from "./save";
export { VEGA_LITE_SCHEMA, VEGA_LITE_MIME, type VegaLiteSpec, type Datum } from "./spec";
export { themeConfig, THEME_NAMES, type ThemeName } from "./theme";
export { usesFontMetrics } from "./text-metrics";
export { latencyThroughputChart, type LatencyThroughputPoint, type LatencyThroughputOptions } from "./latency-throughput";
export { clippingHistogramChart, type ClippingPanel, type ClippingHistogramOptions } from "./clipping-histogram";
