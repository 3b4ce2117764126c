/** Words for tfjs layer classes, as a learner would say them. */
import type * as tf from "@tensorflow/tfjs";

const NOUNS: Record<string, string> = {
  Conv2D: "conv layer",
  DepthwiseConv2D: "depthwise conv layer",
  SeparableConv2D: "separable conv layer",
  MaxPooling2D: "max-pooling layer",
  AveragePooling2D: "average-pooling layer",
  GlobalAveragePooling2D: "global average-pooling layer",
  GlobalMaxPooling2D: "global max-pooling layer",
  Dense: "dense layer",
  Flatten: "flatten layer",
  Dropout: "dropout layer",
  BatchNormalization: "batch-normalization layer",
  Activation: "activation layer",
  InputLayer: "input layer",
  HogFeatures: "HOG feature layer",
};

/** "Conv2D" → "conv layer". */
export function layerNoun(className: string): string {
  return NOUNS[className] ?? `${className} layer`;
}

/** The model's layers of one class, in order (the input layer of a functional model is not counted). */
export function layersOfClass(model: tf.LayersModel, className: string): tf.layers.Layer[] {
  return model.layers.filter((layer) => layer.getClassName() === className);
}

/** A layer setting as a learner writes it: [3, 3] → "3×3", "relu" → "relu". */
export function formatSetting(value: unknown): string {
  if (Array.isArray(value)) return value.map(String).join("×");
  if (value === null || value === undefined) return "none";
  return String(value);
}
