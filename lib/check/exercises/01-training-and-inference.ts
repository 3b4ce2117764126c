/** Lesson 1: training against inference. */
import { defineExercise } from "../exercise";
import { accuracyAtLeast, isNetwork, matchesModelPredictions } from "../expectations";

defineExercise({
  id: "01-train-to-goal",
  title: "Train the small network to 90% validation accuracy",
  answers: ["model", "data"],
  expectations: [
    isNetwork("model"),
    accuracyAtLeast({
      atLeast: 0.9,
      hint: "Try a larger learning rate (ten times larger at a time), then more epochs.",
    }),
  ],
  success: "Nine digits in ten right, on images the network never trained on.",
});

defineExercise({
  id: "01-predict",
  title: "Predict the first ten test digits",
  answers: ["predictions", "model", "data"],
  expectations: [
    isNetwork("model"),
    matchesModelPredictions({
      predictions: "predictions",
      model: "model",
      data: "data",
      split: "test",
      count: 10,
      hint: "For each image, the predicted digit is the position of the largest of the network's 10 outputs.",
    }),
  ],
  success: "That is inference: the trained network, used as it is, on images it has never seen.",
});
