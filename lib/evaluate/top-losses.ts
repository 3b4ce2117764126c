/**
 * The top-losses gallery (fastai's plot_top_losses): the images on which the
 * model was most confidently wrong, or least sure when right, with what it
 * said, the truth and the loss. Often it shows mislabelled data, too.
 */
import * as tf from "@tensorflow/tfjs";
import { DISPLAY, type Displayable, type MimeBundle } from "../display";
import { pngImage } from "./format";
import { escapeHtml, formatCount, percent, textTable } from "../display/html";
import type { Predictions } from "./predictions";
import { drawTiles, type Tile } from "./tile-grid";

export interface TopLossesOptions {
  /** How many images. Default 16. */
  count?: number;
  /** Leave out correctly classified images. Default false: the highest losses, right or wrong, as fastai shows. */
  onlyWrong?: boolean;
  /** Images per row. Default 8. */
  columns?: number;
  /** Size of each thumbnail in pixels. Default: the image enlarged to at least 56. */
  tileSize?: number;
  /**
   * The images, when the predictions were made from a tensor rather than a
   * dataset: the same [images, height, width, channels] tensor, in the same
   * order. Values are stretched to each image's min and max.
   */
  images?: tf.Tensor4D;
}

export interface TopLoss {
  /** Position among the predictions. */
  position: number;
  /** Index in the dataset's store, when the images came from a dataset. */
  index?: number;
  label: number;
  className: string;
  predicted: number;
  predictedName: string;
  /** Probability the model gave to what it predicted. */
  probability: number;
  /** Probability the model gave to the true class. */
  trueProbability: number;
  /** Cross-entropy: −log(trueProbability). */
  loss: number;
  correct: boolean;
}

export class TopLosses implements Displayable {
  constructor(
    readonly items: readonly TopLoss[],
    /** The gallery as PNG bytes. */
    readonly png: Buffer,
    readonly width: number,
    readonly height: number,
    readonly description: string,
  ) {}

  get title(): string {
    const wrong = this.items.filter((t) => !t.correct).length;
    return (
      `Top ${this.items.length} losses (${this.description}): ${wrong} wrong` +
      (wrong < this.items.length ? `, ${this.items.length - wrong} right but unsure` : "")
    );
  }

  toString(): string {
    const rows = this.items.map((t) => [
      String(t.position),
      t.className,
      t.predictedName,
      percent(t.probability),
      percent(t.trueProbability),
      t.loss.toFixed(2),
    ]);
    return `${this.title}\n${textTable(["image", "true", "predicted", "p(predicted)", "p(true)", "loss"], rows)}`;
  }

  toHtml(): string {
    return (
      `<div><div style="font-weight:bold;font-size:13px;margin:4px 0">${escapeHtml(this.title)}</div>` +
      pngImage(this.png, this.title, this.width, this.height) +
      `<div style="font-size:12px;color:#888">Under each image: the prediction and its probability (red when wrong), then the true class and the loss. ` +
      `High-loss images that look like their predicted class may be mislabelled.</div></div>`
    );
  }

  [DISPLAY](): MimeBundle {
    return { "text/html": this.toHtml(), "text/plain": this.toString() };
  }
}

/** The images with the highest loss, drawn as a captioned grid. */
export async function topLosses(predictions: Predictions, options: TopLossesOptions = {}): Promise<TopLosses> {
  const labels = predictions.requireLabels("topLosses");
  const wanted = options.count ?? 16;
  if (!Number.isInteger(wanted) || wanted < 1) throw new Error(`topLosses: count must be a whole number ≥ 1 (got ${String(options.count)}).`);
  const losses = predictions.losses();
  let order = Array.from({ length: predictions.size }, (_, i) => i);
  if (options.onlyWrong) order = order.filter((i) => predictions.predicted[i] !== labels[i]);
  order.sort((a, b) => losses[b] - losses[a] || a - b);
  const chosen = order.slice(0, wanted);
  if (chosen.length === 0) {
    throw new Error(`topLosses: there are no ${options.onlyWrong ? "misclassified " : ""}images to show (all ${formatCount(predictions.size)} are right).`);
  }
  const k = predictions.numClasses;
  const items: TopLoss[] = chosen.map((i) => {
    const predicted = predictions.predicted[i];
    return {
      position: i,
      ...(predictions.indices ? { index: predictions.indices[i] } : {}),
      label: labels[i],
      className: predictions.classNames[labels[i]],
      predicted,
      predictedName: predictions.classNames[predicted],
      probability: predictions.probabilities[i * k + predicted],
      trueProbability: predictions.probabilities[i * k + labels[i]],
      loss: losses[i],
      correct: predicted === labels[i],
    };
  });
  const tiles = await imagesOf(predictions, chosen, options.images);
  items.forEach((t, n) => {
    tiles[n].lines = [
      { text: `${t.predictedName} ${percent(t.probability, 0)}`, color: t.correct ? "#2e7d32" : "#d32f2f" },
      { text: `true: ${t.className}`, color: "#333" },
      { text: `loss ${t.loss.toPrecision(3)}`, color: "#777" },
    ];
  });
  const grid = await drawTiles(tiles, { columns: options.columns ?? 8, tileSize: options.tileSize });
  return new TopLosses(items, grid.png, grid.width, grid.height, predictions.description);
}

/** Pixels of some predicted images: from the dataset's store, or from the given input tensor. */
export async function imagesOf(predictions: Predictions, positions: number[], images?: tf.Tensor4D): Promise<Tile[]> {
  if (images) {
    if (!(images instanceof tf.Tensor) || images.rank !== 4 || images.shape[0] !== predictions.size) {
      throw new Error(`images must be the [${predictions.size}, height, width, channels] tensor the predictions were made from.`);
    }
    const [, height, width, channels] = images.shape;
    if (channels !== 1 && channels !== 3) throw new Error(`Images with ${channels} channels cannot be drawn; use 1 (grey) or 3 (RGB).`);
    const picked = tf.tidy(() => tf.gather(images, tf.tensor1d(positions, "int32")));
    const values = await picked.data();
    picked.dispose();
    const size = height * width * channels;
    return positions.map((_, n) => ({
      pixels: values.subarray(n * size, (n + 1) * size),
      width,
      height,
      channels: channels as 1 | 3,
      range: "auto" as const,
    }));
  }
  const { dataset, indices } = predictions;
  if (!dataset || !indices) {
    throw new Error("These predictions were made from tensors, so their images are not known: pass { images: xs } (the tensor you predicted).");
  }
  const [height, width, channels] = dataset.shape;
  const size = height * width * channels;
  const pixels = await dataset.readImages(positions.map((p) => indices[p]));
  return positions.map((_, n) => ({
    pixels: pixels.subarray(n * size, (n + 1) * size),
    width,
    height,
    channels: channels as 1 | 3,
    range: [0, 255] as const,
  }));
}
