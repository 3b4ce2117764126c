/**
 * Detect: from classifying whole images to finding objects in them. See
 * README.md here for why this is one folder.
 */
export { iou, area, intersectionArea, scaleBox, squareAround, centre } from "./boxes";
export type { Detection, BoxLike } from "./boxes";
export { nonMaxSuppression } from "./nms";
export type { NmsOptions } from "./nms";
export { evaluateDetections, DetectionEvaluation, interpolatedAP } from "./evaluate-detections";
export type { EvaluateDetectionsOptions, ClassDetectionResult } from "./evaluate-detections";
