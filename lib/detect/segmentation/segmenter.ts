/**
 * Segmentation: a class for every pixel. The network is fully convolutional
 * (Long, Shelhamer and Darrell's FCN): an encoder of convolutions and
 * pooling sees enough of the image (about 38 pixels) to tell which digit a
 * stroke belongs to, its coarse 8 × 8 map is enlarged back to full size, and
 * joined with full-resolution features of the first layer (FCN's "skip"
 * connection) so that the mask's edges follow the strokes exactly. Two 1 × 1
 * convolutions then score every pixel: background or one of the classes.
 *
 * Its output is [batch, height, width, classes + 1] scores (not softmaxed):
 * the class of a pixel is the highest score, which is what jetson-inference's
 * segnet computes (c/segNet.cpp, classify) from its output_0.
 */
import * as tf from "@tensorflow/tfjs";
import { kernelInitializer, layerSeed, freshSeed } from "../../models/initializers";
import { recordModelInfo } from "../../models/model-info";
import { requireBackend } from "../../models/backend-ready";
import { normalizePixels, scaleNormalization } from "../../data";
import type { SceneSet } from "../../data/scenes";
import type { Objective } from "../../train";
import { argMaxRows } from "../../evaluate";
import { requireSettings, storeSettings, type SceneModelOptions, type SceneModelSettings } from "../model-settings";

export type SegmenterConfig = SceneModelSettings;

export interface SegmenterOptions extends SceneModelOptions {
  /** Filters of the encoder's four convolutions. Default [8, 16, 32, 32]. */
  filters?: [number, number, number, number];
  /** Filters of the 1 × 1 convolution that mixes the enlarged map with the full-resolution features. Default 16. */
  mixFilters?: number;
  /**
   * The share of pixels that are background, for the starting scores: each
   * class's bias starts at the log of its expected share, so training starts
   * from "mostly background" instead of spending its first hundreds of steps
   * learning that (the prior initialization of Lin et al.'s focal loss paper).
   * Default 0.95 (makeScenes's scenes).
   */
  backgroundShare?: number;
}

const METADATA_KEY = "convlabSegmenter";

export class Segmenter {
  constructor(
    readonly model: tf.LayersModel,
    readonly config: SegmenterConfig,
  ) {
    const out = model.outputs[0].shape;
    if (out.length !== 4 || out[3] !== config.classNames.length + 1) {
      throw new Error(`A segmenter outputs [height, width, classes + 1] per image; this network outputs [${out.slice(1).join(", ")}].`);
    }
    storeSettings(model, METADATA_KEY, config);
  }

  static fromModel(model: tf.LayersModel): Segmenter {
    return new Segmenter(model, requireSettings<SegmenterConfig>(model, METADATA_KEY, "segmenter", "segmenter()"));
  }

  get classNames(): string[] {
    return this.config.classNames;
  }

  /** Output rows and columns (the mask's resolution). */
  get outputSize(): [number, number] {
    const shape = this.model.outputs[0].shape;
    return [shape[1] as number, shape[2] as number];
  }

  /** What train() needs: each scene's mask as the target, pixel-wise cross-entropy, the share of pixels right as accuracy. */
  objective(scenes: SceneSet): Objective {
    const masks = scenes.masks;
    if (!masks) throw new Error(`${scenes.name} has no masks (the class of every pixel), so a segmenter cannot learn from it.`);
    const [rows, columns] = this.outputSize;
    if (rows !== scenes.height || columns !== scenes.width) {
      throw new Error(`The segmenter outputs ${rows}×${columns} masks; ${scenes.name}'s scenes are ${scenes.height}×${scenes.width}.`);
    }
    const classes = this.classNames.length + 1;
    const area = rows * columns;
    return {
      description: "pixel-wise softmax cross-entropy against each scene's mask, averaged over pixels",
      accuracy: "share of pixels given their true class",
      targets: (indices) => {
        const data = new Int32Array(indices.length * area);
        indices.forEach((index, i) => data.set(masks.subarray(index * area, (index + 1) * area), i * area));
        return tf.tensor3d(data, [indices.length, rows, columns], "int32");
      },
      loss: (output, targets) =>
        tf.tidy(() => tf.losses.softmaxCrossEntropy(tf.oneHot(tf.cast(targets, "int32") as tf.Tensor3D, classes), output) as tf.Scalar),
      correct: (output, targets) =>
        tf.tidy(() => tf.div(tf.sum(tf.cast(tf.equal(tf.argMax(output, 3), tf.cast(targets, "int32")), "float32")), area) as tf.Scalar),
    };
  }

