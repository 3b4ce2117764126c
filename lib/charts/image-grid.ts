/**
 * imageGrid: labelled thumbnails (samples of a data set, misclassified
 * images, filters, feature maps) as a Vega-Lite image mark whose images are
 * PNG data URLs made with sharp. The same spec renders to SVG (with the
 * images embedded) for static exports.
 */
import { loadSharp } from "../display/sharp";
import { Chart, type ChartOptions } from "./chart";
import { describeValue } from "./format";
import type { Datum } from "./spec";

export interface GridImage {
  /** Pixel values, row by row, channels interleaved (HWC), like `await tensor.data()` of a [h, w, c] tensor. */
  pixels: ArrayLike<number>;
  width: number;
  height: number;
  /** 1 (grey), 3 (RGB) or 4 (RGBA). Default: pixels.length / (width × height). */
  channels?: number;
  /** The caption: usually the true class. */
  label?: string;
  /** The model's prediction; the caption turns green when it matches `label` and red when not. */
  predicted?: string;
}

export interface ImageGridOptions extends ChartOptions {
  /** Images per row. Default: up to 10, fewer for few images. */
  columns?: number;
  /** Size of the longer side of each thumbnail in pixels. Default: the image scaled up by a whole factor to at least 64. */
  tileSize?: number;
  /**
   * The pixel values that map to black and white. Default: [0, 1] when all
   * values are within it, else [0, 255]. Use [-1, 1] for normalized inputs,
   * or "auto" to stretch each image to its own min and max (feature maps).
   */
  valueRange?: [number, number] | "auto";
  /** Show at most this many images. Default 100. */
  maxImages?: number;
}

const CAPTION_LINE = 12;
const GAP = 6;

/**
 * A grid of labelled images. Asynchronous because the thumbnails are encoded
 * as PNG by sharp: `await imageGrid(samples, { columns: 8 })`.
 */
export async function imageGrid(images: readonly GridImage[], options: ImageGridOptions = {}): Promise<Chart> {
  if (!Array.isArray(images)) {
    throw new Error(`imageGrid expects an array of { pixels, width, height, label } (got ${describeValue(images)}).`);
  }
  const maxImages = options.maxImages ?? 100;
  const shown = images.slice(0, maxImages);
  const prepared = shown.map((image, i) => checkImage(image, i));
  const biggest = Math.max(1, ...prepared.map((p) => Math.max(p.width, p.height)));
  const tile = options.tileSize ?? biggest * Math.max(1, Math.ceil(64 / biggest));
  const columns = options.columns ?? Math.min(10, Math.max(1, shown.length));
  if (!Number.isInteger(columns) || columns < 1) throw new Error(`imageGrid: columns must be a whole number ≥ 1 (got ${String(columns)}).`);
  const range = options.valueRange ?? (prepared.every((p) => p.min >= 0 && p.max <= 1) ? [0, 1] : [0, 255]);
  const captioned = shown.some((im) => im.label !== undefined || im.predicted !== undefined);
  const anyWrong = shown.some((im) => im.predicted !== undefined && im.label !== undefined && im.predicted !== im.label);
  const rowHeight = tile + (captioned ? (anyWrong ? 2 : 1) * CAPTION_LINE + 4 : 0) + GAP;

  const urls = await Promise.all(prepared.map((p) => thumbnailURL(p, tile, range)));
  const rows: Datum[] = shown.map((image, i) => {
    const col = i % columns;
    const row = Math.floor(i / columns);
    const correct = image.predicted === undefined || image.label === undefined ? null : image.predicted === image.label;
    return {
      url: urls[i],
      left: col * (tile + GAP),
      top: row * rowHeight,
      center: col * (tile + GAP) + tile / 2,
      below: row * rowHeight + tile + 2,
      // A wrong prediction gets two lines: what the model said, then the truth.
      caption: correct === false ? `${image.predicted}\n(${image.label})` : (image.label ?? image.predicted ?? ""),
      correct,
    };
  });
  const wrong = rows.filter((r) => r.correct === false).length;
  const judged = rows.filter((r) => r.correct !== null).length;
  const summary =
    `Image grid: ${shown.length}${images.length > shown.length ? ` of ${images.length}` : ""} images` +
    (judged ? `, ${judged - wrong} predicted right and ${wrong} wrong` : "");
  const gridRows = Math.max(1, Math.ceil(shown.length / columns));
  const width = Math.min(columns, Math.max(1, shown.length)) * (tile + GAP) - GAP;
  const height = gridRows * rowHeight - GAP;
  const pixel = { type: "quantitative", scale: null, axis: null };

  const chart = new Chart("image-grid", summary, ({ textColor }) => ({
    title: options.title ?? (judged ? "Predictions (wrong ones in red, true class in brackets)" : "Images"),
    width: Math.max(1, width),
    height: Math.max(1, height),
    data: { values: rows },
    layer: [
      {
        name: "images",
        // aria: false keeps the data URLs out of the SVG's aria-labels.
        mark: { type: "image", width: tile, height: tile, align: "left", baseline: "top", aria: false },
        encoding: { x: { field: "left", ...pixel }, y: { field: "top", ...pixel }, url: { field: "url", type: "nominal" } },
      },
      ...(captioned
        ? [
            {
              name: "captions",
              mark: { type: "text", align: "center", baseline: "top", fontSize: 10, lineHeight: CAPTION_LINE, lineBreak: "\n", limit: tile + GAP },
              encoding: {
                x: { field: "center", ...pixel },
                y: { field: "below", ...pixel },
                text: { field: "caption", type: "nominal" },
                color: {
                  condition: [
                    { test: "datum.correct === true", value: "#2e9e44" },
                    { test: "datum.correct === false", value: "#e0452f" },
                  ],
                  value: textColor,
                },
              },
            },
          ]
        : []),
    ],
    config: { view: { stroke: null } },
  }), options, true);
  await chart.render();
  return chart;
}

