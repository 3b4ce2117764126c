/** Lesson 13: two days to a demo, in one hour. */
import { defineExercise } from "../exercise";
import { bundleLabelsMatch, bundlePasses } from "../expectations";

defineExercise({
  id: "13-labels-order",
  title: "A bundle whose labels name the outputs in the order the network learned them",
  answers: ["signBundle", "signs"],
  expectations: [bundleLabelsMatch("signBundle", { data: "signs" })],
  success: "No check of the files could have caught this: only the dataset knows which output is which class.",
});

defineExercise({
  id: "13-nano-bundle",
  title: "A bundle that passes the check for a Jetson Nano on JetPack 4.6.1",
  answers: ["nanoCheck"],
  expectations: [bundlePasses("nanoCheck", { module: "Jetson Nano", tensorrt: "8.2.1", target: "a Jetson Nano on JetPack 4.6.1 (TensorRT 8.2.1)" })],
  success: "Fixed before the copy: on the Nano, the opset problem would have stopped the engine build with a parser error.",
});
