/** Lesson 11: from classifying to finding. */
import { defineExercise } from "../exercise";
import { detectionThreshold, hiddenNumber, segmentationIoU } from "../expectations";

defineExercise({
  id: "11-count-windows",
  title: "Count the windows a sliding-window detector looks through in a camera frame",
  answers: ["windows"],
  expectations: [
    hiddenNumber("windows", {
      // A 28-pixel window every 4 pixels inside 640 × 480: (640 − 28) / 4 + 1 = 154 positions across, (480 − 28) / 4 + 1 = 114 down.
      value: 154 * 114,
      noun: "the number of 28-pixel windows, every 4 pixels, inside a 640×480 frame",
      hint: "Count the positions along one row first: the window's left edge can be at 0, 4, 8, … as long as the window still fits in the 640 pixels. Do the same down the 480 rows, then multiply.",
    }),
  ],
  success: "And that is one window size. Every one of them is a full pass of the classifier.",
});

defineExercise({
  id: "11-detection-threshold",
  title: "Choose a score threshold at which 98% of the detections are right, finding as many digits as possible",
  answers: ["threshold", "detector", "scenes"],
  expectations: [detectionThreshold("threshold", { detector: "detector", scenes: "scenes", split: "validation", precision: 0.98 })],
  success: "That is the detector's operating point: detectnet's --confidence flag sets exactly this on the Jetson.",
});

defineExercise({
  id: "11-segment-iou",
  title: "The IoU of one class, from the segmentation's pixel counts",
  answers: ["iou", "segmenter", "scenes"],
  expectations: [
    segmentationIoU("iou", {
      segmenter: "segmenter",
      scenes: "scenes",
      split: "test",
      className: "1",
      hint: "IoU divides the pixels right (true class and answer both \"1\") by every pixel that is a \"1\" or was called one.",
    }),
  ],
  success: "Mean IoU is this number averaged over the classes, background included.",
});
