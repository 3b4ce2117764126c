/**
 * `npm run bench -- transfer [--task fashion|digits|inverted] [--per-class N] [--seed S]`
 * (defaults fashion, 50, 1): the three ways to get a classifier for a new
 * task, measured in one run by compareApproaches: from scratch, feature
 * extraction and fine-tuning, with N training images per class.
 *
 * - fashion: the LeNet pretrained on five Fashion-MNIST classes
 *   (fashion-five-lenet) reused for the other five, never seen by it;
 * - digits: Keras's classic set-up, the LeNet that learnt the digits 0 to 4
 *   (digits-0-4-lenet) reused for 5 to 9. An easy task: LeNet from scratch
 *   already does well on 50 digits per class, so the gap is small;
 * - inverted: the same ten classes in a new domain, dark clothes on white
 *   (fashion-lenet, trained on light on dark, reused on images it never
 *   trained on, inverted).
 *
 * Goals (issue 13): fine-tuning beats from scratch by at least 5 points of
 * test accuracy; feature extraction trains at least 5× faster than
 * fine-tuning. What each time counts is said in lib/transfer/compare.ts.
 */
import { loadavg } from "node:os";
import type { Benchmark } from "./run";
import { useBackend, backendInfo } from "../lib/backend";
import { augmentedCopy, keepClasses, split, type Dataset } from "../lib/data";
import { loadFashionMnist, loadMnist } from "../lib/data/sources";
import { compareApproaches, loadPretrained } from "../lib/transfer";
import { FASHION_TARGET_CLASSES } from "../pretrained/recipes";

const fashionTargets = async () => keepClasses(await loadFashionMnist({ validation: 2000 }), FASHION_TARGET_CLASSES, { name: "Fashion-MNIST's five other classes" });

const TASKS: Record<string, { pretrained: string; data(): Promise<Dataset> }> = {
  fashion: { pretrained: "fashion-five-lenet", data: fashionTargets },
  "fashion-vgg": { pretrained: "fashion-five-vgg-small", data: fashionTargets },
  inverted: {
    pretrained: "fashion-lenet",
    data: async () => {
      const fashion = await loadFashionMnist({ validation: 2000 });
      // Only images fashion-lenet never trained on (its validation and test images), dealt 60/20/20 again.
      const unseen = Int32Array.from([...fashion.indices("validation"), ...fashion.indices("test")]);
      const none = new Int32Array(0);
      const task = split(fashion.withSplits({ train: unseen, validation: none, test: none }), { train: 0.6, validation: 0.2, test: 0.2, seed: 0 });
      return augmentedCopy(task, { invert: true }, { name: "Fashion-MNIST inverted (dark clothes on white)" });
    },
  },
  digits: {
    pretrained: "digits-0-4-lenet",
    data: async () => keepClasses(await loadMnist(), ["5", "6", "7", "8", "9"], { name: "MNIST digits 5-9" }),
  },
};

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

const round = (x: number, digits: number) => Number(x.toFixed(digits));

const benchmark: Benchmark = {
  description: "transfer learning: from scratch vs feature extraction vs fine-tuning at 50 images per class (five Fashion-MNIST classes from a LeNet pretrained on the other five)",
  async run(args) {
    const perClass = Number(option(args, "per-class") ?? 50);
    const taskName = option(args, "task") ?? "fashion";
    const task = TASKS[taskName];
    if (!task) throw new Error(`No transfer task "${taskName}"; the tasks are ${Object.keys(TASKS).join(", ")}.`);
    const { pretrained } = task;
    const seed = Number(option(args, "seed") ?? 1);
    await useBackend();
    const loadBefore = loadavg();
    const data = await task.data();
    const comparison = await compareApproaches({ pretrained: () => loadPretrained(pretrained), data, imagesPerClass: [perClass], seed, progress: false });
    console.error(comparison.toString());
    const row = (approach: "scratch" | "fine-tuning" | "feature extraction") => comparison.row(approach, perClass);
    const scratch = row("scratch");
    const fineTune = row("fine-tuning");
    const features = row("feature extraction");
    return {
      imagesPerClass: perClass,
      pretrained,
      task: data.name,
      testImages: data.size("test"),
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
