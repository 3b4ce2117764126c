/**
 * A precision, recall or F1 the learner works out (from a confusion matrix,
 * say) equals the model's own, measured by the check on the same split. The
 * message never gives the value; when the answer is one of the other two
 * metrics, it says so, since mixing them up is the usual slip.
 */
import type { SplitName } from "../../data";
import type { Expectation } from "../exercise";
import { AnswerProblem, readDataset, readModel, readNumber } from "../answers";
import { classScores, countAnswers } from "../class-scores";
import { formatNumber } from "../../display/html";

export type ClassMetricName = "precision" | "recall" | "f1";

export interface ClassMetricOptions {
  metric: ClassMetricName;
  /** Name of the answer holding the network. */
  model: string;
  /** Name of the answer holding the dataset. */
  data: string;
  /** Default "test". */
  split?: SplitName;
  /** The class, by name ("7") or index. */
  className: string | number;
  /**
   * Accepted distance. Default 1e-9: the learner computes it from the counts
   * in code, which gives exactly the check's value; a number copied from a
   * printed (rounded) table is not accepted.
   */
  tolerance?: number;
  /** How to work it out, without the value. */
  hint?: string;
}

const METRIC_WORDS: Record<ClassMetricName, string> = { precision: "precision", recall: "recall", f1: "F1 score" };

export function classMetric(name: string, options: ClassMetricOptions): Expectation {
  const split = options.split ?? "test";
  const tolerance = options.tolerance ?? 1e-9;
  const word = METRIC_WORDS[options.metric];
  const what = `the ${word} of class "${options.className}" on the ${split} split`;
  return {
    describe: what,
    async evaluate(answers) {
      const answer = readNumber(answers, name);
      if (answer instanceof AnswerProblem) return answer.finding;
      const model = readModel(answers, options.model);
      if (model instanceof AnswerProblem) return model.finding;
      const data = readDataset(answers, options.data);
      if (data instanceof AnswerProblem) return data.finding;
      const { isPositive, predictedPositive } = await classScores(model, data, split, options.className);
      const counts = countAnswers(isPositive, (i) => predictedPositive[i] === 1);
      const close = (metric: ClassMetricName) => Math.abs(answer - counts[metric]) <= tolerance;
      if (close(options.metric)) return { passed: true, message: `\`${name}\` = ${formatNumber(answer)} is ${what}.` };
      const mixedUp = (Object.keys(METRIC_WORDS) as ClassMetricName[]).find((m) => m !== options.metric && close(m));
      const rounded = Math.abs(answer - counts[options.metric]) <= 0.01;
      const why = mixedUp
        ? `that is the ${METRIC_WORDS[mixedUp]}, not the ${word}.`
        : rounded
          ? "that is close, but rounded: compute it from the counts in code rather than typing a number in."
          : answer > 1 || answer < 0
          ? `a ${word} is a share, between 0 and 1.`
          : `it is not ${what}.`;
      return { passed: false, message: `Not yet: \`${name}\` is ${formatNumber(answer)}, and ${why}${options.hint ? " " + options.hint : ""}` };
    },
  };
}
