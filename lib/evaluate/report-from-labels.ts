/**
 * Precision, recall and F1 straight from true and predicted labels: the
 * confusion matrix first, then the report read from it. A module above both,
 * so the report never imports the matrix back (the matrix makes reports).
 */
import { ClassificationReport, metricsFromConfusion, type ClassificationReportOptions, type PrecisionRecallF1 } from "./classification-report";
import { confusionMatrix } from "./confusion-matrix";
import type { LabelsInput } from "./inputs";

/** Per-class and averaged precision, recall and F1 from true and predicted labels. */
export function precisionRecallF1(
  yTrue: LabelsInput,
  yPred: LabelsInput,
  options: ClassificationReportOptions = {},
): PrecisionRecallF1 {
  return metricsFromConfusion(confusionMatrix(yTrue, yPred, options), options.zeroDivision ?? 0);
}

/** The classification report of true and predicted labels, as a rich table. */
export function classificationReport(
  yTrue: LabelsInput,
  yPred: LabelsInput,
  options: ClassificationReportOptions = {},
): ClassificationReport {
  return ClassificationReport.fromConfusionMatrix(confusionMatrix(yTrue, yPred, options), options);
}
