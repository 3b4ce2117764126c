/**
 * classifyMany(): a list of images through the model, as DIGITS's "Classify
 * Many" shows them: each image's top-5, and, when the labels are known,
 * top-1 and top-5 accuracy, the confusion matrix and per-class accuracy.
 */
import * as tf from "@tensorflow/tfjs";
import { normalizePixels, type LabelledImage } from "../data";
import { DISPLAY, type Displayable, type MimeBundle } from "../display";
import { topKCorrect } from "./accuracy";
import { ConfusionMatrix } from "./confusion-matrix";
import { barHtml, pngImage, svgImage } from "./format";
import { type Cell, escapeHtml, formatCount, htmlTable, numberCell, percent, textTable } from "../display/html";
import { describe, type LabelsInput, toLabels } from "./inputs";
import type { ClassAccuracy } from "./interpret";
import { BatchRunner, checkClassCount, checkInputShape, checkModel } from "./predict";
import { Predictions, type RankedClass } from "./predictions";
import { imagesOf } from "./top-losses";
import { drawTiles } from "./tile-grid";
import type { ClassifyOptions } from "./classify-one";

/** Several images: LabelledImages (their labels are used), raw uint8 pixels, or a normalized [images, h, w, c] tensor. */
export type ManyImages = readonly LabelledImage[] | readonly Uint8Array[] | tf.Tensor4D;

export interface ClassifyManyOptions extends ClassifyOptions {
  /** Images per forward pass. Default 128. */
  batchSize?: number;
  /** Images listed, with thumbnails, in the display. Default 20. */
  show?: number;
}

export interface ClassifiedImage {
  position: number;
  top: RankedClass[];
  label?: number;
  className?: string;
  correct?: boolean;
}

export class ClassifyManyResult implements Displayable {
  readonly images: readonly ClassifiedImage[];
  /** Share of images whose most likely class is right (with labels). */
  readonly top1Accuracy: number | undefined;
  /** Share of images whose true class is among the topK most likely (with labels). */
  readonly topKAccuracy: number | undefined;
  readonly confusionMatrix: ConfusionMatrix | undefined;
  readonly perClassAccuracy: readonly ClassAccuracy[] | undefined;

  constructor(
    readonly predictions: Predictions,
    readonly topK: number,
    private readonly show: number,
    private readonly pixelSource: tf.Tensor4D | readonly Uint8Array[] | undefined,
    private readonly imageShape: readonly [number, number, number],
  ) {
    const labels = predictions.labels;
    this.images = Array.from({ length: predictions.size }, (_, i) => {
      const top = predictions.top(i, topK);
      if (!labels) return { position: i, top };
      return { position: i, top, label: labels[i], className: predictions.classNames[labels[i]], correct: top[0].classIndex === labels[i] };
    });
    if (labels) {
      const n = predictions.numClasses;
      const counts = Array.from({ length: n }, () => new Array<number>(n).fill(0));
      for (let i = 0; i < predictions.size; i++) counts[labels[i]][predictions.predicted[i]]++;
      this.confusionMatrix = new ConfusionMatrix(counts, predictions.classNames);
      this.top1Accuracy = this.confusionMatrix.accuracy;
      this.topKAccuracy = topKCorrect(predictions.probabilities, n, labels, topK) / predictions.size;
      this.perClassAccuracy = predictions.classNames.map((className, c) => ({
        classIndex: c,
        className,
        correct: counts[c][c],
        total: this.confusionMatrix!.support[c],
        accuracy: this.confusionMatrix!.support[c] > 0 ? counts[c][c] / this.confusionMatrix!.support[c] : NaN,
      }));
    }
  }

  get size(): number {
    return this.predictions.size;
  }

  private heading(): string {
    const k = Math.min(this.topK, this.predictions.numClasses);
    return (
      `Classified ${formatCount(this.size)} images` +
      (this.top1Accuracy !== undefined ? `: top-1 accuracy ${percent(this.top1Accuracy)}, top-${k} accuracy ${percent(this.topKAccuracy!)}` : "")
    );
  }

  toString(): string {
    const lines = [this.heading()];
    if (this.perClassAccuracy) {
      lines.push(
        "",
        textTable(
          ["class", "correct", "images", "accuracy"],
          this.perClassAccuracy.map((c) => [c.className, formatCount(c.correct), formatCount(c.total), percent(c.accuracy)]),
        ),
      );
    }
    lines.push("");
    for (const image of this.images.slice(0, this.show)) {
      const truth = image.className !== undefined ? ` (true: ${image.className}${image.correct ? "" : ", wrong"})` : "";
      lines.push(`${image.position}: ${image.top.map((t) => `${t.className} ${percent(t.probability)}`).join(", ")}${truth}`);
    }
    if (this.size > this.show) lines.push(`… and ${formatCount(this.size - this.show)} more`);
    return lines.join("\n");
  }

