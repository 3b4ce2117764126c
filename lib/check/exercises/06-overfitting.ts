/** Lesson 6: overfitting. */
import { defineExercise } from "../exercise";
import { accuracyAtLeast, isNetwork, layerSetting, splitSize } from "../expectations";

defineExercise({
  id: "06-fix-overfitting",
  title: "Fix the overfitting network: 92% validation accuracy from 500 digits",
  answers: ["model", "data"],
  expectations: [
    isNetwork("model"),
    // The exercise keeps the network's size: a dense layer of 256 units before the 10 outputs.
    layerSetting("model", { layer: "Dense", setting: "units", expected: [256, 10], perLayer: true, label: "units" }),
    splitSize("data", { split: "train", images: 500, hint: "Keep the 500 training digits (fewDigits): the exercise is to generalise better from the same few images." }),
    accuracyAtLeast({
      atLeast: 0.92,
      hint:
        "The training images are few, so the network learns them by heart. Make memorising harder: vary the training images " +
        "(augment) and keep units from relying on each other (dropout), or combine fixes.",
    }),
  ],
  success: "Same network, same 500 images: it now generalises better because it memorises less.",
});
