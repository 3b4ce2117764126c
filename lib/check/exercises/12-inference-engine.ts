/** Lesson 12: from trained network to inference engine. */
import { defineExercise } from "../exercise";
import { allButWorstLayerInt8, batchWithinBudget } from "../expectations";

/** The latency budget of the batch exercise, in milliseconds: the lesson's text says the same number. */
export const LESSON_12_BUDGET_MS = 10;

defineExercise({
  id: "12-batch-budget",
  title: `Choose the batch size with the best throughput whose call stays within ${LESSON_12_BUDGET_MS} ms`,
  answers: ["chosenBatch", "sweep"],
  expectations: [batchWithinBudget("chosenBatch", { sweep: "sweep", budgetMs: LESSON_12_BUDGET_MS })],
  success: "That is how an inference server is configured: the deadline fixes the latency, the batch size buys throughput within it.",
});

defineExercise({
  id: "12-mixed-precision",
  title: "INT8 everywhere except the layer that hurts most",
  answers: ["mixed", "layerErrors"],
  expectations: [allButWorstLayerInt8("mixed", { errors: "layerErrors" })],
  success: "Mixed precision: TensorRT does the same when it keeps a layer in FP16 inside an INT8 engine.",
});
