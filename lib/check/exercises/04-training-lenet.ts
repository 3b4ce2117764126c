/** Lesson 4: training LeNet on MNIST. */
import { defineExercise } from "../exercise";
import { hiddenNumber, resumedRun } from "../expectations";

defineExercise({
  id: "04-count-steps",
  title: "Count the steps of a training run",
  answers: ["totalSteps"],
  expectations: [
    hiddenNumber("totalSteps", {
      // The bundled MNIST's training split holds 6,000 images: ⌈6000 / 32⌉ = 188 steps an epoch, × 4 epochs.
      value: 752,
      noun: "the number of steps of 4 epochs at batch size 32",
      hint:
        "Work out the steps of one epoch first: every training image is used once, 32 at a time, and a last, smaller " +
        "batch is a step too. Then count the epochs.",
    }),
  ],
  success: "Every one of those steps is a forward pass, a loss, backpropagation and an update.",
});

defineExercise({
  id: "04-resume",
  title: "Resume the run and train on to 4 epochs",
  answers: ["resumed"],
  expectations: [
    resumedRun("resumed", {
      epochs: 4,
      hint: "Read the line the run printed: the option `epochs` counts the whole run, not the epochs still to go.",
    }),
  ],
  success: "Nothing was lost between the two runs: the snapshot carried the weights, the momentum and the history.",
});
