/** Lesson 3: inside a CNN. */
import { defineExercise } from "../exercise";
import { hiddenNumber, isNetwork, layerCount, layerSetting, oddKernels, outputShape } from "../expectations";

defineExercise({
  id: "03-output-size",
  title: "Work out the size of a feature map",
  answers: ["featureMapWidth"],
  expectations: [
    hiddenNumber("featureMapWidth", {
      // 28 → 5×5 conv, stride 1, valid: 24 → 2×2 max pool, stride 2: 12 → 3×3 conv, valid: 10
      value: 10,
      noun: "the width after those three layers",
      hint:
        "Go one layer at a time. With \"valid\" padding a window must fit inside the image, so a k-wide kernel at stride s " +
        "fits floor((width − k) / s) + 1 times across.",
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
