/**
 * What `detectnet` reports for one image from an ONNX SSD-style network, from
 * dusty-nv/jetson-inference at commit 45da40a8 (each rule cites its lines):
 *
 * - outputs `scores` [1, N, C] (class 0 is background, never reported) and
 *   `boxes` [1, N, 4], x1, y1, x2, y2 as fractions of the image
 *   (postProcessSSD_ONNX, c/detectNet.cpp lines 688-740);
 * - per box the best class m ≥ 1 whose score reaches the threshold
 *   (lines 703-720; ties keep the lower class; DETECTNET_DEFAULT_CONFIDENCE_THRESHOLD
 *   0.5, c/detectNet.h line 52; `--threshold`, or `--confidence`, lines 333-337);
 *   boxes whose label is "void" are skipped (line 733);
 * - box corners × the *original* image's width and height, not the network's
 *   (lines 728-731);
 * - a box whose overlap with an earlier kept box of the same class, divided by
 *   the larger of the two areas (Detection::Intersects, detectNet.h line 165),
 *   exceeds the clustering threshold (DETECTNET_DEFAULT_CLUSTERING_THRESHOLD
 *   0.75, detectNet.h line 58; `--clustering`, line 389) is merged into it: the
 *   kept box grows to cover both (Expand, detectNet.h line 192) and keeps the
 *   higher confidence (clusterDetections, lines 899-940; CLUSTER_INTERCLASS is
 *   not defined, so boxes of different classes are never merged);
 * - detections sorted by area, largest first (sortDetections, lines 943-963,
 *   a bubble sort, so equal areas keep their order), then clamped to the
 *   image (postProcess, lines 621-637).
 *
 * Arithmetic in float32, as on the device.
 */
const f = Math.fround;

export const DETECTNET_DEFAULT_THRESHOLD = 0.5;
export const DETECTNET_DEFAULT_CLUSTERING = 0.75;

/**
 * The tensor names pytorch-ssd's onnx_export.py writes and detectnet is told
 * with --input-blob, --output-cvg and --output-bbox (docs/pytorch-ssd.md).
 */
export const DETECTNET_BLOBS = { input: "input_0", scores: "scores", boxes: "boxes" } as const;

/** detectNet::Detection's fields, in pixels of the image. */
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
  /** --threshold (minimum class score). Default 0.5. */
  threshold?: number;
  /** --clustering (overlap over the larger area above which same-class boxes merge). Default 0.75. */
  clustering?: number;
}

const area = (d: Detection) => f(f(d.right - d.left) * f(d.bottom - d.top));
const overlaps = (a: Detection, b: Detection) => !(b.left > a.right || b.right < a.left || b.top > a.bottom || b.bottom < a.top);

function intersects(a: Detection, b: Detection, threshold: number): boolean {
  const inter = overlaps(a, b) ? f(f(Math.min(a.right, b.right) - Math.max(a.left, b.left)) * f(Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top))) : 0;
  return f(inter / Math.max(area(a), area(b))) > f(threshold);
}

/** Detections as detectnet reports them for an image of `width` × `height` pixels; `labels` as read from labels.txt. */
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
  sortByArea(kept);
  for (const d of kept) {
    if (d.top < 0) d.top = 0;
    if (d.left < 0) d.left = 0;
    if (d.right >= width) d.right = width - 1;
    if (d.bottom >= height) d.bottom = height - 1;
  }
  return kept;
}

/** sortDetections' bubble sort, swap only when strictly smaller (a comparator sort would treat NaN areas differently). */
function sortByArea(detections: Detection[]): void {
  for (let i = 0; i < detections.length - 1; i++) {
    for (let j = 0; j < detections.length - i - 1; j++) {
      if (area(detections[j]) < area(detections[j + 1])) [detections[j], detections[j + 1]] = [detections[j + 1], detections[j]];
    }
  }
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
