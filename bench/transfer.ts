/**
 * `npm run bench -- transfer [--task fashion-vgg|fashion-digits|fashion-turns|off-centre|fashion|digits|inverted] [--pretrained NAME] [--per-class N] [--seed S] [--feature-layer L] [--backbone-rate R] [--augment JSON]`
 * (defaults fashion-vgg, the task's network, 50, 1, the layer the head reads): the three ways to
 * get a classifier for a new task, measured in one run by compareApproaches:
 * from scratch, feature extraction and fine-tuning, with N training images
 * per class.
 *
 * - fashion-vgg: the small VGG pretrained on five Fashion-MNIST classes
 *   (fashion-five-vgg-small) reused for the other five, never seen by it;
 * - off-centre: the same five classes with every image, training,
 *   validation and test alike, moved, turned and zoomed once, for good
 *   (augmentedCopy with FASHION_OFF_CENTRE, a property of the task), from
 *   the small VGG that learnt the five source classes under the same kind of
 *   random changes (fashion-five-vgg-small-off-centre);
 * - fashion: the same task from DIGITS's LeNet (fashion-five-lenet);
 * - digits: Keras's classic set-up, the LeNet that learnt the digits 0 to 4
 *   (digits-0-4-lenet) reused for 5 to 9. An easy task: LeNet from scratch
 *   already does well on 50 digits per class, so the gap is small;
 * - inverted: the same ten classes in a new domain, dark clothes on white
 *   (fashion-lenet, trained on light on dark, reused on images it never
 *   trained on, inverted). Its backbone has seen these classes' labels.
 *
 * --pretrained reuses another shipped network for the task (e.g. the
 * off-centre task from fashion-five-vgg-small, which never saw a moved image).
 *
 * --feature-layer takes the features (and cuts the fine-tuned network)
 * at an earlier layer, e.g. flatten; from scratch then trains the same cut
 * network (untrainedCopy's upTo), so the comparison stays like for like.
 *
 * --backbone-rate sets fine-tuning's rate for the pretrained layers (default
 * compareApproaches's); --augment '{"flipHorizontal":true,"shift":0.1}'
 * augments from scratch's and fine-tuning's training images alike.
 *
 * Goals (issue 13): fine-tuning beats from scratch by at least 5 points of
 * test accuracy; feature extraction trains at least 5× faster than
 * fine-tuning. The first is not met by any set-up measured so far; LeNet or
 * a small VGG trained from scratch with early stopping is strong on 28×28
 * images even at 50 per class. Fine-tuning's gain in points (single runs of
 * this bench, 50 per class, load 6-13, 2026-12-02): fashion-vgg +1.6 (seed
 * 1), +0.2 (seed 2), +1.7 (seed 3); with --backbone-rate 1 +3.5, -0.3, +1.8;
 * with --feature-layer flatten +2.9 (feature extraction then only 3× faster);
 * with --augment (flip, shift 0.1) -0.4; fashion (LeNet) +0.9, with --augment
 * +3.6 (augmentation lowered from scratch's accuracy). The second goal held
 * at 6-12× except seed 2 (4.7×).
 *
 * off-centre tested the idea that a pretrained network helps by the
 * invariances it learnt from many images: it does not meet goal 1 either
 * (single runs, 50 per class, load 4-9, 2026-12-02). Fine-tuning's gain:
 * +0.8 (seed 1), -0.3 (seed 2), +3.1 (seed 3); with --backbone-rate 1
 * +2.4, +1.5, +2.5 (seeds 1-3); with --feature-layer flatten +3.5, +3.9
 * (seeds 1, 2; feature extraction then only 3.3-3.5× faster), and with
 * --backbone-rate 1 as well +3.1, +3.1; with
 * --augment set to FASHION_OFF_CENTRE for both +1.1, +2.2 (seeds 1, 2:
 * from scratch 70.9% → 78.4% and 69.4% → 74.2%, fine-tuning 79.5% and
 * 76.4%). With --pretrained
 * fashion-five-vgg-small (never trained on moved images) -1.0 (seed 1),
 * +0.4 (seed 2). The moved images cost from scratch 12 points (seed 1:
 * 70.9% here, 83.3% on the centred task), but feature extraction at the
 * layer the head reads does no better than from scratch (69-71%): features
 * learnt on five other classes, invariant or not, are not what from scratch
 * lacks, while random augmentation of its own 250 images gives it 7.5
 * and 4.8 points (seeds 1, 2). Feature extraction was 4.5-16× faster than fine-tuning
 * at that layer (39-47× with --augment, which slows fine-tuning), below 5× on
 * seed 3 (4.9×; 4.5× with --backbone-rate 1).
 * The centred task, rerun at seed 1 (load 4): +1.6 again, 4.6× faster.
 *
 * What each time counts is said in lib/transfer/compare.ts.
 */
