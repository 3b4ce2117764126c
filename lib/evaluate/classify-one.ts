/**
 * classifyOne(): one image through the network, as DIGITS's "Classify One"
 * shows it: the top-5 classes, then for every layer its output (activations)
 * and its weights, with statistics, histograms, and the feature maps and
 * filters of convolutional layers as images.
 */
import * as tf from "@tensorflow/tfjs";
import { histogramChart, type Chart, type HistogramOptions } from "../charts";
import { normalizePixels, type Dataset, type LabelledImage, type Normalization } from "../data";
import { DISPLAY, type Displayable, type MimeBundle } from "../display";
import { topClasses } from "./accuracy";
import { barHtml, pngImage } from "./format";
import { type Cell, escapeHtml, formatCount, formatNumber, htmlTable, numberCell, percent, textTable } from "../display/html";
import { describe } from "./inputs";
import { checkClassCount, checkInputShape, checkModel, declaredOutputs } from "./predict";
import { looksLikeProbabilities, softmaxRows, type OutputKind, type RankedClass } from "./predictions";
import { histogram, histogramSvg, statistics, type DistributionStats, type Histogram } from "./statistics";
import { drawTiles, type Tile } from "./tile-grid";

/**
 * One image: a LabelledImage (`await ds.image("test", 0)`) or raw uint8
 * pixels (normalized like the dataset), or a tensor already normalized as
 * the model expects ([height, width, channels] or [1, height, width, channels]).
 */
export type SingleImage = LabelledImage | Uint8Array | tf.Tensor3D | tf.Tensor4D;

/** What classifyOne and classifyMany share: where the normalization and class names come from, and the outputs. */
export interface ClassifyOptions {
  /** The dataset the model was trained on: gives the normalization, image shape and class names. */
  dataset?: Dataset;
  /** How raw pixels become inputs. Default: the dataset's. */
  normalization?: Normalization;
  /** Class names. Default: the dataset's, else "0", "1", .... */
  classNames?: readonly string[];
  /** How many of the most likely classes to list (classifyMany also counts them in top-k accuracy). Default 5. */
  topK?: number;
  /** What the model outputs; see PredictOptions.outputs. Default "auto". */
  outputs?: "auto" | "probabilities" | "logits";
}

export interface ClassifyOneOptions extends ClassifyOptions {
  /** Histogram bins. Default 30. */
  bins?: number;
  /** Feature maps (channels) drawn per convolutional layer at most. Default 32. */
  maxFeatureMaps?: number;
}

export interface ValueSummary {
  stats: DistributionStats;
  histogram: Histogram;
  /** The values themselves (a copy). */
  values: Float32Array;
}

export interface WeightSummary extends ValueSummary {
  /** e.g. "conv2d_1/kernel". */
  name: string;
  shape: number[];
}

/** Small images drawn from a layer: its feature maps, or its filters. */
export interface LayerPicture {
  png: Buffer;
  width: number;
  height: number;
  /** How many maps or filters are drawn, of how many. */
  shown: number;
  total: number;
}

export interface LayerInspection {
  name: string;
  /** The layer's class: Conv2D, MaxPooling2D, Dense, ... */
  type: string;
  /** Shape of the output for this one image, e.g. [1, 24, 24, 6]. */
  outputShape: number[];
  activations: ValueSummary;
  weights: WeightSummary[];
  /** Number of weights (all variables). */
  parameters: number;
  /** Each channel of a 4-D output as a grey image (one shared scale per layer, so a dark map is a quiet one). */
  featureMaps?: LayerPicture;
  /** The kernels of a convolution that reads 1 or 3 channels, as small images (grey = 0). */
  filters?: LayerPicture;
}

export class ClassifyOneResult implements Displayable {
  constructor(
    /** The most likely classes, most likely first. */
    readonly top: readonly RankedClass[],
    /** Probability of every class. */
    readonly probabilities: Float32Array,
    readonly classNames: readonly string[],
    readonly layers: readonly LayerInspection[],
    /** The input as an image. */
    readonly input: LayerPicture,
    /** The true class, when the image carried its label. */
    readonly label: { classIndex: number; className: string } | undefined,
    readonly outputs: OutputKind,
  ) {}

