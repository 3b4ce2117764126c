/** Lesson 3: inside a CNN. */
import { defineExercise } from "../exercise";
import { hiddenNumber, isNetwork, layerCount, layerSetting, oddKernels, outputShape } from "../expectations";

defineExercise({
  id: "03-output-size",
  title: "Work out the size of a feature map",
  answers: ["featureMapWidth"],
  expectations: [
    hiddenNumber("featureMapWidth", {
      // 28 → 5×5 conv, stride 1, padding 2: 28 → 2×2 max pool, stride 2: 14 → 3×3 conv, stride 2, padding 1: 7
      value: 7,
      noun: "the width after those three layers",
      hint:
        "Go one layer at a time. Padding p adds p pixels on each side before the window slides, so a k-wide kernel at " +
        "stride s fits floor((width + 2p − k) / s) + 1 times across.",
    }),
  ],
  success: "You can now read any CNN's feature-map sizes off its layer list.",
});

defineExercise({
  id: "03-small-cnn",
  title: "Build a small CNN: two conv + pool blocks, then 10 outputs",
  answers: ["model"],
  expectations: [
    isNetwork("model"),
    layerCount("model", { layer: "Conv2D", count: 2 }),
    layerCount("model", { layer: "MaxPooling2D", count: 2 }),
    oddKernels("model"),
    layerSetting("model", { layer: "Conv2D", setting: "filters", expected: [8, 16], perLayer: true, label: "filters" }),
    layerSetting("model", { layer: "Conv2D", setting: "activation", expected: "relu", label: "activation" }),
    outputShape("model", { shape: [10], meaning: "one score per digit" }),
  ],
  success: "This is the shape of LeNet, the network lesson 4 trains.",
});
