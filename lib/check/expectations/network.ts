/** The answer is a tfjs network at all: the gate before any question about its layers. */
import type { Expectation } from "../exercise";
import { AnswerProblem, readModel } from "../answers";
import { plural } from "../../display/html";

export function isNetwork(name: string): Expectation {
  return {
    describe: `\`${name}\` is a network`,
    gate: true,
    evaluate(answers) {
      const model = readModel(answers, name);
      if (model instanceof AnswerProblem) return model.finding;
      if (model.inputs.length === 0) {
        return { passed: false, message: `\`${name}\` has no input shape yet: give its first layer an inputShape, e.g. inputShape: [28, 28, 1].` };
      }
      return { passed: true, message: `\`${name}\` is a network of ${plural(model.layers.length, "layer")}.` };
    },
  };
}