  /** The most likely class. */
  get predicted(): RankedClass {
    return this.top[0];
  }

  /** One layer's inspection, by name. */
  layer(name: string): LayerInspection {
    const found = this.layers.find((l) => l.name === name);
    if (!found) throw new Error(`There is no layer "${name}"; the layers are ${this.layers.map((l) => `"${l.name}"`).join(", ")}.`);
    return found;
  }

  /** A full-size histogram chart of a layer's activations or weights (lib/charts histogramChart). */
  histogram(layerName: string, what: "activations" | "weights" = "activations", options: HistogramOptions = {}): Chart {
    const layer = this.layer(layerName);
    if (what === "activations") return histogramChart({ [`${layer.name} activations`]: layer.activations.values }, options);
    if (layer.weights.length === 0) throw new Error(`Layer "${layerName}" (${layer.type}) has no weights.`);
    return histogramChart(Object.fromEntries(layer.weights.map((w) => [w.name, w.values])), options);
  }

  toString(): string {
    const lines = [
      `Classify one: ${this.predicted.className} (${percent(this.predicted.probability)})` +
        (this.label ? `, true class ${this.label.className}${this.label.classIndex === this.predicted.classIndex ? " (right)" : " (wrong)"}` : ""),
      ...this.top.map((t, i) => `  ${i + 1}. ${t.className.padEnd(12)} ${percent(t.probability).padStart(6)}`),
      "",
    ];
    const rows = this.layers.map((l) => [
      l.name,
      l.type,
      `[${l.outputShape.join(", ")}]`,
      formatNumber(l.activations.stats.mean),
      formatNumber(l.activations.stats.std),
      formatNumber(l.activations.stats.min),
      formatNumber(l.activations.stats.max),
      l.parameters ? formatCount(l.parameters) : "",
      l.weights[0] ? formatNumber(l.weights[0].stats.mean) : "",
      l.weights[0] ? formatNumber(l.weights[0].stats.std) : "",
    ]);
    lines.push(
      textTable(["layer", "type", "output", "act mean", "act std", "act min", "act max", "weights", "w mean", "w std"], rows),
    );
    return lines.join("\n");
  }

