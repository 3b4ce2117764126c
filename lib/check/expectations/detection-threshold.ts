/**
 * A detector's score threshold chosen for a goal: at least a given share of
 * the detections it reports are right (precision at IoU 0.5), finding as
 * many objects as that allows (recall close to the best any threshold
 * reaches with that precision). Measured by the check on the split the
 * threshold is tuned on; messages say which way to move, never where to.
 */
import type { SplitName } from "../../data";
import { SceneSet } from "../../data/scenes";
import { type DetectionRun, SingleShotDetector } from "../../detect";
import type { Expectation } from "../exercise";
import { AnswerProblem, readInstance, readNumber } from "../answers";
import { formatNumber, percentText } from "../../display/html";

export interface DetectionThresholdOptions {
  /** Name of the answer holding the SingleShotDetector. */
  detector: string;
  /** Name of the answer holding the SceneSet. */
  scenes: string;
  /** Default "validation". */
  split?: SplitName;
  /** The precision the reported detections must reach, 0 to 1. */
  precision: number;
  /** How far below the best reachable recall (at that precision) the threshold's recall may be. Default 0.02. */
  recallSlack?: number;
}

const runs = new WeakMap<SingleShotDetector, { scenes: SceneSet; split: SplitName; run: DetectionRun }>();

export function detectionThreshold(name: string, options: DetectionThresholdOptions): Expectation {
  const split = options.split ?? "validation";
  const slack = options.recallSlack ?? 0.02;
  return {
    describe: `a score threshold with precision ≥ ${percentText(options.precision)} and as much recall as that allows`,
    async evaluate(answers) {
      const threshold = readNumber(answers, name);
      if (threshold instanceof AnswerProblem) return threshold.finding;
      if (threshold < 0 || threshold > 1) return { passed: false, message: `\`${name}\` is ${formatNumber(threshold)}; scores are probabilities, so a threshold is between 0 and 1.` };
      const detector = readInstance(answers, options.detector, SingleShotDetector, "a SingleShotDetector");
      if (detector instanceof AnswerProblem) return detector.finding;
      const scenes = readInstance(answers, options.scenes, SceneSet, "scenes (from makeScenes())");
      if (scenes instanceof AnswerProblem) return scenes.finding;
      let cached = runs.get(detector);
      if (!cached || cached.scenes !== scenes || cached.split !== split) {
        cached = { scenes, split, run: await detector.detect(scenes, { split, minScore: 0.01 }) };
        runs.set(detector, cached);
      }
      const run = cached.run;
      const at = (t: number) => run.evaluate({ scoreThreshold: t });
      const chosen = at(threshold);
      const found = `With ${formatNumber(threshold)}, the detector's reports on the ${split} scenes are ${percentText(chosen.precision)} right (precision) and find ${percentText(chosen.recall)} of the digits (recall)`;
      if (chosen.precision < options.precision) {
        return { passed: false, message: `${found}: the goal is a precision of at least ${percentText(options.precision)}. Raise the threshold, so that fewer doubtful detections are reported.` };
      }
      let best = 0;
      for (const t of new Set(run.detections.flat().map((d) => d.score))) {
        const e = at(t);
        if (e.precision >= options.precision && e.recall > best) best = e.recall;
      }
      if (chosen.recall + slack < best) {
        return { passed: false, message: `${found}: the precision goal is met, but a lower threshold would meet it too and find more digits. Lower it as far as the precision allows.` };
      }
      return { passed: true, message: `${found}: the precision goal is met with about as many digits found as it allows.` };
    },
  };
}
