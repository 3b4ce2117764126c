/**
 * A decision threshold chosen for a goal: "find at least 97% of the 7s"
 * (recall), with as few false alarms as that allows (precision close to the
 * best any threshold reaches at that recall). Both are measured by the check
 * on the split the threshold was tuned on; the messages say which way to
 * move the threshold, never where to put it.
 */
import type { SplitName } from "../../data";
import { precisionRecallCurve } from "../../evaluate";
import type { Expectation } from "../exercise";
import { AnswerProblem, readDataset, readModel, readNumber } from "../answers";
import { classScores, countAnswers } from "../class-scores";
import { formatNumber, percentText } from "../../display/html";

export interface ThresholdOptions {
  /** Name of the answer holding the network. */
  model: string;
  /** Name of the answer holding the dataset. */
  data: string;
  /** Default "validation": thresholds are tuned there, and reported on test. */
  split?: SplitName;
  /** The class a score above the threshold announces, by name or index. */
  className: string | number;
  /** The recall the threshold must reach, 0 to 1. */
  recall: number;
  /**
   * How far below the best reachable precision (at that recall) the
   * threshold's precision may be. Default 0.02.
   */
  precisionSlack?: number;
}

export function thresholdForRecall(name: string, options: ThresholdOptions): Expectation {
  const split = options.split ?? "validation";
  const slack = options.precisionSlack ?? 0.02;
  return {
    describe: `a threshold that finds ${percentText(options.recall)} of class "${options.className}" with few false alarms`,
    async evaluate(answers) {
      const threshold = readNumber(answers, name);
      if (threshold instanceof AnswerProblem) return threshold.finding;
      if (threshold < 0 || threshold > 1) {
        return { passed: false, message: `\`${name}\` is ${formatNumber(threshold)}, but it is compared with probabilities, so it must be between 0 and 1.` };
      }
      const model = readModel(answers, options.model);
      if (model instanceof AnswerProblem) return model.finding;
      const data = readDataset(answers, options.data);
      if (data instanceof AnswerProblem) return data.finding;
      const { isPositive, scores } = await classScores(model, data, split, options.className);
      const at = (t: number) => countAnswers(isPositive, (i) => scores[i] >= t);
      const chosen = at(threshold);
      const found = `With a threshold of ${formatNumber(threshold)}, recall on the ${split} split is ${percentText(chosen.recall)} and precision ${percentText(chosen.precision)}`;
      if (chosen.recall < options.recall) {
        return {
          passed: false,
          message: `${found}: the goal is a recall of at least ${percentText(options.recall)}. Lower the threshold, so that more images count as "${options.className}".`,
        };
      }
      // The best precision any threshold reaches with that recall.
      const curve = precisionRecallCurve(isPositive, scores);
      let best = 0;
      curve.recall.forEach((recall, i) => {
        if (recall >= options.recall && curve.precision[i] > best) best = curve.precision[i];
      });
      if (chosen.precision + slack < best) {
        return {
          passed: false,
          message:
            `${found}: the recall is reached, but a higher threshold would reach it too with fewer false alarms. ` +
            `Raise the threshold as far as the recall allows.`,
        };
      }
      return { passed: true, message: `${found}: the recall goal is met with about as few false alarms as it allows.` };
    },
  };
}
