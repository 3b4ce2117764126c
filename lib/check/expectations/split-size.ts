/** How many images a split holds: "the training split holds 8,000 images; the exercise uses 500". */
import type { SplitName } from "../../data";
import type { Expectation } from "../exercise";
import { AnswerProblem, readDataset } from "../answers";
import { plural } from "../../display/html";

export interface SplitSizeOptions {
  /** The split to count. Default "train". */
  split?: SplitName;
  /** The number of images the exercise works with. */
  images: number;
  hint?: string;
}

export function splitSize(name: string, options: SplitSizeOptions): Expectation {
  const split = options.split ?? "train";
  return {
    describe: `\`${name}\` has ${plural(options.images, "image")} in its ${split} split`,
    evaluate(answers) {
      const data = readDataset(answers, name);
      if (data instanceof AnswerProblem) return data.finding;
      const found = data.size(split);
      if (found === options.images) return { passed: true, message: `\`${name}\`'s ${split} split holds ${plural(found, "image")}, as the exercise asks.` };
      return {
        passed: false,
        message: `\`${name}\`'s ${split} split holds ${plural(found, "image")}; the exercise works with ${plural(options.images, "image")}.${options.hint ? " " + options.hint : ""}`,
      };
    },
  };
}
