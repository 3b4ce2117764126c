/**
 * A number the learner works out (an output size, a parameter count). The
 * message never names the right value: only whether the answer is it, and
 * how to work it out.
 */
import type { Expectation } from "../exercise";
import { AnswerProblem, readNumber } from "../answers";
import { formatNumber } from "../../display/html";

export interface HiddenNumberOptions {
  value: number;
  /** Accepted distance from the value. Default 0 (exact). */
  tolerance?: number;
  /** What the number is: "the width of the feature map after pooling". */
  noun: string;
  /** How to work it out, without the answer. */
  hint: string;
}

export function hiddenNumber(name: string, options: HiddenNumberOptions): Expectation {
  const tolerance = options.tolerance ?? 0;
  return {
    describe: options.noun,
    evaluate(answers) {
      const answer = readNumber(answers, name);
      if (answer instanceof AnswerProblem) return answer.finding;
      if (Math.abs(answer - options.value) <= tolerance) return { passed: true, message: `${formatNumber(answer)} is ${options.noun}.` };
      return { passed: false, message: `Not yet: ${formatNumber(answer)} is not ${options.noun}. ${options.hint}` };
    },
  };
}