  async toHtml(): Promise<string> {
    const parts = [`<div style="font-weight:bold;font-size:14px;margin:4px 0">${escapeHtml(this.heading())}</div>`];
    if (this.perClassAccuracy && this.confusionMatrix) {
      const rows = this.perClassAccuracy.map((c) => [
        c.className,
        c.correct,
        c.total,
        { html: barHtml(c.accuracy, 100) },
        numberCell(percent(c.accuracy)),
      ]);
      const chart = this.confusionMatrix.chart();
      parts.push(
        `<div style="display:flex;gap:24px;align-items:flex-start;flex-wrap:wrap">` +
          htmlTable(["class", "correct", "images", "", "accuracy"], rows, "Per-class accuracy") +
          svgImage(chart.toSVG(), chart.summary) +
          `</div>`,
      );
    }
    const shown = this.images.slice(0, this.show);
    const thumbnails = await this.thumbnails(shown.map((s) => s.position));
    const rows: Cell[][] = shown.map((image, n) => [
      image.position,
      { html: thumbnails[n] ?? "" },
      {
        html: image.top
          .map(
            (t, rank) =>
              `<span style="${rank === 0 ? "font-weight:bold;" : "color:#888;"}${image.label === t.classIndex ? "color:#2e9e44" : rank === 0 && image.label !== undefined ? "color:#e0452f" : ""}">` +
              `${escapeHtml(t.className)} ${escapeHtml(percent(t.probability))}</span>`,
          )
          .join(" · "),
      },
      image.className ?? "",
    ]);
    parts.push(
      htmlTable(
        ["image", "", `top ${Math.min(this.topK, this.predictions.numClasses)} (green: the true class)`, "true class"],
        rows,
        this.size > this.show ? `The first ${this.show} of ${formatCount(this.size)} images` : "Images",
      ),
    );
    return `<div>${parts.join("")}</div>`;
  }

  private async thumbnails(positions: number[]): Promise<string[]> {
    if (!this.pixelSource || positions.length === 0) return [];
    const [height, width, channels] = this.imageShape;
    if (channels !== 1 && channels !== 3) return [];
    const tiles = Array.isArray(this.pixelSource)
      ? positions.map((p) => ({ pixels: (this.pixelSource as readonly Uint8Array[])[p], width, height, channels: channels as 1 | 3, range: [0, 255] as const }))
      : await imagesOf(this.predictions, positions, this.pixelSource as tf.Tensor4D);
    return Promise.all(
      tiles.map(async (tile) => {
        const picture = await drawTiles([tile], { tileSize: 40, gap: 0 });
        return pngImage(picture.png, "image", picture.width, picture.height);
      }),
    );
  }

  async [DISPLAY](): Promise<MimeBundle> {
    return { "text/html": await this.toHtml(), "text/plain": this.toString() };
  }
}

/**
 * Classifies many images. Labels (class indices) are optional; with them,
 * accuracy, the confusion matrix and per-class accuracy are computed.
 * LabelledImages carry their own labels.
 */
export async function classifyMany(
  model: tf.LayersModel,
  images: ManyImages,
  labels?: LabelsInput,
  options: ClassifyManyOptions = {},
): Promise<ClassifyManyResult> {
  checkModel(model);
  const { topK, batchSize, show } = checkCounts(options);
  const outputUnits = model.outputs[0].shape[1] as number;
  const numClasses = outputUnits === 1 ? 2 : outputUnits;
  const classNames = options.classNames ?? options.dataset?.classNames;
  if (classNames) checkClassCount(numClasses, classNames.length, `there are ${classNames.length} class names`);
  const source = imageSource(model, images, options);
  if (source.size === 0) throw new Error("classifyMany: there are no images.");
  const truth = labelsFor(labels, source, numClasses);
  const declared = options.outputs ?? "auto";
  const run = new BatchRunner(model, source.size, numClasses, declared, `Classifying ${formatCount(source.size)} images`, true);
  await runBatches(run, source, batchSize);
  const predictions = new Predictions({
    probabilities: run.finish(),
    numClasses,
    classNames,
    labels: truth,
    outputs: run.kind,
    description: `${formatCount(source.size)} images`,
  });
  return new ClassifyManyResult(predictions, topK, show, source.pixelSource, source.imageShape);
}

/** topK, batchSize and show with their defaults, each checked. */
function checkCounts(options: ClassifyManyOptions): { topK: number; batchSize: number; show: number } {
  const topK = options.topK ?? 5;
  const batchSize = options.batchSize ?? 128;
  const show = options.show ?? 20;
  for (const [name, value] of [["topK", topK], ["batchSize", batchSize]] as const) {
    if (!Number.isInteger(value) || value < 1) throw new Error(`classifyMany: ${name} must be a whole number ≥ 1 (got ${String(value)}).`);
  }
  if (!Number.isInteger(show) || show < 0) throw new Error(`classifyMany: show must be a whole number ≥ 0 (got ${String(options.show)}).`);
  return { topK, batchSize, show };
}

