/**
 * The normalization method a dataset's pixels go through ("mean-image",
 * "standardize", ...), for exercises that ask for one way of getting there,
 * not only for the statistics it gives.
 */
import type { NormalizationMethod } from "../../data";
import type { Expectation } from "../exercise";
import { AnswerProblem, readDataset } from "../answers";

export interface NormalizationMethodOptions {
  method: NormalizationMethod;
  hint?: string;
}

export function normalizationMethod(name: string, options: NormalizationMethodOptions): Expectation {
  return {
    describe: `a dataset normalized with "${options.method}"`,
    async evaluate(answers) {
      const data = readDataset(answers, name);
      if (data instanceof AnswerProblem) return data.finding;
      const found = data.normalization.method;
      if (found === options.method) return { passed: true, message: `\`${name}\` is normalized with "${found}", as the exercise asks.` };
      return {
        passed: false,
        message: `\`${name}\` is normalized with "${found}"; the exercise asks for "${options.method}".${options.hint ? " " + options.hint : ""}`,
      };
    },
  };
}
