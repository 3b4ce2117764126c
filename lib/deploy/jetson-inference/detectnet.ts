/**
 * What `detectnet` reports for one image from an ONNX SSD-style network
 * (c/detectNet.cpp: postProcessSSD_ONNX, clusterDetections, sortDetections,
 * postProcess; c/detectNet.h: Detection; examples/detectnet/detectnet.cpp):
 *
 * - outputs `scores` [1, N, C] (class 0 is background, never reported) and
 *   `boxes` [1, N, 4], x1, y1, x2, y2 as fractions of the image;
 * - per box the best class m ≥ 1 whose score reaches the threshold
 *   (DETECTNET_DEFAULT_CONFIDENCE_THRESHOLD 0.5; --threshold); boxes labelled
 *   "void" are skipped;
 * - box corners × the *original* image's width and height (not the network's);
 * - a box whose overlap with an earlier kept box of the same class, divided by
 *   the larger of the two areas, exceeds the clustering threshold
 *   (DETECTNET_DEFAULT_CLUSTERING_THRESHOLD 0.75) is merged into it: the kept
 *   box grows to cover both and keeps the higher confidence;
 * - detections sorted by area, largest first, then clamped to the image.
 *
 * Arithmetic in float32, as on the device.
 */
const f = Math.fround;

export const DETECTNET_DEFAULT_THRESHOLD = 0.5;
export const DETECTNET_DEFAULT_CLUSTERING = 0.75;

export interface Detection {
  classIndex: number;
  label: string;
  confidence: number;
  left: number;
  top: number;
  right: number;
  bottom: number;
}

export interface DetectnetOptions {
  threshold?: number;
  clustering?: number;
}

const area = (d: Detection) => f(f(d.right - d.left) * f(d.bottom - d.top));
const overlaps = (a: Detection, b: Detection) => !(b.left > a.right || b.right < a.left || b.top > a.bottom || b.bottom < a.top);

function intersects(a: Detection, b: Detection, threshold: number): boolean {
  const inter = overlaps(a, b) ? f(f(Math.min(a.right, b.right) - Math.max(a.left, b.left)) * f(Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top))) : 0;
  return f(inter / Math.max(area(a), area(b))) > f(threshold);
}

/** Detections as detectnet reports them for an image of `width` × `height` pixels. */
export function detectnetDetect(
  scores: ArrayLike<number>,
  boxes: ArrayLike<number>,
  classes: number,
  labels: readonly string[],
  width: number,
  height: number,
  options: DetectnetOptions = {},
): Detection[] {
  const threshold = f(options.threshold ?? DETECTNET_DEFAULT_THRESHOLD);
  const clustering = options.clustering ?? DETECTNET_DEFAULT_CLUSTERING;
  const count = Math.floor(boxes.length / 4);
  const kept: Detection[] = [];
  for (let n = 0; n < count; n++) {
    let best = 0;
    let bestScore = -1000;
    for (let m = 1; m < classes; m++) {
      const score = f(scores[n * classes + m]);
      if (score < threshold) continue;
      if (score > bestScore) {
        bestScore = score;
        best = m;
      }
    }
    if (best <= 0) continue;
    const label = labels[best] ?? `Class #${best}`;
    if (label === "void") continue;
    const detection: Detection = {
      classIndex: best,
      label,
      confidence: bestScore,
      left: f(f(boxes[n * 4]) * width),
      top: f(f(boxes[n * 4 + 1]) * height),
      right: f(f(boxes[n * 4 + 2]) * width),
      bottom: f(f(boxes[n * 4 + 3]) * height),
    };
    const merged = kept.find((k) => k.classIndex === detection.classIndex && intersects(detection, k, clustering));
    if (merged) {
      merged.left = Math.min(detection.left, merged.left);
      merged.top = Math.min(detection.top, merged.top);
      merged.right = Math.max(detection.right, merged.right);
      merged.bottom = Math.max(detection.bottom, merged.bottom);
      merged.confidence = Math.max(detection.confidence, merged.confidence);
    } else {
      kept.push(detection);
    }
  }
  // By area, largest first; stable, as detectNet's bubble sort.
  kept.sort((a, b) => area(b) - area(a));
  for (const d of kept) {
    if (d.top < 0) d.top = 0;
    if (d.left < 0) d.left = 0;
    if (d.right >= width) d.right = width - 1;
    if (d.bottom >= height) d.bottom = height - 1;
  }
  return kept;
}

/** The lines detectnet prints for an image's detections. */
export function detectnetLines(detections: readonly Detection[]): string[] {
  const lines = [`${detections.length} objects detected`];
  detections.forEach((d, n) => {
    lines.push(`detected obj ${n}  class #${d.classIndex} (${d.label})  confidence=${d.confidence.toFixed(6)}`);
    lines.push(
      `bounding box ${n}  (${d.left.toFixed(2)}, ${d.top.toFixed(2)})  (${d.right.toFixed(2)}, ${d.bottom.toFixed(2)})  w=${f(d.right - d.left).toFixed(2)}  h=${f(d.bottom - d.top).toFixed(2)}`,
    );
  });
  return lines;
}
