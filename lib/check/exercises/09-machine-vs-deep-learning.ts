/** Lesson 9: machine learning against deep learning. */
import { defineExercise } from "../exercise";
import { accuracyAtLeast, isNetwork, layerCount } from "../expectations";

defineExercise({
  id: "09-better-features",
  title: "Design HOG features that take logistic regression to 81%",
  answers: ["model", "data"],
  expectations: [
    isNetwork("model"),
    layerCount("model", { layer: "HogFeatures", count: 1, hint: "Build the model with hogClassifier({ ... })." }),
    layerCount("model", { layer: "Conv2D", count: 0, hint: "The exercise is about hand-made features: no learned convolutions." }),
    layerCount("model", { layer: "Dense", count: 1, hint: "The classifier on top of the features stays one dense layer (a logistic regression)." }),
    accuracyAtLeast({
      atLeast: 0.81,
      hint:
        "Change the features, not the training: smaller cells see finer detail (but give more features), " +
        "and more bins tell more directions apart. Try one change at a time.",
    }),
  ],
  success: "That search, by hand, for features that work is the part of machine learning that deep learning automates.",
});
