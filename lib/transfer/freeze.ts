/**
 * freeze() and unfreeze(): which layers training may change. A frozen
 * layer keeps its weights: train() updates only the trainable ones (tfjs's
 * `layer.trainable`, as in Keras), and summary() marks the frozen layers.
 *
 *     freeze(model)                        // all but the head (the usual start of transfer learning)
 *     freeze(model, "all")                 // nothing trains
 *     freeze(model, ["conv1", "conv2"])    // by name
 *     freeze(model, { upTo: "pool2" })     // the first layers, up to and with pool2
 *     unfreeze(model, -3)                  // by position, negative from the end
 *     unfreeze(model)                      // everything trains again
 */
import type * as tf from "@tensorflow/tfjs";
import { DISPLAY, type MimeBundle } from "../display";
import { escapeHtml } from "../display/html";
import { headStart, layerIndex, modelLayers, type LayerRef } from "./layers";

/** Which layers: "all", "all-but-head", one layer, a list, or the first ones up to a layer. */
export type LayerSelection = "all" | "all-but-head" | LayerRef | readonly LayerRef[] | { upTo: LayerRef };

/** Positions (in modelLayers) of the selected layers. */
export function selectLayers(model: tf.LayersModel, selection: LayerSelection): number[] {
  const count = modelLayers(model).length;
  const range = (end: number) => Array.from({ length: end }, (_, i) => i);
  if (selection === "all") return range(count);
  if (selection === "all-but-head") return range(headStart(model));
  if (Array.isArray(selection)) return [...new Set(selection.map((ref) => layerIndex(model, ref)))].sort((a, b) => a - b);
  if (typeof selection === "object" && selection !== null && "upTo" in selection) return range(layerIndex(model, selection.upTo) + 1);
  if (typeof selection === "string" || typeof selection === "number") return [layerIndex(model, selection)];
  throw new Error(
    `Choose layers as "all", "all-but-head", a name ("conv2"), a position (0, -1), a list of those, or { upTo: "pool2" } (got ${JSON.stringify(selection)}).`,
  );
}

/** Which layers train and which are frozen, after freeze() or unfreeze(). */
export class TrainableLayers {
  /** Layers with weights that training leaves alone. */
  readonly frozen: string[];
  /** Layers with weights that training changes. */
  readonly trainable: string[];
  readonly frozenParams: number;
  readonly trainableParams: number;

  constructor(model: tf.LayersModel) {
    const withWeights = modelLayers(model).filter((l) => l.weights.length > 0);
    const params = (layers: tf.layers.Layer[]) => layers.reduce((s, l) => s + l.countParams(), 0);
    const frozen = withWeights.filter((l) => !l.trainable);
    const trainable = withWeights.filter((l) => l.trainable);
    this.frozen = frozen.map((l) => l.name);
    this.trainable = trainable.map((l) => l.name);
    this.frozenParams = params(frozen);
    this.trainableParams = params(trainable);
  }

  toString(): string {
    const count = (n: number) => n.toLocaleString("en-US");
    return (
      `Frozen: ${this.frozen.join(", ") || "none"} (${count(this.frozenParams)} parameters). ` +
      `Trainable: ${this.trainable.join(", ") || "none"} (${count(this.trainableParams)} parameters).`
    );
  }

  [DISPLAY](): MimeBundle {
    return { "text/html": `<div style="font-family:sans-serif;font-size:13px">${escapeHtml(this.toString())}</div>`, "text/plain": this.toString() };
  }
}

function setTrainable(model: tf.LayersModel, selection: LayerSelection, trainable: boolean): TrainableLayers {
  const layers = modelLayers(model);
  for (const i of selectLayers(model, selection)) layers[i].trainable = trainable;
  // A model whose own flag is off trains nothing, whatever its layers say.
  if (trainable) model.trainable = true;
  return new TrainableLayers(model);
}

/** Freezes the selected layers (default: all but the head). Returns what trains now. */
export function freeze(model: tf.LayersModel, selection: LayerSelection = "all-but-head"): TrainableLayers {
  return setTrainable(model, selection, false);
}

/** Lets the selected layers (default: all) train again. Returns what trains now. */
export function unfreeze(model: tf.LayersModel, selection: LayerSelection = "all"): TrainableLayers {
  return setTrainable(model, selection, true);
}

/** Which layers of a model are frozen and which train. */
export function trainableLayers(model: tf.LayersModel): TrainableLayers {
  return new TrainableLayers(model);
}

/**
 * train()'s learningRateMultipliers for fine-tuning: every backbone layer
 * with weights (all but the head) learns at `multiplier` × the rate, the new
 * head at the full rate.
 *
 *     await train(model, data, { learningRate: 0.001, learningRateMultipliers: backboneRates(model, 0.1) });
 */
export function backboneRates(model: tf.LayersModel, multiplier: number): Record<string, number> {
  if (!(typeof multiplier === "number" && multiplier > 0 && Number.isFinite(multiplier))) {
    throw new Error(`backboneRates: the multiplier must be a positive number, e.g. 0.1 for ten times slower (got ${String(multiplier)}).`);
  }
  const layers = modelLayers(model);
  return Object.fromEntries(
    selectLayers(model, "all-but-head")
      .map((i) => layers[i])
      .filter((l) => l.weights.length > 0)
      .map((l) => [l.name, multiplier]),
  );
}
