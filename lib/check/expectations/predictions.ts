/**
 * The learner's predicted classes for the first images of a split are the
 * network's own: checks an inference step the learner wrote.
 */
import type { SplitName } from "../../data";
import type { Expectation } from "../exercise";
import { AnswerProblem, readDataset, readModel, readNumbers } from "../answers";
import { listing } from "../format";
import { formatNumber, plural } from "../../display/html";
import { predictClasses } from "../measure";

export interface PredictionsOptions {
  /** Name of the answer holding the predicted classes. */
  predictions: string;
  model: string;
  data: string;
  /** Default "test". */
  split?: SplitName;
  /** How many images, from the start of the split. */
  count: number;
  /** What to try when some differ. */
  hint?: string;
}

export function matchesModelPredictions(options: PredictionsOptions): Expectation {
  const split = options.split ?? "test";
  return {
    describe: `the predicted class of the first ${options.count} ${split} images`,
    async evaluate(answers) {
      const predictions = readNumbers(answers, options.predictions);
      if (predictions instanceof AnswerProblem) return predictions.finding;
      const model = readModel(answers, options.model);
      if (model instanceof AnswerProblem) return model.finding;
      const data = readDataset(answers, options.data);
      if (data instanceof AnswerProblem) return data.finding;
      const name = `\`${options.predictions}\``;
      if (predictions.length !== options.count) {
        return {
          passed: false,
          message: `${name} holds ${plural(predictions.length, "prediction")}; the exercise asks for one per image, ${options.count} in all.`,
        };
      }
      const classes = data.numClasses;
      const notClass = predictions.findIndex((p) => !Number.isInteger(p) || p < 0 || p >= classes);
      if (notClass >= 0) {
        return {
          passed: false,
          message:
            `${name}[${notClass}] is ${formatNumber(predictions[notClass])}, but a prediction is a class number from 0 to ${classes - 1}: ` +
            `the position of the largest of the network's ${classes} outputs.`,
        };
      }
      const expected = await predictClasses(model, data, split, options.count);
      const differ = predictions.map((p, i) => (p === expected[i] ? -1 : i)).filter((i) => i >= 0);
      if (differ.length === 0) return { passed: true, message: `All ${options.count} predictions are the network's.` };
      return {
        passed: false,
        message:
          `${differ.length} of your ${options.count} predictions ${differ.length === 1 ? "differs" : "differ"} from what the network says ` +
          `(at position${differ.length === 1 ? "" : "s"} ${listing(differ.map(String))}).` +
          (options.hint ? " " + options.hint : ""),
      };
    },
  };
}
