/**
 * The network's accuracy on a split, measured by the check on the real
 * images: "validation accuracy 91%: the goal is 97%, try a lower learning rate".
 */
import type { SplitName } from "../../data";
import type { Expectation } from "../exercise";
import { AnswerProblem, readDataset, readModel } from "../answers";
import { formatCount, percentText } from "../../display/html";
import { measureAccuracy } from "../measure";

export interface AccuracyOptions {
  /** Name of the answer holding the network. Default "model" (what the lessons' check cells call it). */
  model?: string;
  /** Name of the answer holding the dataset. Default "data". */
  data?: string;
  /** Default "validation": the goal is about images the network did not train on. */
  split?: SplitName;
  /** Lowest accepted accuracy, 0 to 1. */
  atLeast: number;
  /** What to try when the goal is missed. */
  hint?: string;
}

export function accuracyAtLeast(options: AccuracyOptions): Expectation {
  const split = options.split ?? "validation";
  const Split = split[0].toUpperCase() + split.slice(1);
  return {
    describe: `${split} accuracy of at least ${percentText(options.atLeast)}`,
    async evaluate(answers) {
      const model = readModel(answers, options.model ?? "model");
      if (model instanceof AnswerProblem) return model.finding;
      const data = readDataset(answers, options.data ?? "data");
      if (data instanceof AnswerProblem) return data.finding;
      const { accuracy, correct, total } = await measureAccuracy(model, data, split);
      const measured = `${Split} accuracy ${percentText(accuracy)} (${formatCount(correct)} of ${formatCount(total)} images)`;
      if (accuracy >= options.atLeast) return { passed: true, message: `${measured}: the goal was ${percentText(options.atLeast)}.` };
      return { passed: false, message: `${measured}: the goal is ${percentText(options.atLeast)}.${options.hint ? " " + options.hint : ""}` };
    },
  };
}
