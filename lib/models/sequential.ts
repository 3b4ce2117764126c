/**
 * sequential(): a network from a list of layers, as a plain tfjs Sequential
 * model (so lib/deploy exports it and tfjs saves it):
 *
 *     const model = sequential(
 *       [conv({ filters: 20, kernel: 5 }), maxPool(2), conv({ filters: 50, kernel: 5 }), maxPool(2),
 *        dense({ units: 500, activation: "relu" }), dense({ units: 10 }), softmax()],
 *       { inputShape: [28, 28, 1], seed: 1 },
 *     );
 */
import * as tf from "@tensorflow/tfjs";
import { requireBackend } from "./backend-ready";
import { checkLayerInitializers, freshSeed, layerSeed } from "./initializers";
import { flatten, LayerSpec, NAME_PREFIX } from "./layers";
import { recordModelInfo } from "./model-info";

export interface SequentialOptions {
  /** [height, width, channels] of the input images, e.g. dataset.shape. Required. */
  inputShape: readonly number[];
  /**
   * Seed of the initial weights: the same seed gives the same weights.
   * Default: a fresh random seed, recorded (see modelInfo and summary) so
   * the model can be built again.
   */
  seed?: number;
  /** Model name (used for snapshot folders). Default "model". */
  name?: string;
  /** Shown by summary(). Default "custom". */
  architecture?: string;
  /** How inputs should be prepared; shown by summary(). */
  inputNote?: string;
}

/** A layer of a sequential model: a spec from conv(), dense(), ... or a tfjs layer. */
export type LayerItem = LayerSpec | tf.layers.Layer;

function isSpec(item: LayerItem): item is LayerSpec {
  return typeof (item as LayerSpec).build === "function" && typeof (item as LayerSpec).kind === "string";
}

export function checkInputShape(shape: unknown, what: string): number[] {
  if (!Array.isArray(shape) || shape.length === 0 || !shape.every((n) => Number.isInteger(n) && n > 0)) {
    throw new Error(
      `${what}: inputShape must be [height, width, channels] with whole numbers (got ${JSON.stringify(shape)}). ` +
        `For MNIST it is [28, 28, 1]; a dataset's is dataset.shape.`,
    );
  }
  return [...shape];
}

export function checkSeed(seed: unknown, what: string): number {
  if (seed === undefined) return freshSeed();
  if (!(typeof seed === "number" && Number.isInteger(seed) && seed >= 0)) {
    throw new Error(`${what}: seed must be a whole number, 0 or more (got ${String(seed)}).`);
  }
  return seed;
}

const describeShape = (shape: readonly (number | null)[]): string => shape.slice(1).join("×");

/** Builds a tfjs Sequential model from layer specs (and/or tfjs layers). */
export function sequential(layers: LayerItem[], options: SequentialOptions): tf.Sequential {
  if (!Array.isArray(layers) || layers.length === 0) {
    throw new Error("sequential() takes a non-empty list of layers, e.g. sequential([conv({ filters: 20, kernel: 5 }), ...], { inputShape: [28, 28, 1] }).");
  }
  if (!options || typeof options !== "object") {
    throw new Error("sequential() needs options with the inputShape, e.g. { inputShape: [28, 28, 1] }.");
  }
  const inputShape = checkInputShape(options.inputShape, "sequential");
  requireBackend(options.architecture && options.architecture !== "custom" ? `Building ${options.architecture}` : "sequential()");
  const seed = checkSeed(options.seed, "sequential");
  const model = tf.sequential({ name: options.name ?? "model" });
  const build: BuildState = { model, inputShape, seed, counters: new Map(), used: new Set() };
  const descriptions = withFlattens(layers, inputShape.length).map((item, index) => addLayer(build, item, index));
  recordModelInfo(model, {
    architecture: options.architecture ?? "custom",
    seed,
    layers: descriptions,
    inputShape,
    inputNote: options.inputNote,
  });
  return model;
}

/** The model being built, and the layer names taken so far. */
interface BuildState {
  model: tf.Sequential;
  inputShape: number[];
  seed: number;
  /** How many automatic names each prefix has handed out (conv → 2 after conv1, conv2). */
  counters: Map<string, number>;
  used: Set<string>;
}

