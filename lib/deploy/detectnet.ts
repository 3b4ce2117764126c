/**
 * jetson-inference's detectnet, as far as a convlab detector meets it:
 * what it feeds an ONNX model and how it reads the answer. Every rule below
 * is taken from dusty-nv/jetson-inference at commit 45da40a8 and cites the
 * file and lines it reproduces, so a difference can be checked against the
 * source.
 */
import type { DevicePreprocessing } from "./input-transform";

/**
 * detectNet::preProcess for MODEL_ONNX (c/detectNet.cpp, lines 557-570):
 * cudaTensorNormMeanRGB with range (0, 1), mean (0.5, 0.5, 0.5) and std
 * (0.5, 0.5, 0.5), i.e. planar RGB ((pixel / 255) − 0.5) / 0.5, pytorch-ssd's
 * own normalization. (imageNet and segNet use ImageNet's mean and std instead.)
 */
export const DETECTNET_PREPROCESSING: DevicePreprocessing = Object.freeze({
  channels: 3,
  scale: 1 / 255,
  mean: [0.5, 0.5, 0.5],
  std: [0.5, 0.5, 0.5],
  name: "jetson-inference detectNet (ONNX)",
}) as DevicePreprocessing;

/** DETECTNET_DEFAULT_CONFIDENCE_THRESHOLD (c/detectNet.h, line 52). */
export const DETECTNET_CONFIDENCE = 0.5;
/** DETECTNET_DEFAULT_CLUSTERING_THRESHOLD (c/detectNet.h, line 58). */
export const DETECTNET_CLUSTERING = 0.75;

/** The output names pytorch-ssd's onnx_export.py writes and detectnet is told with --output-cvg / --output-bbox. */
export const DETECTNET_BLOBS = { input: "input_0", scores: "scores", boxes: "boxes" } as const;

/** What detectnet reports for one object: detectNet::Detection's fields, in pixels of the frame. */
export interface DetectnetDetection {
  classId: number;
  confidence: number;
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/**
 * Resamples an RGB (or gray) frame to the network's size as
 * cudaTensorNormMeanRGB does (c/tensorConvert.cu, lines 188-192 and 217-218):
 * output pixel (x, y) takes input pixel (⌊x · sx⌋, ⌊y · sy⌋) with
 * sx = inputWidth / outputWidth in float: nearest neighbour, no smoothing,
 * the frame squashed to the network's aspect. Returns interleaved bytes.
 */
export function detectnetResample(
  pixels: ArrayLike<number>,
  width: number,
  height: number,
  channels: number,
  outWidth: number,
  outHeight: number,
): Uint8Array {
  const f = Math.fround;
  const sx = f(width / outWidth);
  const sy = f(height / outHeight);
  const out = new Uint8Array(outWidth * outHeight * channels);
  for (let y = 0; y < outHeight; y++) {
    const dy = Math.trunc(f(y * sy));
    for (let x = 0; x < outWidth; x++) {
      const dx = Math.trunc(f(x * sx));
      for (let c = 0; c < channels; c++) out[(y * outWidth + x) * channels + c] = pixels[(dy * width + dx) * channels + c];
    }
  }
  return out;
}

/**
 * The planar float tensor cudaTensorNormMeanRGB writes (c/tensorConvert.cu,
 * lines 194-199, 220): ((pixel · (range.y − range.x) / 255 + range.x) − mean) / std
 * per channel, RGB order, from an already resampled interleaved image (gray
 * images are fed as R = G = B, as an RGB camera frame of them would be).
 */
export function deviceTensor(resampled: Uint8Array, width: number, height: number, channels: number, device: DevicePreprocessing): Float32Array {
  const f = Math.fround;
  const plane = width * height;
  const out = new Float32Array(3 * plane);
  const multiplier = f(f(1 - 0) / 255);
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) {
      const pixel = resampled[i * channels + (channels === 1 ? 0 : c)];
      out[c * plane + i] = f(f(f(f(pixel * multiplier) + 0) - f(device.mean[c])) / f(device.std[c]));
    }
  }
  return out;
}

