/** Lesson 7: measuring quality. */
import { defineExercise } from "../exercise";
import { classMetric, isNetwork, thresholdForRecall } from "../expectations";

defineExercise({
  id: "07-precision-recall",
  title: "Precision and recall of the 7-detector, from its confusion matrix",
  answers: ["precision", "recall", "model", "data"],
  expectations: [
    isNetwork("model"),
    classMetric("precision", {
      metric: "precision",
      model: "model",
      data: "data",
      split: "test",
      className: "7",
      hint: "Precision divides the true positives by everything the detector called \"7\": true positives plus false alarms.",
    }),
    classMetric("recall", {
      metric: "recall",
      model: "model",
      data: "data",
      split: "test",
      className: "7",
      hint: "Recall divides the true positives by all the real 7s: those found plus those missed.",
    }),
  ],
  success: "Precision: how much to trust a \"7\". Recall: how many 7s get through unnoticed.",
});

defineExercise({
  id: "07-threshold",
  title: "Choose a threshold that finds 97% of the 7s with few false alarms",
  answers: ["threshold", "model", "data"],
  expectations: [
    isNetwork("model"),
    thresholdForRecall("threshold", { model: "model", data: "data", split: "validation", className: "7", recall: 0.97, precisionSlack: 0.02 }),
  ],
  success: "That is choosing an operating point: the specification fixes one number, the curve gives the best possible other.",
});