/** The images, however they were given: how many, their shape, how to make a batch, and the labels they carry. */
interface ImageSource {
  size: number;
  imageShape: [number, number, number];
  makeBatch: (start: number, end: number) => tf.Tensor4D;
  /** What the display draws thumbnails from. */
  pixelSource: tf.Tensor4D | readonly Uint8Array[];
  /** The labels of LabelledImages. */
  carried?: Int32Array;
}

function imageSource(model: tf.LayersModel, images: ManyImages, options: ClassifyManyOptions): ImageSource {
  if (images instanceof tf.Tensor) return tensorSource(model, images);
  if (Array.isArray(images)) return rawPixelSource(model, images as readonly (LabelledImage | Uint8Array)[], options);
  throw new Error(`classifyMany: expected an array of images or a 4-D tensor (got ${describe(images)}).`);
}

/** Normalized images in a [images, height, width, channels] tensor, sliced into batches. */
function tensorSource(model: tf.LayersModel, images: tf.Tensor): ImageSource {
  if (images.rank !== 4) throw new Error(`classifyMany: expected images as a [images, height, width, channels] tensor (got shape [${images.shape.join(", ")}]).`);
  const imageShape = images.shape.slice(1) as [number, number, number];
  checkInputShape(model, imageShape, "the images");
  const tensor = images as tf.Tensor4D;
  return {
    size: images.shape[0],
    imageShape,
    makeBatch: (start, end) => tf.slice(tensor, [start, 0, 0, 0], [end - start, -1, -1, -1]),
    pixelSource: tensor,
  };
}

/** Raw uint8 pixels (or LabelledImages, all of one kind), normalized as in training batch by batch. */
function rawPixelSource(model: tf.LayersModel, images: readonly (LabelledImage | Uint8Array)[], options: ClassifyManyOptions): ImageSource {
  const first: unknown = images[0];
  const labelled = first !== undefined && !(first instanceof Uint8Array);
  const pixels: Uint8Array[] = images.map((image: LabelledImage | Uint8Array, i: number) => {
    const p = image instanceof Uint8Array ? image : image?.pixels;
    if (!(p instanceof Uint8Array) || (image instanceof Uint8Array) === labelled) {
      throw new Error(`classifyMany: image ${i} is ${describe(image)}; give all LabelledImages (from ds.image()) or all Uint8Array pixels.`);
    }
    return p;
  });
  const carried = labelled ? Int32Array.from(images as readonly LabelledImage[], (image) => image.label) : undefined;
  const normalization = options.normalization ?? options.dataset?.normalization;
  if (!normalization) {
    throw new Error("classifyMany needs to know how raw pixels were normalized for training: pass { dataset } (the dataset the model learned from) or { normalization }.");
  }
  const imageShape = model.inputs[0].shape.slice(1).map((d, i) => d ?? options.dataset?.shape[i] ?? NaN) as [number, number, number];
  const imageBytes = imageShape[0] * imageShape[1] * imageShape[2];
  pixels.forEach((p, i) => {
    if (p.length !== imageBytes) {
      throw new Error(`classifyMany: image ${i} has ${p.length} pixel values, but the model takes [${imageShape.join(", ")}] images (${imageBytes} values).`);
    }
  });
  const makeBatch = (start: number, end: number): tf.Tensor4D => {
    const batch = new Uint8Array((end - start) * imageBytes);
    for (let i = start; i < end; i++) batch.set(pixels[i], (i - start) * imageBytes);
    return tf.tensor4d(normalizePixels(batch, imageShape, normalization), [end - start, ...imageShape]);
  };
  return { size: images.length, imageShape, makeBatch, pixelSource: pixels, carried };
}

/** The given labels (one per image), else the ones the images carry, checked against the model's classes. */
function labelsFor(labels: LabelsInput | undefined, source: ImageSource, numClasses: number): Int32Array | undefined {
  if (labels !== undefined) {
    const truth = toLabels(labels, "classifyMany (labels)", numClasses);
    if (truth.length !== source.size) throw new Error(`classifyMany: ${truth.length} labels for ${source.size} images; give one label per image.`);
    return truth;
  }
  const truth = source.carried;
  if (truth) for (const l of truth) if (l >= numClasses) throw new Error(`classifyMany: label ${l} is not one of the model's ${numClasses} classes.`);
  return truth;
}

/** Every image through the model, `batchSize` at a time, each batch freed once used. */
async function runBatches(run: BatchRunner, source: ImageSource, batchSize: number): Promise<void> {
  for (let start = 0; start < source.size; start += batchSize) {
    const batch = source.makeBatch(start, Math.min(source.size, start + batchSize));
    try {
      await run.add(batch);
    } finally {
      batch.dispose();
    }
  }
}
