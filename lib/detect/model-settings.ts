/**
 * Settings a network of lib/detect carries in its tfjs user-defined metadata
 * (a detector's anchors, a segmenter's classes, an FCN's geometry), so that
 * they survive saving and loading the model.
 */
import type * as tf from "@tensorflow/tfjs";
import type { Normalization } from "../data";

/** What a scene model (the single-shot detector, the segmenter) records about its input and classes. */
export interface SceneModelSettings {
  /** Object classes; background is class 0 of the output. */
  classNames: string[];
  /** [height, width, channels] of the input. */
  inputShape: [number, number, number];
  /** How 0–255 pixels became the network's input in training. */
  normalization: Normalization;
}

/** The options a scene model's builder shares with the others. */
export interface SceneModelOptions {
  /** Object classes, e.g. scenes.classNames. Required. */
  classNames: readonly string[];
  /** [height, width, channels]. Default [64, 64, 1] (makeScenes's default). */
  inputShape?: [number, number, number];
  /** The training normalization. Default: scale to 0–1, as makeScenes's scenes. */
  normalization?: Normalization;
  /** Seed of the initial weights. Default: a fresh one (recorded, see summary()). */
  seed?: number;
}

/** Stores `settings` under `key`, keeping the model's other metadata. */
export function storeSettings(model: tf.LayersModel, key: string, settings: object): void {
  model.setUserDefinedMetadata({ ...(model.getUserDefinedMetadata() as object), [key]: settings as never });
}

/** The settings stored under `key`, or undefined when the model has none. */
export function storedSettings<T>(model: tf.LayersModel, key: string): T | undefined {
  return (model.getUserDefinedMetadata() as Record<string, unknown> | undefined)?.[key] as T | undefined;
}

/** The settings stored under `key`; a model without them was not made by `madeBy` ("segmenter()"), and the error says so. */
export function requireSettings<T>(model: tf.LayersModel, key: string, what: string, madeBy: string): T {
  const settings = storedSettings<T>(model, key);
  if (!settings) throw new Error(`"${model.name}" carries no ${what} settings; it was not made by ${madeBy}.`);
  return settings;
}
