/**
 * A small AlexNet-style network for 28-64 pixel images: AlexNet's shape
 * (five convolutions, overlapping 3×3 max-pools with stride 2, two wide
 * dense layers with dropout 0.5, then the classes), narrowed so it trains on
 * a CPU. At 28×28 it costs about seven LeNets per image.
 *
 *     conv1 32@5×5 → pool1 → conv2 64@5×5 → pool2 → conv3 96@3×3 → conv4 96@3×3 →
 *     conv5 64@3×3 → pool5 → fc6 256 → drop6 → fc7 256 → drop7 → fc8 N → softmax
 *
 * Convolutions use "same" padding and ReLU; the pools are 3×3, stride 2.
 * For images larger than 32 pixels conv1 moves in steps of 2 (AlexNet's first
 * layer strides by 4 on 224-pixel images for the same reason: cost).
 * AlexNet's local response normalization is left out (later work found it
 * adds little; tfjs has no such layer).
 */
import type * as tf from "@tensorflow/tfjs";
import { conv, dense, dropout, LayerSpec, maxPool, softmax } from "./layers";
import { buildClassifier, DEFAULT_INPUT_SHAPE, numClassesOf, type ClassifierOptions } from "./classifier-options";

export interface SmallAlexNetOptions extends ClassifierOptions {
  /** Filters of conv1 to conv5. Default [32, 64, 96, 96, 64]. */
  filters?: readonly [number, number, number, number, number];
  /** Units of fc6 and fc7. Default 256. */
  denseUnits?: number;
  /** Dropout after fc6 and fc7. Default 0.5 (AlexNet's). */
  dropout?: number;
}

export function smallAlexNet(options: SmallAlexNetOptions = {}): tf.Sequential {
  const numClasses = numClassesOf(options, "smallAlexNet");
  const filters = options.filters ?? [32, 64, 96, 96, 64];
  if (!Array.isArray(filters) || filters.length !== 5) {
    throw new Error(`smallAlexNet: filters must list five numbers, one per convolution (got ${JSON.stringify(filters)}).`);
  }
  const units = options.denseUnits ?? 256;
  const rate = options.dropout ?? 0.5;
  const pool = (name: string) => maxPool({ size: 3, stride: 2, name });
  const inputShape = options.inputShape ?? DEFAULT_INPUT_SHAPE;
  const stride1 = Math.min(inputShape[0], inputShape[1]) > 32 ? 2 : 1;
  const layers: LayerSpec[] = [
    conv({ filters: filters[0], kernel: 5, stride: stride1, padding: "same", activation: "relu", name: "conv1" }),
    pool("pool1"),
    conv({ filters: filters[1], kernel: 5, padding: "same", activation: "relu", name: "conv2" }),
    pool("pool2"),
    conv({ filters: filters[2], kernel: 3, padding: "same", activation: "relu", name: "conv3" }),
    conv({ filters: filters[3], kernel: 3, padding: "same", activation: "relu", name: "conv4" }),
    conv({ filters: filters[4], kernel: 3, padding: "same", activation: "relu", name: "conv5" }),
    pool("pool5"),
    dense({ units, activation: "relu", name: "fc6" }),
    dropout(rate, { name: "drop6" }),
    dense({ units, activation: "relu", name: "fc7" }),
    dropout(rate, { name: "drop7" }),
    dense({ units: numClasses, name: "fc8" }),
    softmax({ name: "prob" }),
  ];
  return buildClassifier(layers, options, { name: "small-alexnet", architecture: "small AlexNet" });
}
