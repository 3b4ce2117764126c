/**
 * A small single-shot detector, SSD-style: one pass of a convolutional
 * network gives, for every anchor of an 8 × 8 grid (two shapes per cell),
 * class probabilities (background first) and the box offsets that fit the
 * anchor to the object.
 *
 * Why SSD-style anchors rather than a CenterNet-style heat map: jetson-
 * inference's detectnet reads ONNX detectors exactly in SSD's form (c/
 * detectNet.cpp, postProcessSSD_ONNX: per-box softmax scores with class 0 =
 * background, and x1 y1 x2 y2 boxes normalised to 0–1, the output of
 * pytorch-ssd's onnx_export.py). An anchor head exports to that contract with
 * only its decoding appended, while a CenterNet heat map (one sigmoid per
 * class, no background class, peaks picked by max-pooling) would need its
 * post-processing rebuilt inside the graph and its scores reinterpreted.
 * And anchors are the idea the lesson builds up to: a sliding window that
 * also learns how to move.
 */
import * as tf from "@tensorflow/tfjs";
import { conv, maxPool, sequential } from "../../models";
import { normalizePixels } from "../../data";
import type { SceneObject, SceneSet } from "../../data/scenes";
import type { Objective } from "../../train";
import type { Detection } from "../boxes";
import { nonMaxSuppression } from "../nms";
import { runOverScenes, type DetectionRun, type SceneRunOptions } from "../detection-run";
import { decodeBox, makeAnchors, matchAnchors, type Anchor, type AnchorConfig } from "./anchors";
import { ssdCorrect, ssdLoss, TARGET_WIDTH } from "./ssd-loss";
import { requireSettings, storeSettings, type SceneModelOptions, type SceneModelSettings } from "../model-settings";

export interface SingleShotConfig extends AnchorConfig, SceneModelSettings {}

export interface SingleShotDetectorOptions extends SceneModelOptions {
  /** Filters of the convolution blocks; each block but the last halves the map. Default [16, 32, 32, 64]: 64 → 8 pixels, an 8 × 8 grid. */
  filters?: number[];
  /** Anchor shapes as [width, height] in pixels. Default [[20, 20], [12, 22]]: a round digit and a narrow one. */
  anchorShapes?: [number, number][];
}

const METADATA_KEY = "convlabSingleShotDetector";
/** SSD's (and pytorch-ssd's) centre and size variances. */
export const SSD_VARIANCES: [number, number] = [0.1, 0.2];

export class SingleShotDetector {
  readonly anchors: Anchor[];

  constructor(
    readonly model: tf.LayersModel,
    readonly config: SingleShotConfig,
  ) {
    this.anchors = makeAnchors(config);
    const out = model.outputs[0].shape;
    const expected = [config.grid[0], config.grid[1], config.shapes.length * (config.classNames.length + 5)];
    if (out.length !== 4 || out.slice(1).some((d, i) => d !== expected[i])) {
      throw new Error(`The network outputs [${out.slice(1).join(", ")}] per image; this detector's anchors need [${expected.join(", ")}].`);
    }
    storeSettings(model, METADATA_KEY, config);
  }

  /** The detector a model made by singleShotDetector() (and saved and loaded) belongs to. */
  static fromModel(model: tf.LayersModel): SingleShotDetector {
    return new SingleShotDetector(model, requireSettings<SingleShotConfig>(model, METADATA_KEY, "detector", "singleShotDetector()"));
  }

  get classNames(): string[] {
    return this.config.classNames;
  }
  get numClasses(): number {
    return this.config.classNames.length;
  }

