/** Each split's share of a dataset's images: "the validation split holds 25%; the exercise asks for 20%". */
import { SPLIT_NAMES, SplitName } from "../../data";
import type { Expectation } from "../exercise";
import { AnswerProblem, readDataset } from "../answers";
import { percentText } from "../../display/html";

export interface SplitSharesOptions {
  /** Wanted share of each named split, 0 to 1. */
  shares: Partial<Record<SplitName, number>>;
  /** Accepted distance, as a share: rounding per class moves a split by an image or two. Default 0.02. */
  tolerance?: number;
  hint?: string;
}

export function splitShares(name: string, options: SplitSharesOptions): Expectation {
  const tolerance = options.tolerance ?? 0.02;
  const asked = SPLIT_NAMES.filter((split) => options.shares[split] !== undefined);
  return {
    describe: asked.map((split) => `${percentText(options.shares[split]!)} ${split}`).join(", "),
    evaluate(answers) {
      const data = readDataset(answers, name);
      if (data instanceof AnswerProblem) return data.finding;
      const total = data.size();
      if (total === 0) return { passed: false, message: `\`${name}\` has no images in any split.` };
      const found = asked.map((split) => ({ split, share: data.size(split) / total, wanted: options.shares[split]! }));
      const holds = found.map(({ split, share }) => `${percentText(share)} ${split}`).join(", ");
      if (found.every(({ share, wanted }) => Math.abs(share - wanted) <= tolerance)) {
        return { passed: true, message: `The splits hold ${holds} of the images, as asked.` };
      }
      const asks = found.map(({ split, wanted }) => `${percentText(wanted)} ${split}`).join(", ");
      return { passed: false, message: `The splits hold ${holds} of the images; the exercise asks for ${asks}.${options.hint ? " " + options.hint : ""}` };
    },
  };
}
