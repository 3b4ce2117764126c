/**
 * What `imagenet` reports for one image, from the network's output
 * (c/imageNet.cpp, imageNet::Classify with topK; examples/imagenet/imagenet.cpp):
 *
 * - classes whose confidence is below the threshold (IMAGENET_DEFAULT_THRESHOLD,
 *   0.01 in c/imageNet.h; --threshold) are dropped, the rest sorted by confidence;
 * - with no class left, nothing is printed for that image;
 * - otherwise it prints `imagenet:  %2.5f%% class #%i (%s)` with the confidence
 *   times 100.0f (float), the class index and its label.
 */
const f = Math.fround;

export const IMAGENET_DEFAULT_THRESHOLD = 0.01;

export interface ImagenetResult {
  /** Top-1 class index, or -1 when no class reaches the threshold. */
  classIndex: number;
  /** Its output value (softmax probability for convlab bundles). */
  confidence: number;
  label: string;
  /** The line imagenet prints, or "" when it prints none. */
  line: string;
}

export function imagenetClassify(outputs: ArrayLike<number>, labels: readonly string[], threshold = IMAGENET_DEFAULT_THRESHOLD): ImagenetResult {
  const kept: { index: number; confidence: number }[] = [];
  for (let n = 0; n < outputs.length; n++) if (f(outputs[n]) >= f(threshold)) kept.push({ index: n, confidence: f(outputs[n]) });
  kept.sort((a, b) => b.confidence - a.confidence);
  if (kept.length === 0) return { classIndex: -1, confidence: 0, label: "", line: "" };
  const { index, confidence } = kept[0];
  const label = labels[index] ?? `Class #${index}`;
  return { classIndex: index, confidence, label, line: `imagenet:  ${f(confidence * 100).toFixed(5)}% class #${index} (${label})` };
}
