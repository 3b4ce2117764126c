/**
 * `npm run bench -- transfer [--task fashion-vgg|fashion-digits|fashion-turns|fashion-ten-turns|off-centre|fashion|digits|inverted] [--pretrained NAME] [--per-class N] [--seed S] [--feature-layer L] [--backbone-rate R] [--fine-tune-rate F] [--augment JSON] [--untrained-backbone]`
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
 * - fashion-digits: the same task from a small VGG that learnt the five
 *   source classes and MNIST's ten digits (fashion-five-digits-vgg-small);
 * - fashion-turns: the same task from a small VGG that learnt only which way
 *   up each Fashion-MNIST training image was turned (fashion-turns-vgg-small,
 *   self-supervised: it saw the target classes' training images, but no
 *   class label);
 * - fashion-ten-turns: all ten Fashion-MNIST classes from that same
 *   network (no class label ever reached it, so any classes are new to it);
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
 * --untrained-backbone is the control: the same network with random weights
 * (seed 1000 + S) goes through feature extraction and fine-tuning, so what
 * pretraining adds is the difference from a run without it.
 *
 * --feature-layer takes the features (and cuts the fine-tuned network)
 * at an earlier layer, e.g. flatten; from scratch then trains the same cut
 * network (untrainedCopy's upTo), so the comparison stays like for like.
 *
 * --backbone-rate sets fine-tuning's rate for the pretrained layers (default
 * compareApproaches's); --fine-tune-rate the learning rate of fine-tuning's
 * second step (default train's, from scratch's); --augment '{"flipHorizontal":true,"shift":0.1}'
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
 * Second round (2026-12-02, 16:57-17:30 UTC, single runs of this bench at
 * nice 19 beside other benchmarks, load 3-7 (each run's is in its JSON);
 * from scratch, fine-tuning and feature extraction in %, fine-tuning's gain
 * in points, feature extraction's speed-up over fine-tuning; seeds 1, 2, 3):
 * - fineTune is already LP-FT (the head trained on the frozen backbone's
 *   features first, then every layer at the lower backbone rate), so that
 *   idea was measured as it stands.
 * - --task fashion-digits (15 source classes): scratch 83.3 / 82.5 / 84.0,
 *   fine-tuning 84.8 / 83.8 / 85.0, features 84.5 / 82.8 / 82.9: +1.5, +1.3,
 *   +1.0 (mean +1.3); 6.7×, 8.3×, 24.7×.
 * - --task fashion-turns: +1.6, +1.3, -0.3 (mean +0.9); 9.4×, 5.3×, 9.6×.
 * - with --feature-layer flatten (from scratch trains the cut network:
 *   84.1 / 82.5 / 83.2): fashion-turns +3.3, +3.7, +2.5 (mean +3.2;
 *   fine-tuning 87.4 / 86.2 / 85.7, features 87.1 / 85.8 / 85.9; 4.4×, 8.4×,
 *   2.4×); fashion-vgg +2.9, +2.8, +3.2 (mean +3.0; 6.2×, 6.4×, 4.8×);
 *   fashion-turns with --backbone-rate 1 +3.0, +3.7, +2.9 (4.8×, 5.1×, 4.4×),
 *   with --fine-tune-rate 0.0001 +2.9, +3.3, +2.7 (4.8×, 5.6×, 3.3×), with
 *   --augment '{"flipHorizontal":true,"shift":0.1}' for both +3.8, +2.2,
 *   +3.9 (mean +3.3; from scratch 83.6 / 84.6 / 82.9; 21×, 137×, 5.8×).
 *   At flatten fine-tuning's own train() run keeps its first or second epoch
 *   (9-10 epochs with patience 8): it ends within half a point of the head
 *   trained on the pretrained features.
 * - --task fashion-ten-turns (all ten classes, from the network that never
 *   saw a class label): -1.9, -0.6, +0.2 at the layer the head reads; with
 *   --feature-layer flatten +4.6, +2.3, +4.8 (mean +3.9; from scratch
 *   76.1 / 78.2 / 76.6, fine-tuning 80.7 / 80.5 / 81.5; 5.1×, 22×, 6.4×).
 * - The control, --untrained-backbone (the same small VGG with random
 *   weights through both steps): fashion-vgg at the layer the head reads
 *   +0.8, +0.6, -0.4 (mean +0.3; features 82.2 / 81.1 / 82.9); at flatten
 *   +2.2, +2.9, +0.1 (mean +1.7; features 85.5 / 84.7 / 83.6);
 *   fashion-ten-turns at flatten +3.4, +0.7, +1.4 (mean +1.8;
 *   features 79.4 / 78.4 / 78.1, the turns network's 80.7 / 80.2 / 80.7).
 *   A logistic regression on an untrained network's 1,568 conv features
 *   already beats training that network from scratch on 250 images, so of
 *   the +3 to +4 at flatten only 1-2 points are pretraining's, and at the
 *   layer the head reads pretraining adds about one point.
 * So the 5-point goal is out of reach with the data that ships: five
 * Fashion-MNIST classes, fifteen classes with MNIST's digits, or the turns
 * of every Fashion-MNIST image give 28×28 gray features that lift 250 (or
 * 500) images by 1-2 points over random features and the same recipe.
 *
 * What each time counts is said in lib/transfer/compare.ts.
 */