import { loadavg } from "node:os";
import type { Benchmark } from "./run";
import { useBackend, backendInfo } from "../lib/backend";
import { augmentedCopy, keepClasses, split, type AugmentOptions, type Dataset } from "../lib/data";
import { loadFashionMnist, loadMnist } from "../lib/data/sources";
import { compareApproaches, loadPretrained } from "../lib/transfer";
import { FASHION_OFF_CENTRE, FASHION_OFF_CENTRE_SEED, FASHION_TARGET_CLASSES } from "../pretrained/recipes";

const fashionTargets = async () => keepClasses(await loadFashionMnist({ validation: 2000 }), FASHION_TARGET_CLASSES, { name: "Fashion-MNIST's five other classes" });

/** The five other classes with every image (train, validation and test alike) moved, turned and zoomed once, for good: a property of the task. */
const offCentreTargets = async () =>
  augmentedCopy(await fashionTargets(), FASHION_OFF_CENTRE, { seed: FASHION_OFF_CENTRE_SEED, name: "Fashion-MNIST's five other classes, off-centre" });

const TASKS: Record<string, { pretrained: string; data(): Promise<Dataset> }> = {
  fashion: { pretrained: "fashion-five-lenet", data: fashionTargets },
  "fashion-vgg": { pretrained: "fashion-five-vgg-small", data: fashionTargets },
  "fashion-digits": { pretrained: "fashion-five-digits-vgg-small", data: fashionTargets },
  "fashion-turns": { pretrained: "fashion-turns-vgg-small", data: fashionTargets },
  "off-centre": { pretrained: "fashion-five-vgg-small-off-centre", data: offCentreTargets },
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
  description: "transfer learning: from scratch vs feature extraction vs fine-tuning at 50 images per class (five Fashion-MNIST classes from a small VGG pretrained on the other five)",
  async run(args) {
    const perClass = Number(option(args, "per-class") ?? 50);
    const taskName = option(args, "task") ?? "fashion-vgg";
    const task = TASKS[taskName];
    if (!task) throw new Error(`No transfer task "${taskName}"; the tasks are ${Object.keys(TASKS).join(", ")}.`);
    const pretrained = option(args, "pretrained") ?? task.pretrained;
    const seed = Number(option(args, "seed") ?? 1);
    await useBackend();
    const loadBefore = loadavg();
    const data = await task.data();
    const featureLayer = option(args, "feature-layer");
    const backboneRate = option(args, "backbone-rate");
    const augment = option(args, "augment");
    const comparison = await compareApproaches({
      pretrained: () => loadPretrained(pretrained),
      data,
      imagesPerClass: [perClass],
      seed,
      featureLayer,
      backboneRate: backboneRate === undefined ? undefined : Number(backboneRate),
      train: augment === undefined ? undefined : { augment: JSON.parse(augment) as AugmentOptions },
      progress: false,
    });
    console.error(comparison.toString());
    const row = (approach: "scratch" | "fine-tuning" | "feature extraction") => comparison.row(approach, perClass);
    const scratch = row("scratch");
    const fineTune = row("fine-tuning");
    const features = row("feature extraction");
    return {
      imagesPerClass: perClass,
      pretrained,
      task: data.name,
      featureLayer: featureLayer ?? "the layer the head reads",
      backboneRate: backboneRate === undefined ? "compareApproaches's default" : Number(backboneRate),
      augment: augment === undefined ? "none" : JSON.parse(augment),
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
