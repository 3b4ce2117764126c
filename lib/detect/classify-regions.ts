/**
 * Classifying regions of a scene with a region classifier (class 0 is
 * "background"): crop each region's frame, normalize it as the training
 * crops were, run the classifier in batches, and turn each region's
 * probabilities into at most one detection: the likeliest object class and
 * its probability.
 */
import * as tf from "@tensorflow/tfjs";
import { type Normalization, normalizePixels } from "../data";
import type { BoxLike } from "../data/scenes";
import { getPredictions } from "../evaluate";
import type { Detection } from "./boxes";
import { cropResize, type ImageBytes } from "./regions";

/** The classifier's square input side and channels; throws a learner-readable error for anything else. */
export function classifierInput(classifier: tf.LayersModel): { size: number; channels: number } {
  const shape = classifier.inputs?.[0]?.shape;
  if (!shape || shape.length !== 4 || shape[1] === null || shape[1] !== shape[2]) {
    throw new Error(`A region classifier takes square images of a fixed size, e.g. [28, 28, 1]; this model's input is [${shape?.slice(1).join(", ")}].`);
  }
  return { size: shape[1] as number, channels: shape[3] as number };
}

/** Class probabilities of each region ([regions × classes], row by row). */
export async function classifyRegions(
  classifier: tf.LayersModel,
  image: ImageBytes,
  frames: readonly BoxLike[],
  normalization: Normalization,
  batchSize = 512,
): Promise<{ probabilities: Float32Array; numClasses: number }> {
  const { size, channels } = classifierInput(classifier);
  if (channels !== image.channels) throw new Error(`The classifier takes ${channels}-channel images; the scenes have ${image.channels}.`);
  const per = size * size * channels;
  const numClasses = classifier.outputs[0].shape[1] as number;
  const probabilities = new Float32Array(frames.length * numClasses);
  for (let start = 0; start < frames.length; start += batchSize) {
    const count = Math.min(batchSize, frames.length - start);
    const bytes = new Uint8Array(count * per);
    for (let i = 0; i < count; i++) cropResize(image, frames[start + i], size, size, bytes, i * per);
    const xs = tf.tensor4d(normalizePixels(bytes, [size, size, channels], normalization), [count, size, size, channels]);
    try {
      const predictions = await getPredictions(classifier, xs, { progress: false, batchSize: count });
      probabilities.set(predictions.probabilities, start * numClasses);
    } finally {
      xs.dispose();
    }
  }
  return { probabilities, numClasses };
}

/** Each region's likeliest object class (skipping background, class 0), as a detection with the given box. */
export function regionDetections(probabilities: Float32Array, numClasses: number, boxes: readonly BoxLike[]): Detection[] {
  return boxes.map((box, r) => {
    let best = 1;
    for (let k = 2; k < numClasses; k++) if (probabilities[r * numClasses + k] > probabilities[r * numClasses + best]) best = k;
    return { x1: box.x1, y1: box.y1, x2: box.x2, y2: box.y2, classIndex: best - 1, score: probabilities[r * numClasses + best] };
  });
}
