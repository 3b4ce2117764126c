/**
 * Does the exported detector (segmenter) find on the Jetson what it finds in
 * the notebook? For each frame, two paths:
 *
 * - the Jetson's: the frame resampled and normalized exactly as detectnet
 *   (segnet) does on the GPU, run in onnxruntime, and the output read as
 *   detectnet reads it: confidence threshold, clustering, sorting, clamping
 *   (segnet: argmax per cell);
 * - the notebook's: the same resampled frame given to the tfjs model with
 *   the training normalization, its outputs decoded in tfjs and read the
 *   same way.
 *
 * The report gives the largest difference of the raw outputs and whether
 * the boxes (masks) agree.
 */
import * as ort from "onnxruntime-node";
import * as tf from "@tensorflow/tfjs";
import { DISPLAY, type MimeBundle } from "../display";
import { normalizePixels, type SplitName } from "../data";
import { SceneSet } from "../data/scenes";
import { type ImageBytes, type Segmenter, type SingleShotDetector } from "../detect";
import { argMaxRows } from "../evaluate";
import { DETECTNET_BLOBS, detectnetDetect, type Detection } from "./jetson-inference/detectnet";
import { DETECTNET_PREPROCESSING, SEGNET_PREPROCESSING, grayToRgb, resampleLikeJetson, tensorNormMeanRGB, type RgbImage } from "./jetson-inference/preprocess";
import { SEGNET_BLOBS, segnetClassify } from "./jetson-inference/segnet";
import { LUMA_WEIGHTS, type DevicePreprocessing } from "./input-transform";
import { escapeHtml, htmlTable, textTable } from "../display/html";
import { onnxBytes, sessionOptions, type OnnxSource, type RunnerOptions } from "./onnx-runner";

/** Camera frames (any size, gray or RGB bytes), or scenes of a split. */
export type Frames = readonly ImageBytes[] | SceneSet;

export interface VerifyContractOptions extends RunnerOptions {
  /** With scenes: the split and how many. Default "test", 50. */
  split?: SplitName;
  count?: number;
  /** Largest difference of raw outputs that passes. Default 1e-4. */
  tolerance?: number;
  /** What the device feeds the graph. Default: detectnet's (segnet's) preprocessing. */
  device?: DevicePreprocessing;
  /** detectnet's --threshold and --clustering. Default 0.5 and 0.75, detectnet's defaults. */
  threshold?: number;
  clustering?: number;
}

export class ContractVerifyReport {
  constructor(
    readonly kind: "detector" | "segmenter",
    readonly frames: number,
    /** Largest |ONNX − tfjs| over the raw outputs (scores, boxes; or class scores). */
    readonly maxAbsDiff: number,
    /** Frames whose decoded result (detectnet's boxes, segnet's class map) is the same from both paths. */
    readonly framesAgreeing: number,
    /** Detections (or mask cells) compared in all. */
    readonly compared: number,
    readonly tolerance: number,
    /** The Jetson path's result for each frame. */
    readonly onnxResults: (Detection[] | Uint8Array)[],
    readonly tfjsResults: (Detection[] | Uint8Array)[],
    /** Mask cells whose class differs only because two classes tie within the tolerance. */
    readonly tieCells = 0,
  ) {}

  get passed(): boolean {
    return this.maxAbsDiff <= this.tolerance && this.framesAgreeing === this.frames;
  }

  private rows(): (string | number)[][] {
    return [
      ["frames", this.frames],
      ["max |ONNX − tfjs| of the raw outputs", this.maxAbsDiff.toExponential(2)],
      [this.kind === "detector" ? "frames with the same detectnet boxes" : "frames with the same segnet class map", `${this.framesAgreeing} of ${this.frames}`],
      [this.kind === "detector" ? "detections compared" : "mask cells compared", this.compared],
      ...(this.kind === "segmenter" ? [["cells decided by a tie within the tolerance", this.tieCells]] : []),
    ];
  }

