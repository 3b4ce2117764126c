/** How many layers of one kind a network has: "your network has 3 conv layers; the exercise asks for 2". */
import type { Expectation } from "../exercise";
import { AnswerProblem, readModel } from "../answers";
import { plural } from "../../display/html";
import { layerNoun, layersOfClass } from "./layer-names";

export interface LayerCountOptions {
  /** The tfjs class name: "Conv2D", "MaxPooling2D", "Dense", … */
  layer: string;
  count: number;
  /** Said after a wrong count. Default none. */
  hint?: string;
}

export function layerCount(name: string, options: LayerCountOptions): Expectation {
  const noun = layerNoun(options.layer);
  return {
    describe: `${plural(options.count, noun)} in \`${name}\``,
    evaluate(answers) {
      const model = readModel(answers, name);
      if (model instanceof AnswerProblem) return model.finding;
      const found = layersOfClass(model, options.layer).length;
      if (found === options.count) return { passed: true, message: `${plural(found, noun)}, as asked.` };
      return {
        passed: false,
        message: `Your network has ${plural(found, noun)}; the exercise asks for ${options.count}.${options.hint ? " " + options.hint : ""}`,
      };
    },
  };
}
