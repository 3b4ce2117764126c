/**
 * regionDataset: the classifier's training data for finding objects, as
 * R-CNN made it. From each scene come
 *
 * - positives: frames around each true object (slightly shifted and
 *   resized, so the classifier also accepts imperfect windows), labelled
 *   with the object's class;
 * - negatives: squares that frame no object (IoU below 0.3 with every
 *   object's frame), labelled "background": random ones anywhere (empty
 *   background, clutter, two digits at once) and hard ones next to each
 *   object (half a digit, a digit far too small or too large for the frame).
 *   Without the hard ones a classifier calls any window that holds part of
 *   a digit a digit, and a sliding window detector reports each object many
 *   times over (R-CNN mined such hard negatives too).
 *
 * Frames in between (IoU 0.3 to 0.6) are left out: they are neither clearly
 * an object nor clearly not one. The result is an ordinary classification
 * Dataset (class 0 is "background"), trained with train() like any other;
 * each split's crops come from the scenes of the same split.
 */
import { createRandom, Dataset, MemoryPixelStore, mixSeeds, type Random, SPLIT_NAMES, type SplitName } from "../data";
import type { BoxLike, SceneSet } from "../data/scenes";
import { centre, iou, squareAround } from "./boxes";
import { cropResize, frameOf, type ImageBytes } from "./regions";

export interface RegionDatasetOptions {
  /** Side of each crop: the classifier's input. Default 28 (MNIST's). */
  size?: number;
  /** Positive crops per object. Default 4. */
  positivesPerObject?: number;
  /** Background crops anywhere in each scene. Default 4. */
  negativesPerScene?: number;
  /** Background crops next to each object (shifted or resized until they no longer frame it). Default 3. */
  hardNegativesPerObject?: number;
  /** Use at most this many scenes of each split. Default: all. */
  maxScenes?: number;
  /** Default 0. */
  seed?: number;
}

/** The class name of "no object here": class 0 of every region classifier. */
export const BACKGROUND = "background";
/** A frame overlapping an object's frame at least this much counts as that object. */
export const POSITIVE_IOU = 0.65;
/** A frame overlapping every object's frame less than this counts as background. */
export const NEGATIVE_IOU = 0.45;

export async function regionDataset(scenes: SceneSet, options: RegionDatasetOptions = {}): Promise<Dataset> {
  const size = options.size ?? 28;
  const positives = options.positivesPerObject ?? 4;
  const negatives = options.negativesPerScene ?? 4;
  const hardNegatives = options.hardNegativesPerObject ?? 3;
  const seed = options.seed ?? 0;
  const crops: Uint8Array[] = [];
  const labels: number[] = [];
  const splits: Partial<Record<SplitName, Int32Array>> = {};
  const channels = scenes.channels;
  for (const [splitNumber, split] of SPLIT_NAMES.entries()) {
    const indices = scenes.indices(split).slice(0, options.maxScenes ?? Infinity);
    const start = labels.length;
    const all = indices.length ? await scenes.dataset.readImages(indices) : new Uint8Array(0);
    const area = scenes.height * scenes.width * channels;
    indices.forEach((index, i) => {
      const random = createRandom(mixSeeds(seed, splitNumber, index));
      const image: ImageBytes = { pixels: all.subarray(i * area, (i + 1) * area), width: scenes.width, height: scenes.height, channels };
      const frames = scenes.objects[index].map((o) => ({ frame: frameOf(o), classIndex: o.classIndex }));
      const add = (box: BoxLike, label: number) => {
        crops.push(cropResize(image, box, size));
        labels.push(label);
      };
      for (const { frame, classIndex } of frames) {
        for (let p = 0; p < positives; p++) {
          const box = jitteredFrame(random, frame, frames.map((f) => f.frame));
          if (box) add(box, classIndex + 1);
        }
      }
      for (const { frame } of frames) {
        for (let n = 0; n < hardNegatives; n++) {
          const box = nearMiss(random, frame, frames.map((f) => f.frame));
          if (box) add(box, 0);
        }
      }
      for (let n = 0; n < negatives; n++) {
        const box = backgroundWindow(random, scenes.width, scenes.height, frames.map((f) => f.frame));
        if (box) add(box, 0);
      }
    });
    splits[split] = Int32Array.from({ length: labels.length - start }, (_, i) => start + i);
  }
  const pixels = new Uint8Array(crops.length * size * size * channels);
  crops.forEach((crop, i) => pixels.set(crop, i * crop.length));
  return new Dataset({
    name: `${scenes.name}-regions`,
    shape: [size, size, channels],
    classNames: [BACKGROUND, ...scenes.classNames],
    pixels: new MemoryPixelStore(pixels, size * size * channels),
    labels: Int32Array.from(labels),
    splits,
    splitOrigins: Object.fromEntries(SPLIT_NAMES.map((s) => [s, `frames cut from the ${s} scenes of ${scenes.name}`])),
    normalization: scenes.dataset.normalization,
    source: {
      description:
        `${positives} frames around each object of ${scenes.name} (IoU ≥ ${POSITIVE_IOU} with its frame), ${hardNegatives} near misses per object and ` +
        `${negatives} background frames per scene (IoU < ${NEGATIVE_IOU} with every object's frame), resampled to ${size}×${size}, seed ${seed}.`,
    },
  });
}

/** A frame shifted and resized a little, still overlapping the object's frame by POSITIVE_IOU and no other object's by more. */
function jitteredFrame(random: Random, frame: BoxLike, others: BoxLike[]): BoxLike | undefined {
  const c = centre(frame);
  const side = frame.x2 - frame.x1;
  for (let t = 0; t < 20; t++) {
    const s = side * random.uniform(0.85, 1.2);
    const box = squareAround(c.x + random.uniform(-0.1, 0.1) * side, c.y + random.uniform(-0.1, 0.1) * side, s);
    if (iou(box, frame) >= POSITIVE_IOU && others.every((o) => o === frame || iou(box, o) < NEGATIVE_IOU)) return box;
  }
  return undefined;
}

/** A square next to an object that no longer frames it: shifted by half its side or more, or far too small or large. */
function nearMiss(random: Random, frame: BoxLike, frames: BoxLike[]): BoxLike | undefined {
  const c = centre(frame);
  const side = frame.x2 - frame.x1;
  for (let t = 0; t < 20; t++) {
    const angle = random.uniform(0, 2 * Math.PI);
    const shift = random.uniform(0.2, 0.8) * side;
    const s = side * (random.next() < 0.25 ? random.uniform(0.4, 0.6) : random.next() < 0.33 ? random.uniform(1.8, 2.4) : random.uniform(0.8, 1.25));
    const box = squareAround(c.x + Math.cos(angle) * shift, c.y + Math.sin(angle) * shift, s);
    if (frames.every((f) => iou(box, f) < NEGATIVE_IOU)) return box;
  }
  return undefined;
}

/** A random square inside the scene that frames no object. */
function backgroundWindow(random: Random, width: number, height: number, frames: BoxLike[]): BoxLike | undefined {
  const longest = Math.min(width, height);
  for (let t = 0; t < 30; t++) {
    const side = random.uniform(0.25, 0.75) * longest;
    const x = random.uniform(0, width - side);
    const y = random.uniform(0, height - side);
    const box = { x1: x, y1: y, x2: x + side, y2: y + side };
    if (frames.every((f) => iou(box, f) < NEGATIVE_IOU)) return box;
  }
  return undefined;
}