  [DISPLAY](): MimeBundle {
    const verdict = this.passed
      ? `The ONNX ${this.kind} gives what tfjs gives, read the way ${this.kind === "detector" ? "detectnet" : "segnet"} reads it.`
      : `The ONNX ${this.kind} differs from tfjs (max ${this.maxAbsDiff.toExponential(2)}, ${this.framesAgreeing} of ${this.frames} frames agree).`;
    return { "text/plain": `${verdict}\n${textTable(["measure", "value"], this.rows())}`, "text/html": `<p><b>${escapeHtml(verdict)}</b></p>${htmlTable(["measure", "value"], this.rows())}` };
  }
}

async function framesOf(frames: Frames, options: VerifyContractOptions): Promise<ImageBytes[]> {
  if (!(frames instanceof SceneSet)) return [...frames];
  const indices = frames.indices(options.split ?? "test").slice(0, options.count ?? 50);
  const area = frames.height * frames.width * frames.channels;
  const pixels = await frames.dataset.readImages(indices);
  return Array.from(indices, (_, i) => ({ pixels: pixels.subarray(i * area, (i + 1) * area), width: frames.width, height: frames.height, channels: frames.channels }));
}

/** The tfjs model's input for a resampled frame: gray models take the luma of RGB frames, as the graph's channel mix does. */
function tfjsInput(resampled: Uint8Array, frameChannels: number, modelChannels: number, shape: [number, number, number], normalization: Parameters<typeof normalizePixels>[2]): tf.Tensor4D {
  const [height, width] = shape;
  let values: Float32Array;
  if (frameChannels === modelChannels) values = normalizePixels(resampled, shape, normalization);
  else if (modelChannels === 1 && frameChannels === 3) {
    const gray = new Float32Array(height * width);
    for (let i = 0; i < gray.length; i++) gray[i] = LUMA_WEIGHTS.reduce((s, w, c) => s + w * resampled[i * 3 + c], 0) * normalization.scale;
    if (normalization.mean || normalization.std) throw new Error("verifying a gray model on colour frames needs a plain scale normalization.");
    values = gray;
  } else throw new Error(`The model takes ${modelChannels}-channel images; the frames have ${frameChannels}.`);
  return tf.tensor4d(values, [1, height, width, modelChannels]);
}

function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>, start: number): number {
  let max = start;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= max)) max = d;
  }
  return max;
}

function sameDetections(a: Detection[], b: Detection[], tolerance: number): boolean {
  return (
    a.length === b.length &&
    a.every((d, i) => {
      const e = b[i];
      return d.classIndex === e.classIndex && Math.abs(d.confidence - e.confidence) <= tolerance && ["left", "top", "right", "bottom"].every((k) => Math.abs(d[k as "left"] - e[k as "left"]) <= 1e-3);
    })
  );
}

/** What the device gets for a frame: its RGB (a gray frame as an RGB camera gives it). */
function rgbFrame(frame: ImageBytes): RgbImage {
  if (frame.channels === 3) return { rgb: Uint8Array.from(frame.pixels), width: frame.width, height: frame.height };
  if (frame.channels === 1) return grayToRgb(frame.pixels, frame.width, frame.height);
  throw new Error(`Frames must be gray or RGB bytes; this one has ${frame.channels} channels.`);
}

/** The device's input tensor for a frame, and the frame resampled to the network's size as the device samples it (for tfjs). */
function devicePaths(frame: ImageBytes, width: number, height: number, device: DevicePreprocessing): { tensor: ort.Tensor; resampled: Uint8Array } {
  const tensor = new ort.Tensor("float32", tensorNormMeanRGB(rgbFrame(frame), width, height, device), [1, 3, height, width]);
  return { tensor, resampled: resampleLikeJetson(frame.pixels, frame.width, frame.height, frame.channels, width, height) };
}

