/**
 * Naming a model's layers for the transfer tools: by name ("conv2"), by
 * position (0 is the first layer, -1 the last), or as the network's parts:
 * the **head** is the last layer with weights (the classifier) and the
 * weightless layers after it (a softmax); everything before it is the
 * **backbone**.
 */
import type * as tf from "@tensorflow/tfjs";

/** A layer, by name or position (negative positions count from the end). */
export type LayerRef = string | number;

/** The model's layers in order, without tfjs's InputLayer (which holds nothing). */
export function modelLayers(model: tf.LayersModel): tf.layers.Layer[] {
  checkModel(model);
  return model.layers.filter((l) => l.getClassName() !== "InputLayer");
}

export function checkModel(model: unknown): asserts model is tf.LayersModel {
  const m = model as tf.LayersModel;
  if (!m || !Array.isArray(m.layers) || typeof m.getWeights !== "function") {
    throw new Error("This takes a tfjs Layers model, such as one from loadPretrained(), lenet() or sequential([...]).");
  }
}

const listNames = (layers: tf.layers.Layer[]) => layers.map((l, i) => `${i}: ${l.name}`).join(", ");

/** Position of a layer in modelLayers(model); a clear error names the layers there are. */
export function layerIndex(model: tf.LayersModel, ref: LayerRef): number {
  const layers = modelLayers(model);
  if (typeof ref === "number") {
    if (!Number.isInteger(ref) || ref >= layers.length || ref < -layers.length) {
      throw new Error(`Model "${model.name}" has ${layers.length} layers (0 to ${layers.length - 1}, or -1 for the last); there is no layer ${ref}. Its layers: ${listNames(layers)}.`);
    }
    return ref < 0 ? layers.length + ref : ref;
  }
  if (typeof ref === "string") {
    const index = layers.findIndex((l) => l.name === ref);
    if (index < 0) throw new Error(`Model "${model.name}" has no layer named "${ref}". Its layers: ${listNames(layers)}.`);
    return index;
  }
  throw new Error(`A layer is named by its name ("conv2") or its position (0, 1, …, -1 for the last), not ${JSON.stringify(ref)}.`);
}

/** Position of the head's first layer: the last layer with weights. */
export function headStart(model: tf.LayersModel): number {
  const layers = modelLayers(model);
  for (let i = layers.length - 1; i >= 0; i--) if (layers[i].weights.length > 0) return i;
  throw new Error(`Model "${model.name}" has no layer with weights, so it has no head to replace or keep.`);
}

/** The layer whose output the head reads: the backbone's last layer. */
export function backboneOutput(model: tf.LayersModel): number {
  const start = headStart(model);
  if (start === 0) throw new Error(`Model "${model.name}" is all head: its first layer is its only layer with weights, so there is no backbone before it.`);
  return start - 1;
}
