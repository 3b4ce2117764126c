/** Lesson 5: hyperparameters. */
import { defineExercise } from "../exercise";
import { accuracyAtLeast, epochsAtMost, isNetwork, learningRateSchedule } from "../expectations";

defineExercise({
  id: "05-learning-rate",
  title: "Pick a learning rate: 90% validation accuracy in 3 epochs",
  answers: ["model", "data", "run"],
  expectations: [
    isNetwork("model"),
    epochsAtMost("run", { epochs: 3, hint: "Keep epochs at 3 and change only the learning rate." }),
    accuracyAtLeast({
      atLeast: 0.9,
      hint:
        "Change only the learning rate. Read the range test's chart above: where does the loss fall fastest? " +
        "If the loss stays near 2.3, the rate is too low, or so high that training broke down.",
    }),
  ],
  success: "Same network, same data, same epochs: only the learning rate changed.",
});

defineExercise({
  id: "05-schedule",
  title: "A multistep schedule: 0.1, a tenth of it at 50%, a hundredth at 75%",
  answers: ["myOptions"],
  expectations: [
    learningRateSchedule("myOptions", {
      points: [
        { at: 0, rate: 0.1 },
        { at: 0.45, rate: 0.1 },
        { at: 0.55, rate: 0.01 },
        { at: 0.7, rate: 0.01 },
        { at: 0.8, rate: 0.001 },
        { at: 0.99, rate: 0.001 },
      ],
      hint: "Draw your options with previewSchedule(myOptions) and compare with the description; the policies and their parameters are listed above.",
    }),
  ],
  success: "DIGITS would write exactly these steps into Caffe's solver.",
});