/** detectnet's path and tfjs's on the same frames. */
export async function verifyDetectorOnnx(detector: SingleShotDetector, onnx: OnnxSource, frames: Frames, options: VerifyContractOptions = {}): Promise<ContractVerifyReport> {
  const list = await framesOf(frames, options);
  const device = options.device ?? DETECTNET_PREPROCESSING;
  const tolerance = options.tolerance ?? 1e-4;
  const [height, width, channels] = detector.config.inputShape;
  const c = detector.numClasses + 1;
  const session = await ort.InferenceSession.create(onnxBytes(onnx), sessionOptions(options));
  let max = 0;
  let agreeing = 0;
  let compared = 0;
  const onnxResults: Detection[][] = [];
  const tfjsResults: Detection[][] = [];
  const labels = ["BACKGROUND", ...detector.classNames];
  try {
    for (const frame of list) {
      const { tensor, resampled } = devicePaths(frame, width, height, device);
      const result = await session.run({ [DETECTNET_BLOBS.input]: tensor });
      const scores = result[DETECTNET_BLOBS.scores].data as Float32Array;
      const boxes = result[DETECTNET_BLOBS.boxes].data as Float32Array;
      const input = tfjsInput(resampled, frame.channels, channels, detector.config.inputShape, detector.config.normalization);
      const expected = detector.predictAnchors(input);
      const expectedScores = expected.scores.dataSync();
      const expectedBoxes = expected.boxes.dataSync();
      tf.dispose([input, expected.scores, expected.boxes]);
      max = maxDifference(boxes, expectedBoxes, maxDifference(scores, expectedScores, max));
      const decode = (s: ArrayLike<number>, b: ArrayLike<number>) => detectnetDetect(s, b, c, labels, frame.width, frame.height, options);
      const fromOnnx = decode(scores, boxes);
      const fromTfjs = decode(expectedScores, expectedBoxes);
      onnxResults.push(fromOnnx);
      tfjsResults.push(fromTfjs);
      compared += Math.max(fromOnnx.length, fromTfjs.length);
      if (sameDetections(fromOnnx, fromTfjs, tolerance)) agreeing++;
    }
  } finally {
    await session.release();
  }
  return new ContractVerifyReport("detector", list.length, max, agreeing, compared, tolerance, onnxResults, tfjsResults);
}

/** segnet's path and tfjs's on the same frames. */
export async function verifySegmenterOnnx(model: Segmenter, onnx: OnnxSource, frames: Frames, options: VerifyContractOptions = {}): Promise<ContractVerifyReport> {
  const list = await framesOf(frames, options);
  const device = options.device ?? SEGNET_PREPROCESSING;
  const tolerance = options.tolerance ?? 1e-4;
  const [height, width, channels] = model.config.inputShape;
  const session = await ort.InferenceSession.create(onnxBytes(onnx), sessionOptions(options));
  let max = 0;
  let agreeing = 0;
  let compared = 0;
  let tieCells = 0;
  const onnxResults: Uint8Array[] = [];
  const tfjsResults: Uint8Array[] = [];
  try {
    for (const frame of list) {
      const { tensor, resampled } = devicePaths(frame, width, height, device);
      const result = await session.run({ [SEGNET_BLOBS.input]: tensor });
      const output = result[SEGNET_BLOBS.output];
      const [, classes, rows, columns] = output.dims as number[];
      const planar = output.data as Float32Array;
      const input = tfjsInput(resampled, frame.channels, channels, model.config.inputShape, model.config.normalization);
      const expected = model.model.predict(input) as tf.Tensor4D;
      const channelsLast = expected.dataSync();
      tf.dispose([input, expected]);
      // tfjs is channels last; the ONNX output is planar: compare value by value.
      const plane = rows * columns;
      const expectedPlanar = new Float32Array(planar.length);
      for (let p = 0; p < plane; p++) for (let k = 0; k < classes; k++) expectedPlanar[k * plane + p] = channelsLast[p * classes + k];
      max = maxDifference(planar, expectedPlanar, max);
      const fromOnnx = segnetClassify(planar, classes, rows, columns);
      const fromTfjs = argMaxRows(channelsLast, plane, new Uint8Array(plane));
      onnxResults.push(fromOnnx);
      tfjsResults.push(fromTfjs);
      compared += plane;
      // A cell may differ only where its two classes score within the tolerance: a tie that float rounding decides.
      const tie = (i: number) => Math.abs(planar[fromOnnx[i] * plane + i] - planar[fromTfjs[i] * plane + i]) <= tolerance;
      let ties = 0;
      let agrees = true;
      fromOnnx.forEach((v, i) => {
        if (v === fromTfjs[i]) return;
        if (tie(i)) ties++;
        else agrees = false;
      });
      tieCells += ties;
      if (agrees) agreeing++;
    }
  } finally {
    await session.release();
  }
  return new ContractVerifyReport("segmenter", list.length, max, agreeing, compared, tolerance, onnxResults, tfjsResults, tieCells);
}