/**
 * The layers with a Flatten before the first dense layer that follows a
 * multi-dimensional output. Caffe's InnerProduct flattens its input itself;
 * a dense layer in tfjs would instead apply to the last axis only. Add the
 * Flatten a learner would forget.
 */
function withFlattens(layers: readonly LayerItem[], inputRank: number): LayerItem[] {
  const items: LayerItem[] = [];
  let rank = inputRank;
  for (const item of layers) {
    if (isSpec(item)) {
      if (item.kind === "dense" && rank > 1) {
        items.push(flatten());
        rank = 1;
      }
      if (item.kind === "flatten" || item.kind === "globalAvgPool") rank = 1;
    } else if (item instanceof tf.layers.Layer) {
      const className = item.getClassName();
      if (className === "Dense" && rank > 1) {
        items.push(flatten());
        rank = 1;
      }
      if (className === "Flatten" || className.startsWith("Global")) rank = 1;
    } else {
      throw new Error(
        `sequential: item ${items.length + 1} of the layer list is not a layer (got ${typeof item}). ` +
          `Use conv(), dense(), maxPool(), ... or a tf.layers layer.`,
      );
    }
    items.push(item);
  }
  return items;
}

/** Adds one layer to the model, checks what is left of its input, and returns its line for the model info. */
function addLayer(build: BuildState, item: LayerItem, index: number): string {
  const { model, inputShape } = build;
  const { layer, description } = isSpec(item) ? buildSpec(build, item, index) : takeLayer(build, item, index);
  const before = index === 0 ? [null, ...inputShape] : (model.outputs[0].shape as (number | null)[]);
  try {
    model.add(layer);
  } catch (error) {
    throw new Error(
      `sequential: layer ${index + 1} ("${layer.name}", ${description}) does not fit its input of ${describeShape(before)}: ` +
        `${(error as Error).message}. Use padding: "same" in earlier convolutions, fewer or smaller pooling layers, or larger images.`,
      { cause: error },
    );
  }
  const after = model.outputs[0].shape as (number | null)[];
  if (after.slice(1).some((d) => d !== null && d < 1)) {
    throw new Error(
      `sequential: layer ${index + 1} ("${layer.name}", ${description}) turns its ${describeShape(before)} input into ` +
        `${describeShape(after)}: nothing is left. Use padding: "same" in earlier convolutions, fewer or smaller ` +
        `pooling layers, or larger images.`,
    );
  }
  return `${layer.name}: ${description}`;
}

/** A layer spec built under its own name or the next free automatic one, with its seed (and the input shape, first). */
function buildSpec(build: BuildState, item: LayerSpec, index: number): { layer: tf.layers.Layer; description: string } {
  const { counters, used } = build;
  const prefix = NAME_PREFIX[item.kind];
  let name = item.name;
  if (!name) {
    // Automatic names count per prefix (conv1, conv2, pool1, ...); skip names already taken.
    do {
      const next = (counters.get(prefix) ?? 0) + 1;
      counters.set(prefix, next);
      name = item.kind === "flatten" && next === 1 ? "flatten" : `${prefix}${next}`;
    } while (used.has(name));
  }
  claimName(used, name);
  return { layer: item.build(name, layerSeed(build.seed, index), index === 0 ? build.inputShape : undefined), description: item.description };
}

/** A tfjs layer as given, after checking its initializers and name; an input layer goes first when it leads. */
function takeLayer(build: BuildState, layer: tf.layers.Layer, index: number): { layer: tf.layers.Layer; description: string } {
  checkLayerInitializers(layer);
  claimName(build.used, layer.name);
  if (index === 0) build.model.add(tf.layers.inputLayer({ inputShape: build.inputShape, name: "input" }));
  return { layer, description: layer.getClassName() };
}

function claimName(used: Set<string>, name: string): void {
  if (used.has(name)) throw new Error(`sequential: two layers are named "${name}"; layer names must be unique.`);
  used.add(name);
}
