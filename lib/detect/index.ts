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
export { FRAMING, frameOf, objectBoxOf, cropResize } from "./regions";
export type { ImageBytes } from "./regions";
export { regionDataset, BACKGROUND, POSITIVE_IOU, NEGATIVE_IOU } from "./region-dataset";
export type { RegionDatasetOptions } from "./region-dataset";
export { DetectionRun } from "./detection-run";
export type { SceneRunOptions, DetectionRunInit } from "./detection-run";
export { classifyRegions, regionDetections } from "./classify-regions";
export { slidingWindows, slidingWindowDetect, DEFAULT_WINDOW_SIZES } from "./sliding-window";
export type { SlidingWindowOptions } from "./sliding-window";
export { connectedComponentProposals, proposalDetect } from "./proposals";
export type { ProposalOptions, ProposalDetectOptions } from "./proposals";
export { toFullyConvolutional, fcnGeometry, classMap, fcnDetect } from "./fully-convolutional";
export type { FcnGeometry, ClassMap, FcnDetectOptions } from "./fully-convolutional";

export { SingleShotDetector, singleShotDetector, encodeTargets, SSD_VARIANCES } from "./single-shot/single-shot-detector";
export type { SingleShotConfig, SingleShotDetectorOptions } from "./single-shot/single-shot-detector";
export { makeAnchors, anchorBox, encodeBox, decodeBox, matchAnchors, MATCH_IOU, FAR_IOU } from "./single-shot/anchors";
export type { Anchor, AnchorConfig, AnchorTargets } from "./single-shot/anchors";
export { ssdLoss, ssdCorrect } from "./single-shot/ssd-loss";
export { Segmenter, segmenter } from "./segmentation/segmenter";
export type { SegmenterConfig, SegmenterOptions } from "./segmentation/segmenter";
export { evaluateSegmentation, SegmentationEvaluation, segmentationCounts } from "./segmentation/evaluate-segmentation";
export type { ClassIoU } from "./segmentation/evaluate-segmentation";
export { trainSceneDetector, trainSceneSegmenter, trainRegionClassifier, regionClassifier, REGION_CLASSIFIER_TRAINING, heldOutScenes, TRAINING_SCENES, HELD_OUT_SCENES, DETECTOR_TRAINING, SEGMENTER_TRAINING } from "./scene-models";
export { showBoxes, showHeatMaps, compareDetectors, DetectorComparison } from "./views";
