/**
 * Sliding windows: the oldest way to turn a classifier into a detector. Look
 * through a square window at every position (every `stride` pixels) and at
 * several sizes, ask the classifier what is in each window, keep the windows
 * where it sees an object, and drop the duplicates with non-maximum
 * suppression. It works with any region classifier, and it is slow: every
 * window is a full pass of the classifier, and neighbouring windows share
 * most of their pixels, so most of that work is done again and again.
 *
 * A window frames an object as MNIST frames a digit (regions.ts), so the box
 * reported is the square the window stands for: a square box fits a round
 * digit well and a thin "1" badly.
 */
import type * as tf from "@tensorflow/tfjs";
import type { BoxLike, SceneSet } from "../data/scenes";
import { nonMaxSuppression } from "./nms";
import { classifyRegions, regionDetections } from "./classify-regions";
import { runOverScenes, type DetectionRun, type SceneRunOptions } from "./detection-run";
import { BORDER_MARGIN, objectBoxOf } from "./regions";

export interface SlidingWindowOptions extends SceneRunOptions {
  /** Window sides in scene pixels. Default [22, 28, 34]: frames of digits 16 to 24 pixels tall. */
  sizes?: number[];
  /** Pixels between neighbouring windows. Default 4. */
  stride?: number;
  /** Non-maximum suppression's IoU threshold. Default 0.3. */
  nmsIoU?: number;
}

export const DEFAULT_WINDOW_SIZES = [22, 28, 34];

/**
 * Every window of every size over a width × height image, row by row. A
 * window may reach past the border by its frame's margin (BORDER_MARGIN of
 * its side), so that objects touching the border are framed too.
 */
export function slidingWindows(width: number, height: number, sizes: readonly number[] = DEFAULT_WINDOW_SIZES, stride = 4): BoxLike[] {
  if (!(Number.isInteger(stride) && stride >= 1)) throw new Error(`stride must be a whole number of pixels ≥ 1 (got ${stride}).`);
  const windows: BoxLike[] = [];
  for (const side of sizes) {
    if (!(side > 0 && side <= Math.min(width, height))) throw new Error(`A window of ${side} pixels does not fit a ${width}×${height} image.`);
    const margin = Math.round(BORDER_MARGIN * side);
    for (let y = -margin; y + side <= height + margin; y += stride) {
      for (let x = -margin; x + side <= width + margin; x += stride) windows.push({ x1: x, y1: y, x2: x + side, y2: y + side });
    }
  }
  return windows;
}

/** Runs `classifier` (class 0 = background) over sliding windows of each scene. */
export async function slidingWindowDetect(classifier: tf.LayersModel, scenes: SceneSet, options: SlidingWindowOptions = {}): Promise<DetectionRun> {
  const sizes = options.sizes ?? DEFAULT_WINDOW_SIZES;
  const stride = options.stride ?? 4;
  const windows = slidingWindows(scenes.width, scenes.height, sizes, stride);
  const boxes = windows.map(objectBoxOf);
  return runOverScenes(
    "sliding windows",
    scenes,
    options,
    async (image) => {
      const { probabilities, numClasses } = await classifyRegions(classifier, image, windows, scenes.dataset.normalization);
      const found = regionDetections(probabilities, numClasses, boxes).filter((d) => d.score >= (options.minScore ?? 0.05));
      return { detections: nonMaxSuppression(found, { iouThreshold: options.nmsIoU ?? 0.3, classAgnostic: true }), regions: windows.length };
    },
    `windows of ${sizes.join(", ")} px every ${stride} px`,
  );
}