  toHtml(): string {
    const topRows = this.top.map((t) => [
      t.className,
      { html: barHtml(t.probability, 140, t.classIndex === this.label?.classIndex ? "#2e9e44" : "#4c78a8") },
      numberCell(percent(t.probability, 2)),
    ]);
    const truth = this.label
      ? `<div style="font-size:13px;margin-top:4px">True class: <b>${escapeHtml(this.label.className)}</b>` +
        ` (${this.label.classIndex === this.predicted.classIndex ? "predicted right" : `predicted wrong, p = ${percent(this.probabilities[this.label.classIndex], 2)}`})</div>`
      : "";
    const header =
      `<div style="display:flex;gap:16px;align-items:flex-start">` +
      `<div>${pngImage(this.input.png, "input image", this.input.width, this.input.height)}</div>` +
      `<div>${htmlTable(["class", "probability", ""], topRows, `Top ${this.top.length}`)}${truth}</div></div>`;

    const statCells = (s: DistributionStats): Cell[] => [numberCell(formatNumber(s.mean)), numberCell(formatNumber(s.std)), numberCell(formatNumber(s.min)), numberCell(formatNumber(s.max))];
    const rows: (Cell[] | { cells: Cell[]; style: string })[] = [];
    for (const l of this.layers) {
      const main = l.weights[0];
      const weightInfo = l.weights.map((w) => `${w.name} [${w.shape.join("×")}]: mean ${formatNumber(w.stats.mean)}, std ${formatNumber(w.stats.std)}, min ${formatNumber(w.stats.min)}, max ${formatNumber(w.stats.max)}`);
      rows.push([
        { html: `<b>${escapeHtml(l.name)}</b><br/><span style="color:#888">${escapeHtml(l.type)}</span>` },
        `[${l.outputShape.slice(1).join(", ")}]`,
        ...statCells(l.activations.stats),
        numberCell(l.activations.stats.zeroFraction > 0 ? percent(l.activations.stats.zeroFraction, 0) : ""),
        { html: histogramSvg(l.activations.histogram, `${l.name} activations`) },
        numberCell(l.parameters ? formatCount(l.parameters) : ""),
        { html: main ? `<span title="${escapeHtml(weightInfo.join("\n"))}">mean ${escapeHtml(formatNumber(main.stats.mean))}<br/>std ${escapeHtml(formatNumber(main.stats.std))}</span>` : "" },
        { html: main ? histogramSvg(main.histogram, `${main.name}`) : "" },
      ]);
      const pictures = [
        l.featureMaps ? picture(l.featureMaps, `feature maps (${l.featureMaps.shown} of ${l.featureMaps.total} channels)`) : "",
        l.filters ? picture(l.filters, `filters (${l.filters.shown} of ${l.filters.total}; grey = 0)`) : "",
      ].join("");
      if (pictures) rows.push([{ html: `<div style="display:flex;gap:16px;flex-wrap:wrap">${pictures}</div>`, style: "padding-left:24px", colspan: 11 }]);
    }
    const table = htmlTable(
      ["layer", "output", "act mean", "act std", "act min", "act max", "zeros", "activations", "weights", "kernel", "kernel values"],
      rows,
      "Per layer: what this image produces (activations) and what the layer learned (weights)",
    );
    return `<div>${header}<div style="margin-top:10px">${table}</div></div>`;
  }

  [DISPLAY](): MimeBundle {
    return { "text/html": this.toHtml(), "text/plain": this.toString() };
  }
}

function picture(p: LayerPicture, caption: string): string {
  return `<div><div style="font-size:11px;color:#888">${escapeHtml(caption)}</div>${pngImage(p.png, caption, p.width, p.height)}</div>`;
}

