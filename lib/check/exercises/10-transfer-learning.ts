/** Lesson 10: standing on a pretrained network. */
import { defineExercise } from "../exercise";
import { accuracyAtLeast, frozenBackbone, isNetwork } from "../expectations";

defineExercise({
  id: "10-freeze-backbone",
  title: "Freeze the pretrained layers and train only the new head",
  answers: ["model", "data"],
  expectations: [
    isNetwork("model"),
    frozenBackbone("model", { hint: "Freeze every layer but the head before you train; summary() shows which layers are frozen." }),
    accuracyAtLeast({
      atLeast: 0.7,
      hint: "Train the head after freezing the backbone, with the settings of the starter.",
    }),
  ],
  success: "Fifty images trained one layer on top of features learnt from tens of thousands: that is feature extraction inside one network.",
});

defineExercise({
  id: "10-own-images",
  title: "Classify your own images with a pretrained network's features",
  answers: ["model", "data"],
  expectations: [
    isNetwork("model"),
    accuracyAtLeast({
      atLeast: 0.9,
      hint: "A network trained from scratch needs more images than a folder holds: reuse the pretrained network's features with classifyFeatures().",
    }),
  ],
  success: "A pretrained network and a few dozen images per class: the usual start of a real project.",
});
