/**
 * New heads and copies. replaceHead() keeps a network's backbone (its
 * learned features, copied with their weights and frozen flags) and puts a
 * new, randomly initialized classifier for your classes on top.
 * untrainedCopy() gives the same architecture with fresh random weights:
 * the from-scratch baseline a transferred network should beat.
 *
 *     const digits = replaceHead(await loadPretrained("digits-0-4-lenet"), 5, { seed: 1 });
 *
 * Both return new models; the original is never changed.
 */
import * as tf from "@tensorflow/tfjs";
import { dense, flatten, type LayerSpec, modelInfo, sequential, softmax } from "../models";
import { layerSeed } from "../models/initializers";
import { checkNumClasses } from "../models";
import { headStart, layerIndex, modelLayers, type LayerRef } from "./layers";

export interface ReplaceHeadOptions {
  /** Seed of the new head's initial weights. Default 1. */
  seed?: number;
  /** Hidden dense layers (ReLU) between the backbone and the new output layer. Default [] (one dense layer, a linear classifier). */
  hidden?: readonly number[];
  /** The new model's name. Default "<name>-new-head". */
  name?: string;
}

type Serialized = { className: string; config: Record<string, unknown> };
type LayerClass = tf.serialization.SerializableConstructor<tf.layers.Layer> & { fromConfig: tf.serialization.FromConfigMethod<tf.layers.Layer> };

const INITIALIZER_KEYS = ["kernelInitializer", "biasInitializer", "depthwiseInitializer", "pointwiseInitializer", "gammaInitializer", "betaInitializer"];

/** A new layer like `layer`: its weights copied, or (with `seed`) freshly initialized by its own initializers. */
export function copyLayer(layer: tf.layers.Layer, fresh?: { seed: number }): tf.layers.Layer {
  const className = layer.getClassName();
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[className];
  if (!entry) throw new Error(`Layer "${layer.name}" is a ${className}, which tfjs cannot copy (it is not registered for serialization).`);
  const [cls, fromConfig] = entry as unknown as [LayerClass, tf.serialization.FromConfigMethod<tf.layers.Layer>];
  const config = { ...(layer.getConfig() as Record<string, unknown>) };
  if (fresh) {
    for (const key of INITIALIZER_KEYS) {
      const init = config[key] as Serialized | undefined;
      if (init && typeof init === "object" && init.config && "seed" in init.config) {
        config[key] = { className: init.className, config: { ...init.config, seed: fresh.seed } };
      }
    }
  }
  const copy = fromConfig(cls, config as tf.serialization.ConfigDict);
  copy.trainable = layer.trainable;
  return copy;
}

/** Copies the weights of `from` into `to` (same architecture). */
function copyWeights(from: tf.layers.Layer[], to: tf.layers.Layer[]): void {
  from.forEach((layer, i) => {
    if (layer.weights.length === 0) return;
    const values = layer.getWeights();
    to[i].setWeights(values);
  });
}

/** Puts the copied layers (built by a throwaway model) into a new sequential model with `extra` layers on top. */
function rebuild(model: tf.LayersModel, layers: tf.layers.Layer[], extra: LayerSpec[], options: { seed: number; name: string; architecture: string; fresh: boolean }): tf.Sequential {
  const inputShape = (model.inputs[0].shape as (number | null)[]).slice(1) as number[];
  const copies = layers.map((layer, i) => copyLayer(layer, options.fresh ? { seed: layerSeed(options.seed, i) } : undefined));
  const result = sequential([...copies, ...extra], {
    inputShape,
    seed: options.seed,
    name: options.name,
    architecture: options.architecture,
    inputNote: modelInfo(model)?.inputNote,
  });
  if (!options.fresh) copyWeights(layers, copies);
  return result;
}

/**
 * The network's backbone (every layer before its head, weights and frozen
 * flags copied) with a new head for `numClasses` classes: a dense layer
 * (after optional hidden ones) and a softmax, randomly initialized from `seed`.
 */
export function replaceHead(model: tf.LayersModel, numClasses: number, options: ReplaceHeadOptions = {}): tf.Sequential {
  const classes = checkNumClasses(numClasses, "replaceHead");
  const layers = modelLayers(model);
  const start = headStart(model);
  if (start === 0) throw new Error(`replaceHead: model "${model.name}" has weights only in its first layer, so there is no backbone to keep.`);
  const hidden = options.hidden ?? [];
  if (!Array.isArray(hidden) || !hidden.every((n) => Number.isInteger(n) && n >= 1)) {
    throw new Error(`replaceHead: hidden lists the sizes of hidden layers, e.g. [64] (got ${JSON.stringify(options.hidden)}).`);
  }
  const oldHead = layers[start];
  const used = new Set(layers.slice(0, start).map((l) => l.name));
  const free = (name: string) => (used.has(name) ? `${name}_new` : name);
  const extra: LayerSpec[] = [
    ...hidden.map((units, i) => dense({ units, activation: "relu", name: free(`head_fc${i + 1}`) })),
    dense({ units: classes, name: free(oldHead.name) }),
    softmax({ name: free(layers.length > start + 1 ? layers[layers.length - 1].name : "prob") }),
  ];
  const architecture = modelInfo(model)?.architecture ?? model.name;
  return rebuild(model, layers.slice(0, start), extra, {
    seed: options.seed ?? 1,
    name: options.name ?? `${model.name}-new-head`,
    architecture: `${architecture}, new ${classes}-class head`,
    fresh: false,
  });
}

/**
 * The same architecture with new random weights (each layer's own
 * initializer, seeded from `seed`): training it is training from scratch.
 * With `numClasses`, its head is sized for that many classes. With `upTo`,
 * the layers after that one are dropped and a new dense head reads its
 * output (flattened if need be): the architecture fineTune() builds when
 * its features come from that layer, so from scratch stays like for like.
 */
export function untrainedCopy(model: tf.LayersModel, options: { seed?: number; numClasses?: number; name?: string; upTo?: LayerRef } = {}): tf.Sequential {
  const seed = options.seed ?? 1;
  const layers = modelLayers(model);
  const start = headStart(model);
  const outputs = (layers[start].outputShape as number[])[1];
  const classes = options.numClasses === undefined ? outputs : checkNumClasses(options.numClasses, "untrainedCopy");
  const architecture = (modelInfo(model)?.architecture ?? model.name).replace(/, pretrained "[^"]*"/, "");
  const name = options.name ?? `${model.name}-untrained`;
  const cut = options.upTo === undefined ? undefined : layerIndex(model, options.upTo);
  if (cut !== undefined && cut !== start - 1) {
    const kept = layers.slice(0, cut + 1);
    const flat = (kept[cut].outputShape as number[]).length > 2 ? [flatten({ name: "features_flat" })] : [];
    const head = [...flat, dense({ units: classes, name: layers[start].name }), softmax({ name: "prob" })];
    return rebuild(model, kept, head, { seed, name, architecture: `${architecture} up to "${kept[cut].name}", new head, untrained`, fresh: true });
  }
  const keep = classes === outputs ? layers : layers.slice(0, start);
  const extra = classes === outputs ? [] : [dense({ units: classes, name: layers[start].name }), softmax({ name: "prob" })];
  return rebuild(model, keep, extra, { seed, name, architecture: `${architecture}, untrained`, fresh: true });
}