/** Runs one image through `model`, keeping every layer's output and weights. */
export async function classifyOne(model: tf.LayersModel, image: SingleImage, options: ClassifyOneOptions = {}): Promise<ClassifyOneResult> {
  checkModel(model);
  const topK = options.topK ?? 5;
  const bins = options.bins ?? 30;
  const maxFeatureMaps = options.maxFeatureMaps ?? 32;
  for (const [name, value] of [["topK", topK], ["bins", bins], ["maxFeatureMaps", maxFeatureMaps]] as const) {
    if (!Number.isInteger(value) || value < 1) throw new Error(`classifyOne: ${name} must be a whole number ≥ 1 (got ${String(value)}).`);
  }
  const { input, display, label } = prepareInput(model, image, options);
  const layers = model.layers.filter((l) => l.getClassName() !== "InputLayer");
  const probed: { layer: tf.layers.Layer; output: tf.SymbolicTensor }[] = [];
  for (const layer of layers) {
    let output: tf.SymbolicTensor | tf.SymbolicTensor[];
    try {
      output = layer.output;
    } catch {
      continue; // A layer used at several places has no single output to show.
    }
    if (!Array.isArray(output)) probed.push({ layer, output });
  }
  // The model's output is usually the last layer's; probe it once either way.
  const finalOutput = model.outputs[0];
  let finalIndex = probed.findIndex((p) => p.output === finalOutput);
  const probeOutputs = probed.map((p) => p.output);
  if (finalIndex < 0) finalIndex = probeOutputs.push(finalOutput) - 1;
  let outputs: tf.Tensor[];
  try {
    const probe = tf.model({ inputs: model.inputs, outputs: probeOutputs });
    outputs = tf.tidy(() => {
      const result = probe.predict(input);
      return Array.isArray(result) ? result : [result];
    });
  } finally {
    input.dispose();
  }
  let values: Float32Array[];
  try {
    values = await Promise.all(outputs.map(async (t) => Float32Array.from(await t.data())));
  } finally {
    tf.dispose(outputs);
  }
  const shapes = outputs.map((t) => t.shape as number[]);

  // The prediction, read like getPredictions reads a batch.
  let probabilities = Float32Array.from(values[finalIndex]);
  const units = probabilities.length;
  let kind: OutputKind = options.outputs && options.outputs !== "auto" ? options.outputs : (declaredOutputs(model) ?? (looksLikeProbabilities(probabilities, units) ? "probabilities" : "logits"));
  if (units === 1) {
    const p = kind === "logits" ? 1 / (1 + Math.exp(-probabilities[0])) : probabilities[0];
    probabilities = Float32Array.from([1 - p, p]);
    kind = kind === "logits" ? "logits" : "sigmoid";
  } else if (kind === "logits") {
    softmaxRows(probabilities, units);
  }
  const numClasses = probabilities.length;
  const classNames = options.classNames ?? options.dataset?.classNames ?? Array.from({ length: numClasses }, (_, i) => String(i));
  checkClassCount(numClasses, classNames.length, `there are ${classNames.length} class names`);
  const top = topClasses(probabilities, 0, numClasses, topK).map((c) => ({ classIndex: c, className: classNames[c], probability: probabilities[c] }));

  const inspections: LayerInspection[] = [];
  for (let n = 0; n < probed.length; n++) {
    const { layer } = probed[n];
    const activations = summarize(values[n], bins);
    const weights: WeightSummary[] = [];
    for (const variable of layer.weights) {
      const data = Float32Array.from(await variable.read().data());
      weights.push({ name: variable.originalName ?? variable.name, shape: variable.shape.map((d) => d ?? 0), ...summarize(data, bins) });
    }
    const inspection: LayerInspection = {
      name: layer.name,
      type: layer.getClassName(),
      outputShape: shapes[n],
      activations,
      weights,
      parameters: weights.reduce((a, w) => a + w.values.length, 0),
    };
    if (shapes[n].length === 4) inspection.featureMaps = await featureMaps(values[n], shapes[n], activations.stats, maxFeatureMaps);
    const kernel = weights.find((w) => w.shape.length === 4);
    if (layer.getClassName() === "Conv2D" && kernel && (kernel.shape[2] === 1 || kernel.shape[2] === 3)) {
      inspection.filters = await filterImages(kernel, maxFeatureMaps);
    }
    inspections.push(inspection);
  }
  const inputPicture = await drawTiles([display], { tileSize: Math.max(112, display.width), gap: 0 });
  const labelInfo = label === undefined ? undefined : { classIndex: label, className: classNames[label] };
  return new ClassifyOneResult(top, probabilities, classNames, inspections, { ...inputPicture, shown: 1, total: 1 }, labelInfo, kind);
}

function summarize(values: Float32Array, bins: number): ValueSummary {
  const stats = statistics(values);
  return { stats, histogram: histogram(values, bins, stats), values };
}

async function featureMaps(values: Float32Array, shape: number[], stats: DistributionStats, max: number): Promise<LayerPicture> {
  const [, height, width, channels] = shape;
  const shown = Math.min(channels, max);
  const range: [number, number] = Number.isFinite(stats.min) ? [stats.min, stats.max] : [0, 1];
  const tiles: Tile[] = [];
  for (let c = 0; c < shown; c++) {
    const pixels = new Float32Array(height * width);
    for (let p = 0; p < height * width; p++) pixels[p] = values[p * channels + c];
    tiles.push({ pixels, width, height, channels: 1, range });
  }
  const side = Math.max(height, width);
  const grid = await drawTiles(tiles, { columns: Math.min(shown, 16), tileSize: side * Math.max(1, Math.ceil(40 / side)), gap: 2 });
  return { ...grid, shown, total: channels };
}