/**
 * detectnet's reading of an SSD-ONNX output, for a frame of width × height:
 *
 * - postProcessSSD_ONNX (c/detectNet.cpp, lines 688-740): for each box, the
 *   class with the highest score among classes 1 and up (class 0,
 *   BACKGROUND, is ignored) whose score is at least the confidence
 *   threshold; ties keep the lower class; the box's coordinates are
 *   multiplied by the frame's width and height;
 * - clusterDetections (lines 899-940): a detection overlapping an earlier
 *   one of the same class by more than the clustering threshold (intersection
 *   over the larger area, detectNet.h line 165) is merged into it: the
 *   earlier box grows to cover both (Expand, detectNet.h line 192) and keeps
 *   the higher confidence;
 * - sortDetections (lines 943-963): by area, largest first (a bubble sort,
 *   so equal areas keep their order);
 * - then each box is clamped to the frame (lines 623-637).
 *
 * `scores` is [N, C] and `boxes` [N, 4] (x1, y1, x2, y2 in 0–1), row by row.
 */
export function detectnetDecode(
  scores: ArrayLike<number>,
  boxes: ArrayLike<number>,
  numClasses: number,
  width: number,
  height: number,
  options: { confidence?: number; clustering?: number } = {},
): DetectnetDetection[] {
  const f = Math.fround;
  const threshold = f(options.confidence ?? DETECTNET_CONFIDENCE);
  const clustering = f(options.clustering ?? DETECTNET_CLUSTERING);
  const n = boxes.length / 4;
  const detections: DetectnetDetection[] = [];
  for (let i = 0; i < n; i++) {
    let maxClass = 0;
    let maxScore = -1000;
    for (let m = 1; m < numClasses; m++) {
      const score = f(scores[i * numClasses + m]);
      if (score < threshold) continue;
      if (score > maxScore) {
        maxScore = score;
        maxClass = m;
      }
    }
    if (maxClass <= 0) continue;
    const candidate: DetectnetDetection = {
      classId: maxClass,
      confidence: maxScore,
      left: f(f(boxes[i * 4]) * width),
      top: f(f(boxes[i * 4 + 1]) * height),
      right: f(f(boxes[i * 4 + 2]) * width),
      bottom: f(f(boxes[i * 4 + 3]) * height),
    };
    if (!clusterInto(detections, candidate, clustering)) detections.push(candidate);
  }
  // Bubble sort by area, descending, as sortDetections does (stable for equal areas).
  for (let i = 0; i < detections.length - 1; i++) {
    for (let j = 0; j < detections.length - i - 1; j++) {
      if (areaOf(detections[j]) < areaOf(detections[j + 1])) [detections[j], detections[j + 1]] = [detections[j + 1], detections[j]];
    }
  }
  for (const d of detections) {
    if (d.top < 0) d.top = 0;
    if (d.left < 0) d.left = 0;
    if (d.right >= width) d.right = width - 1;
    if (d.bottom >= height) d.bottom = height - 1;
  }
  return detections;
}

function areaOf(d: DetectnetDetection): number {
  return Math.fround(Math.fround(d.right - d.left) * Math.fround(d.bottom - d.top));
}

/** detectNet::clusterDetections for one new detection: true when it was merged into an earlier one. */
function clusterInto(detections: DetectnetDetection[], d: DetectnetDetection, threshold: number): boolean {
  const f = Math.fround;
  for (const m of detections) {
    const overlaps = !(m.left > d.right || m.right < d.left || m.top > d.bottom || m.bottom < d.top);
    const intersection = overlaps ? f(f(Math.min(d.right, m.right) - Math.max(d.left, m.left)) * f(Math.min(d.bottom, m.bottom) - Math.max(d.top, m.top))) : 0;
    if (f(intersection / Math.max(areaOf(d), areaOf(m))) > threshold && d.classId === m.classId) {
      m.left = Math.min(d.left, m.left);
      m.top = Math.min(d.top, m.top);
      m.right = Math.max(d.right, m.right);
      m.bottom = Math.max(d.bottom, m.bottom);
      m.confidence = Math.max(d.confidence, m.confidence);
      return true;
    }
  }
  return false;
}

/**
 * The command lines of the bundle's README, as jetson-inference's docs give
 * them for pytorch-ssd models (docs/pytorch-ssd.md, lines 173-175 and 189-191;
 * flags parsed in c/detectNet.cpp, lines 336-372; commandLine accepts "-" and
 * "_" alike).
 */
export function detectnetCommand(program: "detectnet" | "detectnet.py", input: string, output: string, model = "model.onnx", labels = "labels.txt"): string {
  return `${program} --model=${model} --labels=${labels} --input-blob=${DETECTNET_BLOBS.input} --output-cvg=${DETECTNET_BLOBS.scores} --output-bbox=${DETECTNET_BLOBS.boxes} ${input} ${output}`.trim();
}