import { loadavg } from "node:os";
import type { Benchmark } from "./run";
import { useBackend, backendInfo } from "../lib/backend";
import { augmentedCopy, keepClasses, split, type AugmentOptions, type Dataset } from "../lib/data";
import { loadFashionMnist, loadMnist } from "../lib/data/sources";
import { compareApproaches, loadPretrained, untrainedCopy } from "../lib/transfer";
import { Flags, numberFlag, OptionError, textFlag } from "./support/options";
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
  "fashion-ten-turns": { pretrained: "fashion-turns-vgg-small", data: () => loadFashionMnist({ validation: 2000 }) },
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

/** The options' values, checked before any data is loaded: a bad value fails at once, not after minutes of training. */
function transferOptions(flags: Flags) {
  const optionalNumber = (name: string) => (flags.has(name) ? numberFlag(flags, name, Number.NaN) : undefined);
  const augment = textFlag(flags, "augment");
  let augmentOptions: AugmentOptions | undefined;
  try {
    augmentOptions = augment === undefined ? undefined : (JSON.parse(augment) as AugmentOptions);
  } catch {
    throw new OptionError(`--augment needs augmentation options as JSON, e.g. '{"flipHorizontal":true,"shift":0.1}'; got ${augment}.`);
  }
  return {
    perClass: numberFlag(flags, "per-class", 50),
    taskName: textFlag(flags, "task") ?? "fashion-vgg",
    pretrained: textFlag(flags, "pretrained"),
    seed: numberFlag(flags, "seed", 1),
    featureLayer: textFlag(flags, "feature-layer"),
    backboneRate: optionalNumber("backbone-rate"),
    fineTuneRate: optionalNumber("fine-tune-rate"),
    augment: augmentOptions,
    untrained: flags.get("untrained-backbone") === true,
  };
}

const round = (x: number, digits: number) => Number(x.toFixed(digits));

const benchmark: Benchmark = {
  description: "transfer learning: from scratch vs feature extraction vs fine-tuning at 50 images per class (five Fashion-MNIST classes from a small VGG pretrained on the other five)",
  options: {
    task: "NAME: the task (default fashion-vgg; the header above describes each)",
    pretrained: "NAME: another shipped network as the backbone (default the task's)",
    "per-class": "N: training images per class (default 50)",
    seed: "S: the seed of the split and the weights (default 1)",
    "feature-layer": "L: take the features, and cut the fine-tuned network, at layer L (default the layer the head reads)",
    "backbone-rate": "R: fine-tuning's rate for the pretrained layers (default compareApproaches's)",
    "fine-tune-rate": "F: the learning rate of fine-tuning's second step (default train's)",
    augment: "JSON: augmentation for from scratch's and fine-tuning's training images, e.g. '{\"flipHorizontal\":true,\"shift\":0.1}'",
    "untrained-backbone": "the control: the same network with random weights (seed 1000 + S)",
  },
  async run(flags) {
    const { perClass, taskName, seed, featureLayer, backboneRate, fineTuneRate, augment, untrained, ...chosen } = transferOptions(flags);
    const task = TASKS[taskName];
    if (!task) throw new OptionError(`No transfer task "${taskName}"; the tasks are ${Object.keys(TASKS).join(", ")}.`);
    const pretrained = chosen.pretrained ?? task.pretrained;
    await useBackend();
    const loadBefore = loadavg();
    const data = await task.data();
    // The control (--untrained-backbone): the same network with random weights in place of the pretrained ones (weights seed 1000 + S).
    const comparison = await compareApproaches({
      pretrained: async () => (untrained ? untrainedCopy(await loadPretrained(pretrained), { seed: 1000 + seed }) : loadPretrained(pretrained)),
      data,
      imagesPerClass: [perClass],
      seed,
      featureLayer,
      backboneRate,
      fineTuneLearningRate: fineTuneRate,
      train: augment === undefined ? undefined : { augment },
      progress: false,
    });
    console.error(comparison.toString());
    const row = (approach: "scratch" | "fine-tuning" | "feature extraction") => comparison.row(approach, perClass);
    const scratch = row("scratch");
    const fineTune = row("fine-tuning");
    const features = row("feature extraction");
    return {
      imagesPerClass: perClass,
      pretrained: untrained ? `${pretrained}, untrained (random weights, seed ${1000 + seed})` : pretrained,
      task: data.name,
      featureLayer: featureLayer ?? "the layer the head reads",
      backboneRate: backboneRate ?? "compareApproaches's default",
      fineTuneRate: fineTuneRate ?? "train's",
      augment: augment ?? "none",
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
