/**
 * `npm run bench -- transfer [--per-class N] [--pretrained NAME] [--seed S]`
 * (defaults 50, digits-0-4-lenet, 1): the three ways to get a classifier for
 * a new task, measured in one run by compareApproaches: from scratch,
 * feature extraction and fine-tuning. The task is Keras's classic transfer
 * set-up: a LeNet that learnt the digits 0 to 4 is reused for the digits 5
 * to 9 (MNIST's, never seen by it), with N training images per class.
 *
 * Goals (issue 13): fine-tuning beats from scratch by at least 5 points of
 * test accuracy; feature extraction trains at least 5× faster than
 * fine-tuning. What each time counts is said in lib/transfer/compare.ts.
 */
import { loadavg } from "node:os";
import type { Benchmark } from "./run";
import { useBackend, backendInfo } from "../lib/backend";
import { keepClasses } from "../lib/data";
import { loadMnist } from "../lib/data/sources";
import { compareApproaches, loadPretrained } from "../lib/transfer";

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

const round = (x: number, digits: number) => Number(x.toFixed(digits));

const benchmark: Benchmark = {
  description: "transfer learning: from scratch vs feature extraction vs fine-tuning, digits 5-9 from a LeNet pretrained on 0-4, 50 images per class",
  async run(args) {
    const perClass = Number(option(args, "per-class") ?? 50);
    const pretrained = option(args, "pretrained") ?? "digits-0-4-lenet";
    const seed = Number(option(args, "seed") ?? 1);
    await useBackend();
    const loadBefore = loadavg();
    const digits = await keepClasses(await loadMnist(), ["5", "6", "7", "8", "9"], { name: "MNIST digits 5-9" });
    const comparison = await compareApproaches({ pretrained: () => loadPretrained(pretrained), data: digits, imagesPerClass: [perClass], seed, progress: false });
    console.error(comparison.toString());
    const row = (approach: "scratch" | "fine-tuning" | "feature extraction") => comparison.row(approach, perClass);
    const scratch = row("scratch");
    const fineTune = row("fine-tuning");
    const features = row("feature extraction");
    return {
      imagesPerClass: perClass,
      pretrained,
      task: digits.name,
      testImages: digits.size("test"),
      scratchAccuracy: round(scratch.testAccuracy, 4),
      fineTuneAccuracy: round(fineTune.testAccuracy, 4),
      featureExtractionAccuracy: round(features.testAccuracy, 4),
      scratchSeconds: round(scratch.seconds, 2),
      fineTuneSeconds: round(fineTune.seconds, 2),
      featureExtractionSeconds: round(features.seconds, 2),
      fineTuneGainPoints: round(100 * (fineTune.testAccuracy - scratch.testAccuracy), 1),
      featureExtractionSpeedup: round(fineTune.seconds / features.seconds, 1),
      goals: {
        fineTuneBeatsScratchBy5Points: fineTune.testAccuracy - scratch.testAccuracy >= 0.05,
        featureExtraction5xFasterThanFineTune: fineTune.seconds >= 5 * features.seconds,
      },
      backend: backendInfo().backend,
      loadAverage: [loadBefore, loadavg()].map((l) => l.map((x) => round(x, 2))),
    };
  },
};

export default benchmark;