  /** What train() needs to teach this detector with `scenes`' boxes: the targets of a batch, the SSD loss, the scene accuracy. */
  objective(scenes: SceneSet): Objective {
    const cache = new Map<number, Float32Array>();
    const n = this.anchors.length;
    const c = this.numClasses;
    const { height, width } = { height: this.config.inputShape[0], width: this.config.inputShape[1] };
    if (scenes.height !== height || scenes.width !== width) {
      throw new Error(`The detector takes ${height}×${width} images; ${scenes.name}'s scenes are ${scenes.height}×${scenes.width}.`);
    }
    if (scenes.classNames.join("\u0000") !== this.classNames.join("\u0000")) {
      throw new Error(`The detector's classes (${this.classNames.join(", ")}) are not ${scenes.name}'s (${scenes.classNames.join(", ")}).`);
    }
    const targetsOf = (index: number): Float32Array => {
      let row = cache.get(index);
      if (!row) {
        row = encodeTargets(this.anchors, normalisedObjects(scenes.objects[index], width, height), this.config);
        cache.set(index, row);
      }
      return row;
    };
    return {
      description: `SSD loss: softmax cross-entropy on positive anchors and the hardest negatives (3 per positive) + smooth L1 on the positives' box offsets`,
      accuracy: "scenes with every object's best anchor right and no false alarm far from the objects",
      targets: (indices) => {
        const data = new Float32Array(indices.length * n * TARGET_WIDTH);
        indices.forEach((index, i) => data.set(targetsOf(index), i * n * TARGET_WIDTH));
        return tf.tensor3d(data, [indices.length, n, TARGET_WIDTH]);
      },
      loss: (output, targets) => ssdLoss(output, targets, n, c),
      correct: (output, targets) => ssdCorrect(output, targets, n, c),
    };
  }

  /**
   * The detector's answer in jetson-inference's SSD form, computed in tfjs:
   * `scores` [batch, N, classes + 1], softmax, class 0 = background; `boxes`
   * [batch, N, 4], x1 y1 x2 y2 normalised to 0–1. The ONNX export computes
   * exactly this in its graph.
   */
  predictAnchors(inputs: tf.Tensor4D): { scores: tf.Tensor3D; boxes: tf.Tensor3D } {
    return tf.tidy(() => {
      const n = this.anchors.length;
      const c = this.numClasses;
      const rows = tf.reshape(this.model.predict(inputs) as tf.Tensor, [inputs.shape[0], n, c + 5]);
      const scores = tf.softmax(tf.slice(rows, [0, 0, 0], [-1, -1, c + 1])) as tf.Tensor3D;
      const t = tf.slice(rows, [0, 0, c + 1], [-1, -1, 4]);
      const [cv, sv] = this.config.variances;
      const a = this.anchorTensor();
      const centre = tf.add(tf.mul(tf.slice(t, [0, 0, 0], [-1, -1, 2]), tf.mul(cv, tf.slice(a, [0, 2], [-1, 2]))), tf.slice(a, [0, 0], [-1, 2]));
      const size = tf.mul(tf.exp(tf.mul(tf.slice(t, [0, 0, 2], [-1, -1, 2]), sv)), tf.slice(a, [0, 2], [-1, 2]));
      const half = tf.div(size, 2);
      const boxes = tf.concat([tf.sub(centre, half), tf.add(centre, half)], 2) as tf.Tensor3D;
      return { scores, boxes };
    });
  }

  /** The anchors as an [N, 4] tensor of cx, cy, w, h. */
  anchorTensor(): tf.Tensor2D {
    return tf.tensor2d(this.anchors.flatMap((a) => [a.cx, a.cy, a.w, a.h]), [this.anchors.length, 4]);
  }

  /**
   * Detections in one image (height × width × channels bytes, 0–255), in
   * pixels: per anchor the likeliest object class, if it scores at least
   * minScore, then non-maximum suppression per class.
   */
  detectPixels(pixels: Uint8Array, options: { minScore?: number; nmsIoU?: number } = {}): Detection[] {
    const [height, width, channels] = this.config.inputShape;
    const input = tf.tensor4d(normalizePixels(pixels, this.config.inputShape, this.config.normalization), [1, height, width, channels]);
    const { scores, boxes } = this.predictAnchors(input);
    const s = scores.dataSync() as Float32Array;
    const b = boxes.dataSync() as Float32Array;
    tf.dispose([input, scores, boxes]);
    const c = this.numClasses + 1;
    const minScore = options.minScore ?? 0.05;
    const found: Detection[] = [];
    for (let i = 0; i < this.anchors.length; i++) {
      let best = 1;
      for (let k = 2; k < c; k++) if (s[i * c + k] > s[i * c + best]) best = k;
      if (s[i * c + best] < minScore) continue;
      found.push({ x1: b[i * 4] * width, y1: b[i * 4 + 1] * height, x2: b[i * 4 + 2] * width, y2: b[i * 4 + 3] * height, classIndex: best - 1, score: s[i * c + best] });
    }
    return nonMaxSuppression(found, { iouThreshold: options.nmsIoU ?? 0.45 });
  }

