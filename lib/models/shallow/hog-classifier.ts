/**
 * A shallow classifier in the style of classic machine learning: features
 * designed by a person (HOG, see hog.ts) and one learning layer on top, a
 * logistic regression (softmax over a linear function of the features).
 * Training adjusts only that layer, so the model can never find features of
 * its own: what it learns is how much each hand-made feature counts.
 *
 *     hog (fixed) → dense N → softmax
 *
 * It is a plain tfjs model, so train(), interpret() and the diagnose tools
 * work on it exactly as on a CNN.
 */
import type * as tf from "@tensorflow/tfjs";
import { buildClassifier, numClassesOf, type ClassifierOptions } from "../classifier-options";
import { dense, softmax } from "../layers";
import { hogFeatures, type HogOptions } from "./hog";

export interface HogClassifierOptions extends Omit<HogOptions, "name">, ClassifierOptions {}

const OPTION_NAMES = ["cellSize", "bins", "blockSize", "inputShape", "numClasses", "seed", "name"];
/** scikit-image's names for the same settings, which learners may know. */
const SKIMAGE_NAMES: Record<string, string> = { orientations: "bins", pixels_per_cell: "cellSize", cells_per_block: "blockSize" };

export function hogClassifier(options: HogClassifierOptions = {}): tf.Sequential {
  for (const key of Object.keys(options ?? {})) {
    if (!OPTION_NAMES.includes(key)) {
      const hint = SKIMAGE_NAMES[key] ? ` (scikit-image's "${key}" is "${SKIMAGE_NAMES[key]}" here)` : "";
      throw new Error(`hogClassifier has no option "${key}"${hint}. The options are: ${OPTION_NAMES.join(", ")}.`);
    }
  }
  const numClasses = numClassesOf(options, "hogClassifier");
  const hog = hogFeatures({ cellSize: options.cellSize, bins: options.bins, blockSize: options.blockSize });
  return buildClassifier([hog, dense({ units: numClasses, name: "output" }), softmax({ name: "prob" })], options, {
    name: "hog-logistic",
    architecture: `HOG (${hog.bins} bins, ${hog.cellSize}-pixel cells, ${hog.blockSize}×${hog.blockSize} blocks) + logistic regression`,
    inputNote: "pixels normalized by the dataset; HOG is computed from them inside the model",
  });
}
