/**
 * `npm run bench -- detection [--train] [--rounds R] [--speed-scenes S]`:
 * lesson 11's detectors on 500 held-out scenes (MNIST's test digits, a seed
 * no training used).
 *
 * - mAP50: the single-shot detector's mAP at IoU 0.5 (target ≥ 0.90);
 * - meanIoU: the segmenter's mean IoU over background and the ten digits
 *   (target ≥ 0.80);
 * - imgPerSec: scenes per second, from the scene's pixels to its boxes, of
 *   sliding windows, proposals + classifier, the FCN and the single-shot
 *   detector, measured in one process in interleaved rounds on the same
 *   scenes (the median round), so load from other processes hits them alike.
 *
 * The detector and segmenter are the pretrained ones (pretrained/, rebuilt by
 * `npm run pretrain`), or, with --train, trained here from their recipes. The
 * region classifier the first three methods share trains here (a minute).
 */
import { loadavg } from "node:os";
import type { Benchmark } from "./run";
import { makeScenes } from "../lib/data/scenes";
import {
  evaluateSegmentation,
  fcnDetect,
  heldOutScenes,
  proposalDetect,
  Segmenter,
  SingleShotDetector,
  slidingWindowDetect,
  toFullyConvolutional,
  trainRegionClassifier,
  trainSceneDetector,
  trainSceneSegmenter,
  type DetectionRun,
} from "../lib/detect";
import { listPretrained, loadPretrained } from "../lib/transfer";
import { useBackend } from "../lib/backend";
import { numberFlag } from "./support/options";
import { median } from "./support/median";

/** The pretrained segmenter, or undefined (said on stderr and in the result) when pretrained/ does not hold it yet. */
async function pretrainedSegmenter(log: (line: string) => void): Promise<Segmenter | undefined> {
  if (!listPretrained().includes("scene-segmenter")) {
    log("pretrained/scene-segmenter is missing: meanIoU is left out (build it with `npm run pretrain -- scene-segmenter`, or pass --train)");
    return undefined;
  }
  return Segmenter.fromModel(await loadPretrained("scene-segmenter"));
}

const round = (x: number, digits = 3) => Number(x.toFixed(digits));

const benchmark: Benchmark = {
  description: "lesson 11 on 500 held-out scenes: single-shot mAP@0.5, segmentation mean IoU, scenes/s of sliding windows, proposals, FCN, single-shot",
  options: {
    train: "train the detector and segmenter here from their recipes instead of loading pretrained/",
    rounds: "R: interleaved rounds of the speed measurements (default 3)",
    "speed-scenes": "S: scenes per speed measurement (default 25)",
  },
  async run(flags) {
    const rounds = numberFlag(flags, "rounds", 3);
    const speedScenes = numberFlag(flags, "speed-scenes", 25);
    const trainHere = flags.has("train");
    const log = (line: string) => console.error(`[detection] ${line}`);
    const loadAtStart = loadavg().map((l) => round(l, 2));
    await useBackend();
    const scenes = await heldOutScenes(500);
    const detector = trainHere ? (await trainSceneDetector({ live: false })).detector : SingleShotDetector.fromModel(await loadPretrained("scene-detector"));
    const segmenter = trainHere ? (await trainSceneSegmenter({ live: false })).segmenter : await pretrainedSegmenter(log);
    log("training the region classifier");
    const regionScenes = await makeScenes({ count: { train: 500, validation: 100 }, seed: 3 });
    const { classifier } = await trainRegionClassifier(regionScenes, { live: false });
    const fcn = toFullyConvolutional(classifier);

    log("measuring accuracy on 500 scenes");
    const ssd = await detector.detect(scenes);
    const segmentation = segmenter && (await evaluateSegmentation(segmenter, scenes));

    log(`measuring speed: ${rounds} interleaved rounds over ${speedScenes} scenes`);
    const methods: Record<string, (count: number) => Promise<DetectionRun>> = {
      slidingWindow: (count) => slidingWindowDetect(classifier, scenes, { count }),
      proposals: (count) => proposalDetect(classifier, scenes, { count }),
      fcn: (count) => fcnDetect(fcn, scenes, { count }),
      singleShot: (count) => detector.detect(scenes, { count }),
    };
    const speeds: Record<string, number[]> = Object.fromEntries(Object.keys(methods).map((k) => [k, []]));
    const accuracy: Record<string, number> = {};
    for (let r = 0; r < rounds; r++) {
      for (const [name, detect] of Object.entries(methods)) {
        const run = await detect(speedScenes);
        speeds[name].push(run.imagesPerSecond);
        if (r === 0) accuracy[name] = round(run.mAP);
      }
    }
    return {
      scenes: scenes.size("test"),
      mAP50: round(ssd.mAP),
      meanIoU: segmentation ? round(segmentation.meanIoU) : null,
      imgPerSec: Object.fromEntries(Object.entries(speeds).map(([k, v]) => [k, round(median(v), 1)])),
      targets: { mAP50: 0.9, meanIoU: 0.8 },
      mAP50OnSpeedScenes: accuracy,
      pixelAccuracy: segmentation ? round(segmentation.pixelAccuracy, 4) : null,
      speedScenes,
      rounds,
      models: trainHere ? "trained in this run" : `pretrained/scene-detector, ${segmenter ? "pretrained/scene-segmenter" : "no segmenter (pretrained/scene-segmenter missing)"}`,
      loadAverage: { start: loadAtStart, end: loadavg().map((l) => round(l, 2)) },
    };
  },
};

export default benchmark;