  /** The class of every pixel of one image (0 background, k + 1 class k); ties go to the lower class, as in segnet. */
  segmentPixels(pixels: Uint8Array): Uint8Array {
    const [height, width, channels] = this.config.inputShape;
    const scores = tf.tidy(() => {
      const x = tf.tensor4d(normalizePixels(pixels, this.config.inputShape, this.config.normalization), [1, height, width, channels]);
      return this.model.predict(x) as tf.Tensor4D;
    });
    const [, rows, columns] = scores.shape;
    const values = scores.dataSync();
    scores.dispose();
    // The first maximum of each pixel's scores, as segNet::classify picks it.
    return argMaxRows(values, rows * columns, new Uint8Array(rows * columns));
  }
}

/** Builds the small segmentation FCN (untrained). */
export function segmenter(options: SegmenterOptions): Segmenter {
  if (!options || !Array.isArray(options.classNames) || options.classNames.length === 0) {
    throw new Error("segmenter needs classNames, e.g. segmenter({ classNames: scenes.classNames }).");
  }
  requireBackend("segmenter()");
  const inputShape = options.inputShape ?? [64, 64, 1];
  if (inputShape[0] % 8 !== 0 || inputShape[1] % 8 !== 0) throw new Error(`The segmenter halves its map three times; the input ${inputShape[0]}×${inputShape[1]} must be a multiple of 8.`);
  const [f1, f2, f3, f4] = options.filters ?? [8, 16, 32, 32];
  const seed = options.seed ?? freshSeed();
  const classNames = [...options.classNames];
  let index = 0;
  const convLayer = (filters: number, kernel: number, name: string, activation: "relu" | "linear" = "relu") =>
    tf.layers.conv2d({ filters, kernelSize: kernel, padding: "same", activation, name, kernelInitializer: kernelInitializer("glorotUniform", layerSeed(seed, index++), name) });
  // Encoder blocks: convolution, batch normalization (training converges in far fewer steps), ReLU.
  const block = (x: tf.SymbolicTensor, filters: number, name: string) => {
    const conv = convLayer(filters, 3, name, "linear").apply(x) as tf.SymbolicTensor;
    const normalized = tf.layers.batchNormalization({ name: `${name}_bn`, momentum: 0.9 }).apply(conv) as tf.SymbolicTensor;
    return tf.layers.reLU({ name: `${name}_relu` }).apply(normalized) as tf.SymbolicTensor;
  };
  const input = tf.input({ shape: inputShape, name: "input" });
  const full = block(input, f1, "conv1");
  let x = tf.layers.maxPooling2d({ poolSize: 2, name: "pool1" }).apply(full) as tf.SymbolicTensor;
  x = block(x, f2, "conv2");
  x = tf.layers.maxPooling2d({ poolSize: 2, name: "pool2" }).apply(x) as tf.SymbolicTensor;
  x = block(x, f3, "conv3");
  x = tf.layers.maxPooling2d({ poolSize: 2, name: "pool3" }).apply(x) as tf.SymbolicTensor;
  x = block(x, f4, "conv4");
  x = tf.layers.upSampling2d({ size: [8, 8], name: "enlarge" }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.concatenate({ name: "skip" }).apply([x, full]) as tf.SymbolicTensor;
  x = convLayer(options.mixFilters ?? 16, 1, "mix").apply(x) as tf.SymbolicTensor;
  const output = convLayer(classNames.length + 1, 1, "scores", "linear").apply(x) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: output, name: "segmenter" });
  const background = options.backgroundShare ?? 0.95;
  if (!(background > 0 && background < 1)) throw new Error(`backgroundShare must be between 0 and 1 (got ${background}).`);
  const scores = model.getLayer("scores");
  const [kernel] = scores.getWeights();
  const prior = Array.from({ length: classNames.length + 1 }, (_, k) => Math.log(k === 0 ? background : (1 - background) / classNames.length));
  scores.setWeights([kernel, tf.tensor1d(prior)]);
  recordModelInfo(model, {
    architecture: "segmentation FCN",
    seed,
    layers: model.layers.slice(1).map((l) => `${l.name}: ${l.getClassName()}`),
    inputShape,
  });
  return new Segmenter(model, { classNames, inputShape, normalization: options.normalization ?? scaleNormalization() });
}