  /** Runs the detector over scenes of a split: one pass per scene. */
  detect(scenes: SceneSet, options: SceneRunOptions & { nmsIoU?: number } = {}): Promise<DetectionRun> {
    return runOverScenes(
      "single-shot detector",
      scenes,
      options,
      async (image) => ({ detections: this.detectPixels(image.pixels, options) }),
      `${this.anchors.length} anchors, one pass`,
    );
  }
}

/** Builds a small single-shot detector (untrained). */
export function singleShotDetector(options: SingleShotDetectorOptions): SingleShotDetector {
  if (!options || !Array.isArray(options.classNames) || options.classNames.length === 0) {
    throw new Error("singleShotDetector needs classNames, e.g. singleShotDetector({ classNames: scenes.classNames }).");
  }
  const inputShape = options.inputShape ?? [64, 64, 1];
  const filters = options.filters ?? [16, 32, 32, 64];
  const shrink = 2 ** (filters.length - 1);
  if (inputShape[0] % shrink !== 0 || inputShape[1] % shrink !== 0) {
    throw new Error(`With ${filters.length} blocks the map shrinks ${shrink}×; the input ${inputShape[0]}×${inputShape[1]} must be a multiple of ${shrink}.`);
  }
  const grid: [number, number] = [inputShape[0] / shrink, inputShape[1] / shrink];
  const shapes = (options.anchorShapes ?? [[20, 20], [12, 22]]).map(([w, h]) => [w / inputShape[1], h / inputShape[0]] as [number, number]);
  const classNames = [...options.classNames];
  const layers = filters.flatMap((f, i) => [conv({ filters: f, kernel: 3, padding: "same", activation: "relu" }), ...(i < filters.length - 1 ? [maxPool(2)] : [])]);
  layers.push(conv({ filters: shapes.length * (classNames.length + 5), kernel: 1, name: "head" }));
  const model = sequential(layers, { inputShape, seed: options.seed, name: "single-shot-detector", architecture: "single-shot detector (SSD-style)" });
  return new SingleShotDetector(model, {
    classNames,
    inputShape,
    grid,
    shapes,
    variances: SSD_VARIANCES,
    normalization: options.normalization ?? { method: "scale", scale: 1 / 255, mean: null, meanShape: null, std: null, computedFrom: null },
  });
}

function normalisedObjects(objects: readonly SceneObject[], width: number, height: number) {
  return objects.map((o) => ({ x1: o.x1 / width, y1: o.y1 / height, x2: o.x2 / width, y2: o.y2 / height, classIndex: o.classIndex }));
}

/** The target rows of one image: [class, tx, ty, tw, th, positive, best, far] per anchor. */
export function encodeTargets(anchors: readonly Anchor[], objects: ReturnType<typeof normalisedObjects>, config: AnchorConfig): Float32Array {
  const matched = matchAnchors(anchors, objects, config.variances);
  const out = new Float32Array(anchors.length * TARGET_WIDTH);
  for (let i = 0; i < anchors.length; i++) {
    const at = i * TARGET_WIDTH;
    out[at] = matched.classes[i];
    out.set(matched.offsets.subarray(i * 4, i * 4 + 4), at + 1);
    out[at + 5] = matched.classes[i] > 0 ? 1 : 0;
    out[at + 6] = matched.best[i];
    out[at + 7] = matched.far[i];
  }
  return out;
}

export { decodeBox };
