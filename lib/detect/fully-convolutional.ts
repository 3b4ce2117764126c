/**
 * toFullyConvolutional: a classifier that takes any image size.
 *
 * A dense layer after Flatten multiplies every feature of an h × w × c map
 * by its own weight. A convolution with an h × w kernel does exactly that at
 * one position, so the dense layer *is* that convolution, with the same
 * weights reshaped (Keras flattens in h, w, c order, the order of a
 * convolution kernel's rows). Later dense layers act on one vector each:
 * 1 × 1 convolutions. The converted network gives the classifier's answer on
 * an image of the training size, and on a larger image it gives an answer
 * for every window position at once: a map of class probabilities (the class
 * heat map), from one pass that computes each shared feature once. That is
 * the "fully convolutional network" (Long, Shelhamer and Darrell, 2015).
 *
 * With "valid" convolutions the map's cell (i, j) is exactly the classifier's
 * answer for the window at (j × stride, i × stride); "same" padding changes
 * the answers of windows that reach the image's border.
 */
import * as tf from "@tensorflow/tfjs";
import type { BoxLike, SceneSet } from "../data/scenes";
import { normalizePixels } from "../data";
import { copyLayer } from "../transfer";
import { nonMaxSuppression } from "./nms";
import { runOverScenes, type DetectionRun, type SceneRunOptions } from "./detection-run";
import { BORDER_MARGIN, cropResize, objectBoxOf, type ImageBytes } from "./regions";
import type { Detection } from "./boxes";
import { storedSettings, storeSettings } from "./model-settings";

/** Where every output cell of a fully convolutional network looks. */
export interface FcnGeometry {
  /** The classifier's input side: the window each cell sees. */
  window: number;
  /** Pixels between neighbouring cells' windows. */
  stride: number;
  /** True when every layer pads "valid", so cells are exactly the classifier on their windows. */
  exact: boolean;
}

const METADATA_KEY = "convlabFullyConvolutional";

/** Layers copied as they are (they work on maps of any size). */
const SPATIAL = new Set([
  "Conv2D", "DepthwiseConv2D", "SeparableConv2D", "MaxPooling2D", "AveragePooling2D", "BatchNormalization",
  "Activation", "ReLU", "LeakyReLU", "ELU", "Softmax", "ZeroPadding2D", "Rescaling",
]);
/** Layers that change nothing at inference. */
const INFERENCE_NO_OPS = new Set(["Dropout", "SpatialDropout2D", "GaussianNoise", "GaussianDropout", "AlphaDropout"]);

