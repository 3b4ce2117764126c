/**
 * A class's IoU the learner works out from a segmentation's pixel counts
 * equals the segmenter's own, measured by the check on the same scenes.
 * When the answer is the class's recall, precision or Dice score (the usual
 * slips), the message says so; it never gives the value.
 */
import type { SplitName } from "../../data";
import { SceneSet } from "../../data/scenes";
import { evaluateSegmentation, Segmenter } from "../../detect";
import type { Expectation } from "../exercise";
import { AnswerProblem, readInstance, readNumber } from "../answers";
import { formatNumber } from "../../display/html";

export interface SegmentationIoUOptions {
  segmenter: string;
  scenes: string;
  /** Default "test". */
  split?: SplitName;
  /** The class, as the scenes name it ("1"). */
  className: string;
  /** How to work it out, without the value. */
  hint?: string;
}

export function segmentationIoU(name: string, options: SegmentationIoUOptions): Expectation {
  const split = options.split ?? "test";
  const what = `the IoU of class "${options.className}" on the ${split} scenes`;
  return {
    describe: what,
    async evaluate(answers) {
      const answer = readNumber(answers, name);
      if (answer instanceof AnswerProblem) return answer.finding;
      const model = readInstance(answers, options.segmenter, Segmenter, "a Segmenter");
      if (model instanceof AnswerProblem) return model.finding;
      const scenes = readInstance(answers, options.scenes, SceneSet, "scenes (from makeScenes())");
      if (scenes instanceof AnswerProblem) return scenes.finding;
      const evaluation = await evaluateSegmentation(model, scenes, { split });
      const k = evaluation.classNames.indexOf(options.className);
      if (k < 0) throw new Error(`internal: the scenes have no class "${options.className}"`);
      const row = evaluation.counts[k];
      const tp = row[k];
      const fn = row.reduce((a, b) => a + b, 0) - tp;
      const fp = evaluation.counts.reduce((s, r) => s + r[k], 0) - tp;
      const metrics = { iou: tp / (tp + fp + fn), recall: tp / (tp + fn), precision: tp / (tp + fp), dice: (2 * tp) / (2 * tp + fp + fn) };
      const close = (v: number) => Math.abs(answer - v) <= 1e-9;
      if (close(metrics.iou)) return { passed: true, message: `\`${name}\` = ${formatNumber(answer)} is ${what}.` };
      const slip = close(metrics.recall)
        ? "that is the share of the class's true pixels that were found (its recall): the union also counts the pixels wrongly given the class."
        : close(metrics.precision)
          ? "that is the share of the pixels given the class that are right (its precision): the union also counts the class's pixels that were missed."
          : close(metrics.dice)
            ? "that is the Dice score, 2·TP / (2·TP + FP + FN), which counts the overlap twice: IoU counts it once."
            : Math.abs(answer - metrics.iou) <= 0.01
              ? "that is close, but rounded: compute it from the counts in code."
              : `it is not ${what}.`;
      return { passed: false, message: `Not yet: \`${name}\` is ${formatNumber(answer)}, and ${slip}${options.hint ? " " + options.hint : ""}` };
    },
  };
}
