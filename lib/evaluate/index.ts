/**
 * Evaluation: how good is a trained classifier, and where does it go wrong?
 *
 * ```ts
 * import { interpret } from "convlab";
 * const interp = await interpret(model, mnist, { split: "test" });
 * interp;                          // accuracy, report, confusion matrix, worst pairs
 * interp.report;                   // precision, recall, F1, support, averages
 * interp.confusionMatrix.chart({ normalize: "true" });
 * interp.curves.prChart();         // precision–recall per class, with AP
 * await interp.topLosses();        // the images the model got most wrong
 * ```
 *
 * Every metric also works on plain labels and scores (scikit-learn's
 * definitions, checked against it): accuracy, topKAccuracy,
 * confusionMatrix, classificationReport, classCurves, ...
 */
export { accuracy, topKAccuracy } from "./accuracy";
export { ConfusionMatrix, confusionMatrix, type ConfusionMatrixInit, type NormalizeBy } from "./confusion-matrix";
export { ConfusedPairs, mostConfused, type ConfusedPair, type MostConfusedOptions } from "./most-confused";
export { classificationReport, precisionRecallF1 } from "./report-from-labels";
export {
  ClassificationReport,
  type AverageMetrics,
  type ClassMetrics,
  type ClassificationReportOptions,
  type PrecisionRecallF1,
  type ReportOptions,
} from "./classification-report";
export {
  precisionRecallCurve,
  averagePrecisionScore,
  rocCurve,
  rocAucScore,
  thresholdCounts,
  type BinaryLabels,
  type PrecisionRecallCurve,
  type RocCurve,
  type RocCurveOptions,
  type ThresholdCounts,
} from "./ranking";
export { ClassCurves, classCurves, type ClassCurve, type ClassCurvesOptions, type ClassCurveChartOptions, type ScoreAverages } from "./class-curves";
export type { LabelsInput, ScoresInput, ClassNamesOption } from "./inputs";
export { argMaxRow, argMaxRows } from "./inputs";
export { Predictions, type OutputKind, type PredictionsInit, type RankedClass } from "./predictions";
export { getPredictions, type PredictOptions, type PredictSource } from "./predict";
export { interpret, interpretPredictions, Interpretation, type InterpretOptions, type ClassAccuracy } from "./interpret";
export { topLosses, TopLosses, type TopLoss, type TopLossesOptions } from "./top-losses";
export {
  classifyOne,
  ClassifyOneResult,
  type ClassifyOneOptions,
  type SingleImage,
  type LayerInspection,
  type LayerPicture,
  type ValueSummary,
  type WeightSummary,
} from "./classify-one";
export { classifyMany, ClassifyManyResult, type ClassifyManyOptions, type ClassifiedImage, type ManyImages } from "./classify-many";
export type { Histogram } from "./statistics";