/** The same network, with dense layers as convolutions, taking images of any size. */
export function toFullyConvolutional(classifier: tf.LayersModel): tf.LayersModel {
  const inputShape = classifier.inputs?.[0]?.shape;
  if (!inputShape || inputShape.length !== 4 || inputShape[1] === null || inputShape[2] === null) {
    throw new Error("toFullyConvolutional needs an image classifier with a fixed input size, e.g. [28, 28, 1].");
  }
  if (inputShape[1] !== inputShape[2]) throw new Error(`toFullyConvolutional needs a square input; this classifier takes ${inputShape[1]}×${inputShape[2]}.`);
  const input = tf.input({ shape: [null, null, inputShape[3] as number], name: `${classifier.name}_fcn_input` });
  let x: tf.SymbolicTensor = input;
  /** The [h, w, c] map a Flatten turned into a vector, waiting for the dense layer that becomes an h × w convolution. */
  let flattened: number[] | undefined;
  let stride = 1;
  let exact = true;
  const copies: { from: tf.layers.Layer; to: tf.layers.Layer; weights?: tf.Tensor[] }[] = [];
  for (const layer of chainOf(classifier)) {
    const className = layer.getClassName();
    const config = layer.getConfig() as Record<string, unknown>;
    if (INFERENCE_NO_OPS.has(className)) continue;
    if (className === "Flatten") {
      flattened = (layer.inputSpec?.[0]?.shape ?? (layer.input as tf.SymbolicTensor).shape).slice(1) as number[];
      continue;
    }
    if (className === "Dense") {
      const [kernel, bias] = layer.getWeights();
      const units = config.units as number;
      const [h, w, c] = flattened ?? [1, 1, kernel.shape[0]];
      const conv = tf.layers.conv2d({
        filters: units,
        kernelSize: [h, w],
        activation: config.activation as never,
        useBias: Boolean(config.useBias),
        name: `${layer.name}_as_conv`,
      });
      x = conv.apply(x) as tf.SymbolicTensor;
      copies.push({ from: layer, to: conv, weights: [tf.reshape(kernel, [h, w, c, units]), ...(bias ? [bias] : [])] });
      flattened = undefined;
      continue;
    }
    if (flattened) throw new Error(`Layer "${layer.name}" (${className}) comes between Flatten and the first dense layer; toFullyConvolutional expects Flatten → Dense.`);
    if (className.startsWith("Global")) {
      throw new Error(
        `Layer "${layer.name}" (${className}) pools the whole map into one vector, so the classifier has no Flatten → Dense to turn into a convolution. ` +
          `Remove the global pooling and apply the dense layer at every position instead (a 1×1 convolution) to get a class map.`,
      );
    }
    if (!SPATIAL.has(className)) throw new Error(`toFullyConvolutional cannot convert layer "${layer.name}" (${className}).`);
    const copy = copyLayer(layer);
    x = copy.apply(x) as tf.SymbolicTensor;
    copies.push({ from: layer, to: copy });
    stride *= strideOf(config);
    if (config.padding === "same" && !/Pooling/.test(className)) exact = false;
    if (className === "ZeroPadding2D") exact = false;
  }
  if (flattened) throw new Error("The classifier ends in Flatten; toFullyConvolutional needs the dense layers after it.");
  const fcn = tf.model({ inputs: input, outputs: x, name: `${classifier.name}_fcn` });
  for (const { from, to, weights } of copies) {
    to.setWeights(weights ?? from.getWeights());
    if (weights) tf.dispose(weights.slice(0, 1));
  }
  const geometry: FcnGeometry = { window: inputShape[1] as number, stride, exact };
  storeSettings(fcn, METADATA_KEY, geometry);
  return fcn;
}

/** The window and stride of a network made by toFullyConvolutional. */
export function fcnGeometry(fcn: tf.LayersModel): FcnGeometry {
  const geometry = storedSettings<FcnGeometry>(fcn, METADATA_KEY);
  if (!geometry) throw new Error(`"${fcn.name}" was not made by toFullyConvolutional(classifier), so where its cells look is unknown.`);
  return geometry;
}

function chainOf(model: tf.LayersModel): tf.layers.Layer[] {
  const layers = model.layers.filter((l) => l.getClassName() !== "InputLayer");
  for (const layer of layers) {
    if (layer.inboundNodes.length !== 1 || layer.inboundNodes[0].inboundLayers.length !== 1) {
      throw new Error(`toFullyConvolutional converts a chain of layers; layer "${layer.name}" has several inputs or is shared.`);
    }
  }
  return layers;
}

function strideOf(config: Record<string, unknown>): number {
  const s = config.strides ?? config.poolSize;
  const first = Array.isArray(s) ? Number(s[0]) : typeof s === "number" ? s : 1;
  if (Array.isArray(s) && Number(s[1] ?? s[0]) !== first) throw new Error("toFullyConvolutional handles equal horizontal and vertical strides only.");
  return first;
}

/** One pass of `fcn` over an image (resized by `scale` first): class probabilities per cell. */
export interface ClassMap {
  /** rows × columns × classes probabilities. */
  values: Float32Array;
  rows: number;
  columns: number;
  numClasses: number;
  /** The window of cell (row, column), in the original image's pixels. */
  windowOf(row: number, column: number): BoxLike;
  /** One class's probabilities, rows × columns, for a heat map. */
  classValues(classIndex: number): Float32Array;
}

