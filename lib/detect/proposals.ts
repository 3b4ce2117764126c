/**
 * Region proposals + a classifier: R-CNN's idea. Instead of every window,
 * first propose a few regions that probably hold an object, then classify
 * only those. R-CNN proposed about 2,000 regions per photo with selective
 * search, which groups pixels of similar colour and texture.
 *
 * The proposals here are connected components: pixels brighter than a
 * threshold, joined to their 8 neighbours, and groups closer than a couple of
 * pixels merged (a digit's strokes do not always touch). That is selective
 * search's grouping reduced to what these scenes need: objects are light
 * strokes on a dark background, so every object is one bright group, found
 * in one pass over the pixels, and a scene yields a handful of proposals
 * instead of hundreds of windows. Clutter is proposed too; the classifier's
 * "background" class rejects it. And the proposal's box fits the object, so
 * the box reported is the proposal itself.
 */
import type * as tf from "@tensorflow/tfjs";
import type { BoxLike, SceneSet } from "../data/scenes";
import { nonMaxSuppression } from "./nms";
import { classifyRegions, regionDetections } from "./classify-regions";
import { runOverScenes, type DetectionRun, type SceneRunOptions } from "./detection-run";
import { frameOf, type ImageBytes } from "./regions";

export interface ProposalOptions {
  /** Pixels at or above this (0–255) are ink. Default 64. */
  threshold?: number;
  /** Groups whose boxes come within this many pixels of each other are merged. Default 2. */
  mergeDistance?: number;
  /** Groups with fewer ink pixels are noise, not proposals. Default 6. */
  minPixels?: number;
}

export interface ProposalDetectOptions extends SceneRunOptions, ProposalOptions {
  /** Non-maximum suppression's IoU threshold. Default 0.3. */
  nmsIoU?: number;
}

/** Boxes of the bright connected groups of pixels of one image (the first channel, or luma for RGB). */
export function connectedComponentProposals(image: ImageBytes, options: ProposalOptions = {}): BoxLike[] {
  const threshold = options.threshold ?? 64;
  const merge = options.mergeDistance ?? 2;
  const minPixels = options.minPixels ?? 6;
  const { width, height, channels, pixels } = image;
  const ink = (i: number) =>
    (channels === 1 ? pixels[i] : 0.299 * pixels[i * channels] + 0.587 * pixels[i * channels + 1] + 0.114 * pixels[i * channels + 2]) >= threshold;
  const label = new Int32Array(width * height).fill(-1);
  const groups: { box: BoxLike; pixels: number }[] = [];
  const stack: number[] = [];
  for (let start = 0; start < width * height; start++) {
    if (label[start] >= 0 || !ink(start)) continue;
    const id = groups.length;
    const group = { box: { x1: width, y1: height, x2: 0, y2: 0 }, pixels: 0 };
    label[start] = id;
    stack.push(start);
    while (stack.length) {
      const p = stack.pop()!;
      const x = p % width;
      const y = (p - x) / width;
      group.pixels++;
      group.box = { x1: Math.min(group.box.x1, x), y1: Math.min(group.box.y1, y), x2: Math.max(group.box.x2, x + 1), y2: Math.max(group.box.y2, y + 1) };
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          const ny = y + dy;
          if (nx < 0 || ny < 0 || nx >= width || ny >= height) continue;
          const q = ny * width + nx;
          if (label[q] < 0 && ink(q)) {
            label[q] = id;
            stack.push(q);
          }
        }
      }
    }
    groups.push(group);
  }
  // Merge groups whose boxes come close, until none do.
  let merged = true;
  while (merged) {
    merged = false;
    outer: for (let i = 0; i < groups.length; i++) {
      for (let j = i + 1; j < groups.length; j++) {
        const a = groups[i].box;
        const b = groups[j].box;
        if (a.x1 < b.x2 + merge && b.x1 < a.x2 + merge && a.y1 < b.y2 + merge && b.y1 < a.y2 + merge) {
          groups[i] = {
            box: { x1: Math.min(a.x1, b.x1), y1: Math.min(a.y1, b.y1), x2: Math.max(a.x2, b.x2), y2: Math.max(a.y2, b.y2) },
            pixels: groups[i].pixels + groups[j].pixels,
          };
          groups.splice(j, 1);
          merged = true;
          break outer;
        }
      }
    }
  }
  return groups.filter((g) => g.pixels >= minPixels).map((g) => g.box);
}

/** Classifies the connected-component proposals of each scene with `classifier` (class 0 = background). */
export async function proposalDetect(classifier: tf.LayersModel, scenes: SceneSet, options: ProposalDetectOptions = {}): Promise<DetectionRun> {
  return runOverScenes(
    "proposals + classifier",
    scenes,
    options,
    async (image) => {
      const proposals = connectedComponentProposals(image, options);
      if (proposals.length === 0) return { detections: [], regions: 0 };
      const { probabilities, numClasses } = await classifyRegions(classifier, image, proposals.map(frameOf), scenes.dataset.normalization);
      const found = regionDetections(probabilities, numClasses, proposals).filter((d) => d.score >= (options.minScore ?? 0.05));
      return { detections: nonMaxSuppression(found, { iouThreshold: options.nmsIoU ?? 0.3 }), regions: proposals.length };
    },
    "connected components of bright pixels",
  );
}
