/** Lesson 8: improving MNIST with inverted and augmented training images. */
import { defineExercise } from "../exercise";
import { accuracyAtLeast, isNetwork } from "../expectations";

defineExercise({
  id: "08-robust-digits",
  title: "One network for original, inverted, moved and turned digits",
  answers: ["model", "digits", "challenge"],
  expectations: [
    isNetwork("model"),
    accuracyAtLeast({
      data: "challenge",
      atLeast: 0.85,
      hint:
        "The challenge digits are moved and turned as well as inverted: train with the same kinds of change (shift, rotate), " +
        "and give the harder task an extra epoch.",
    }),
    accuracyAtLeast({
      data: "digits",
      atLeast: 0.93,
      hint: "The original digits must stay easy for it: use changes of the size the challenge has, not larger, or train an epoch longer.",
    }),
  ],
  success: "The network now reads digits in more of the ways they come, from the same training images.",
});