/**
 * Runs `fcn` once over an image (any size), resized by `scale` and with a
 * black border of `pad` pixels (after resizing) so that windows reach past
 * the image's edge as sliding windows do. Default pad: BORDER_MARGIN of the window.
 */
export function classMap(fcn: tf.LayersModel, image: ImageBytes, normalization: Parameters<typeof normalizePixels>[2], scale = 1, pad?: number): ClassMap {
  const { window, stride } = fcnGeometry(fcn);
  const margin = pad ?? Math.round(BORDER_MARGIN * window);
  const inner = { width: Math.round(image.width * scale), height: Math.round(image.height * scale) };
  const width = inner.width + 2 * margin;
  const height = inner.height + 2 * margin;
  if (width < window || height < window) throw new Error(`At scale ${scale} the image is ${width}×${height}, smaller than the ${window}-pixel window.`);
  // The padded, resized image is a crop of the original reaching `margin` resized pixels past each edge.
  const mx = (margin * image.width) / inner.width;
  const my = (margin * image.height) / inner.height;
  const bytes = scale === 1 && margin === 0 ? image.pixels : cropResize(image, { x1: -mx, y1: -my, x2: image.width + mx, y2: image.height + my }, width, height);
  const output = tf.tidy(() => {
    const x = tf.tensor4d(normalizePixels(bytes, [height, width, image.channels], normalization), [1, height, width, image.channels]);
    return fcn.predict(x) as tf.Tensor4D;
  });
  const [, rows, columns, numClasses] = output.shape;
  const values = output.dataSync() as Float32Array;
  output.dispose();
  const sx = image.width / inner.width;
  const sy = image.height / inner.height;
  return {
    values,
    rows,
    columns,
    numClasses,
    windowOf: (row, column) => ({
      x1: (column * stride - margin) * sx,
      y1: (row * stride - margin) * sy,
      x2: (column * stride + window - margin) * sx,
      y2: (row * stride + window - margin) * sy,
    }),
    classValues: (k) => Float32Array.from({ length: rows * columns }, (_, i) => values[i * numClasses + k]),
  };
}

export interface FcnDetectOptions extends SceneRunOptions {
  /** Image scales to run at (windows of window / scale pixels). Default [1.27, 1, 0.82]: windows of about 22, 28 and 34 pixels. */
  scales?: number[];
  /** Non-maximum suppression's IoU threshold. Default 0.3. */
  nmsIoU?: number;
}

/** Detects objects with one pass of `fcn` per scale: every cell is a window, as in slidingWindowDetect. */
export async function fcnDetect(fcn: tf.LayersModel, scenes: SceneSet, options: FcnDetectOptions = {}): Promise<DetectionRun> {
  const scales = options.scales ?? [1.27, 1, 0.82];
  const { window, stride } = fcnGeometry(fcn);
  let cells = 0;
  return runOverScenes(
    "fully convolutional",
    scenes,
    options,
    async (image) => {
      const found: Detection[] = [];
      cells = 0;
      for (const scale of scales) {
        const map = classMap(fcn, image, scenes.dataset.normalization, scale);
        cells += map.rows * map.columns;
        for (let r = 0; r < map.rows; r++) {
          for (let c = 0; c < map.columns; c++) {
            const at = (r * map.columns + c) * map.numClasses;
            let best = 1;
            for (let k = 2; k < map.numClasses; k++) if (map.values[at + k] > map.values[at + best]) best = k;
            const score = map.values[at + best];
            if (score >= (options.minScore ?? 0.05)) found.push({ ...objectBoxOf(map.windowOf(r, c)), classIndex: best - 1, score });
          }
        }
      }
      return { detections: nonMaxSuppression(found, { iouThreshold: options.nmsIoU ?? 0.3, classAgnostic: true }), regions: cells };
    },
    `one pass at each of ${scales.length} scales, ${window}-px window every ${stride} px`,
  );
}