interface PreparedImage {
  pixels: ArrayLike<number>;
  width: number;
  height: number;
  channels: number;
  min: number;
  max: number;
}

function checkImage(image: GridImage, index: number): PreparedImage {
  const where = `imageGrid: image ${index}${image?.label ? ` ("${image.label}")` : ""}`;
  if (!image || !image.pixels || typeof image.pixels.length !== "number") {
    throw new Error(`${where} has no pixels; give { pixels, width, height } (pixels from await tensor.data()).`);
  }
  const { width, height } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new Error(`${where}: width and height must be whole numbers ≥ 1 (got ${String(width)} × ${String(height)}).`);
  }
  const channels = image.channels ?? image.pixels.length / (width * height);
  if (![1, 3, 4].includes(channels) || image.pixels.length !== width * height * channels) {
    throw new Error(
      `${where}: ${image.pixels.length} values do not make a ${width}×${height} image with 1, 3 or 4 channels ` +
        `(expected ${width * height}, ${width * height * 3} or ${width * height * 4}).`,
    );
  }
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < image.pixels.length; i++) {
    const v = image.pixels[i];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { pixels: image.pixels, width, height, channels, min, max };
}

async function thumbnailURL(image: PreparedImage, tile: number, range: [number, number] | "auto"): Promise<string> {
  const sharp = await loadSharp();
  const [lo, hi] = range === "auto" ? [image.min, image.max] : range;
  const scale = hi > lo ? 255 / (hi - lo) : 0;
  const bytes = Buffer.alloc(image.pixels.length);
  for (let i = 0; i < bytes.length; i++) {
    const v = (image.pixels[i] - lo) * scale;
    bytes[i] = Number.isFinite(v) ? Math.max(0, Math.min(255, Math.round(v))) : 0;
  }
  const factor = tile / Math.max(image.width, image.height);
  const png = await sharp(bytes, { raw: { width: image.width, height: image.height, channels: image.channels as 1 | 3 | 4 } })
    // Nearest neighbour keeps pixels square: blurring a 28×28 digit hides what the model saw.
    .resize(Math.max(1, Math.round(image.width * factor)), Math.max(1, Math.round(image.height * factor)), { kernel: "nearest" })
    .png()
    .toBuffer();
  return `data:image/png;base64,${png.toString("base64")}`;
}
