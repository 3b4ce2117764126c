/**
 * How lesson 11's detector and segmenter are trained: one place for the
 * scenes, the networks and the training options, used by the pretrain
 * recipes (pretrained/, `npm run pretrain`) and by the detection benchmark.
 * The held-out scenes the benchmark and the lesson measure on are drawn from
 * MNIST's test split with another seed: digits these networks never saw.
 */
import { makeScenes, type MakeScenesOptions, type SceneSet } from "../data/scenes";
import { conv, dense, maxPool, sequential, softmax } from "../models";
import { train, type TrainOptions, type TrainingResult } from "../train";
import { singleShotDetector, type SingleShotDetector } from "./single-shot/single-shot-detector";
import type * as tf from "@tensorflow/tfjs";
import { regionDataset } from "./region-dataset";
import { segmenter, type Segmenter } from "./segmentation/segmenter";

/** The training scenes: 4,000 from MNIST's train split, 300 for validation from its validation split. */
export const TRAINING_SCENES: MakeScenesOptions = { source: "mnist", count: { train: 4000, validation: 300 }, seed: 1 };
/** The held-out scenes: from MNIST's test split, another seed. */
export const HELD_OUT_SCENES: MakeScenesOptions = { source: "mnist", seed: 2 };

/** Adam with two late drops of the rate; no weight decay (the scenes are plentiful). */
const SHARED: TrainOptions = {
  solver: "adam",
  batchSize: 32,
  weightDecay: 0,
  biasLearningRateMultiplier: 1,
  lrPolicy: { policy: "multistep", stepValues: [70, 90], gamma: 0.2 },
  randomSeed: 1,
  snapshots: false,
};
export const DETECTOR_TRAINING: TrainOptions = { ...SHARED, epochs: 16, learningRate: 0.002 };
export const SEGMENTER_TRAINING: TrainOptions = { ...SHARED, epochs: 6, learningRate: 0.003 };

/** `count` held-out scenes (default 500), for measuring. */
export function heldOutScenes(count = 500): Promise<SceneSet> {
  return makeScenes({ ...HELD_OUT_SCENES, count: { test: count } });
}

/** Trains the lesson's detector from seed 1 (what `npm run pretrain -- scene-detector` runs). */
export async function trainSceneDetector(options: TrainOptions = {}, scenes?: SceneSet): Promise<{ detector: SingleShotDetector; scenes: SceneSet; run: TrainingResult }> {
  const data = scenes ?? (await makeScenes(TRAINING_SCENES));
  const detector = singleShotDetector({ classNames: data.classNames, seed: 1 });
  const run = await train(detector.model, data.dataset, { ...DETECTOR_TRAINING, ...options, objective: detector.objective(data) });
  return { detector, scenes: data, run };
}

/** Trains the lesson's segmenter from seed 1 (what `npm run pretrain -- scene-segmenter` runs). */
export async function trainSceneSegmenter(options: TrainOptions = {}, scenes?: SceneSet): Promise<{ segmenter: Segmenter; scenes: SceneSet; run: TrainingResult }> {
  const data = scenes ?? (await makeScenes(TRAINING_SCENES));
  const model = segmenter({ classNames: data.classNames, seed: 1 });
  const run = await train(model.model, data.dataset, { ...SEGMENTER_TRAINING, ...options, objective: model.objective(data) });
  return { segmenter: model, scenes: data, run };
}

/** The region classifier of lesson 11: lesson 7's small CNN with background and the ten digits. */
export function regionClassifier(seed = 1): tf.Sequential {
  return sequential(
    [conv({ filters: 8, kernel: 5, activation: "relu" }), maxPool(2), conv({ filters: 16, kernel: 5, activation: "relu" }), maxPool(2), dense({ units: 11 }), softmax()],
    { inputShape: [28, 28, 1], seed, name: "region-classifier" },
  );
}
export const REGION_CLASSIFIER_TRAINING: TrainOptions = { epochs: 3, solver: "adam", learningRate: 0.003, lrPolicy: "fixed", randomSeed: 1, snapshots: false };

/** Trains the region classifier on regions cut from `scenes` (lesson 11 does the same step by step). */
export async function trainRegionClassifier(scenes: SceneSet, options: TrainOptions = {}): Promise<{ classifier: tf.Sequential; run: TrainingResult }> {
  const regions = await regionDataset(scenes, { seed: 1 });
  const classifier = regionClassifier(1);
  const run = await train(classifier, regions, { ...REGION_CLASSIFIER_TRAINING, ...options });
  return { classifier, run };
}