async function filterImages(kernel: WeightSummary, max: number): Promise<LayerPicture> {
  const [kh, kw, inChannels, outChannels] = kernel.shape;
  const shown = Math.min(outChannels, max);
  const extreme = Math.max(Math.abs(kernel.stats.min), Math.abs(kernel.stats.max)) || 1;
  const tiles: Tile[] = [];
  for (let o = 0; o < shown; o++) {
    const pixels = new Float32Array(kh * kw * inChannels);
    for (let p = 0; p < kh * kw * inChannels; p++) pixels[p] = kernel.values[p * outChannels + o];
    tiles.push({ pixels, width: kw, height: kh, channels: inChannels as 1 | 3, range: [-extreme, extreme] });
  }
  const grid = await drawTiles(tiles, { columns: Math.min(shown, 16), tileSize: Math.max(kh, kw) * Math.max(1, Math.ceil(30 / Math.max(kh, kw))), gap: 2 });
  return { ...grid, shown, total: outChannels };
}

/** The model input (a [1, h, w, c] tensor the caller disposes), a picture of it, and its label if known. */
function prepareInput(
  model: tf.LayersModel,
  image: SingleImage,
  options: ClassifyOneOptions,
): { input: tf.Tensor4D; display: Tile; label?: number } {
  if (image instanceof tf.Tensor) {
    if (image.rank !== 3 && !(image.rank === 4 && image.shape[0] === 1)) {
      throw new Error(`classifyOne takes one image: a [height, width, channels] or [1, height, width, channels] tensor (got shape [${image.shape.join(", ")}]).`);
    }
    const shape = image.shape.slice(image.rank - 3) as [number, number, number];
    checkInputShape(model, shape, "the image");
    const input = tf.tidy(() => (image.rank === 3 ? image.expandDims(0) : image.clone()).toFloat()) as tf.Tensor4D;
    return { input, display: { pixels: image.dataSync(), width: shape[1], height: shape[0], channels: pictureChannels(shape[2]), range: "auto" } };
  }
  const labelled = isLabelledImage(image) ? image : undefined;
  const pixels = labelled ? labelled.pixels : image;
  if (!(pixels instanceof Uint8Array)) {
    throw new Error(`classifyOne takes a LabelledImage (await ds.image("test", 0)), raw Uint8Array pixels or a tensor (got ${describe(image)}).`);
  }
  const normalization = options.normalization ?? options.dataset?.normalization;
  if (!normalization) {
    throw new Error(
      "classifyOne needs to know how raw pixels were normalized for training: pass { dataset } (the dataset the model learned from) or { normalization }.",
    );
  }
  const shape = (model.inputs[0].shape.slice(1) as (number | null)[]).map((d, i) => d ?? options.dataset?.shape[i] ?? NaN) as [number, number, number];
  if (options.dataset) checkInputShape(model, options.dataset.shape, `${options.dataset.name}'s images`);
  if (shape.some((d) => !Number.isInteger(d)) || pixels.length !== shape[0] * shape[1] * shape[2]) {
    throw new Error(`The image has ${pixels.length} pixel values, but the model takes [${shape.join(", ")}] images (${shape[0] * shape[1] * shape[2]} values).`);
  }
  const input = tf.tensor4d(normalizePixels(pixels, shape, normalization), [1, ...shape]);
  return {
    input,
    display: { pixels, width: shape[1], height: shape[0], channels: pictureChannels(shape[2]), range: [0, 255] },
    label: labelled?.label,
  };
}

function pictureChannels(channels: number): 1 | 3 {
  if (channels === 1 || channels === 3) return channels;
  throw new Error(`Images with ${channels} channels cannot be drawn; classifyOne handles 1 (grey) or 3 (RGB) channels.`);
}

function isLabelledImage(value: unknown): value is LabelledImage {
  return !!value && typeof value === "object" && "pixels" in value && "label" in value && (value as LabelledImage).pixels instanceof Uint8Array;
}
