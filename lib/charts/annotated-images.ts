/**
 * annotatedImages: images with what was found in them drawn on top: boxes
 * (ground truth dashed, predictions solid, one colour per class, with label
 * and score), a class per pixel (a segmentation mask, tinted by class) or a
 * heat map (how strongly a class is seen at each place). The overlays are
 * blended into each tile's PNG; boxes and labels are Vega-Lite marks, so the
 * same spec renders live in JupyterLab and as SVG everywhere else.
 */
import { loadSharp } from "../display/sharp";
import { Chart, type ChartOptions } from "./chart";
import { describeValue } from "./format";
import type { Datum, VegaLiteSpec } from "./spec";
import { SERIES_COLORS } from "./theme";

export interface AnnotatedBox {
  /** Edges in the image's pixels: left, top, right, bottom. */
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  /** Picks the colour (SERIES_COLORS, cycling). */
  classIndex: number;
  /** "truth" boxes are dashed, "prediction" boxes solid. */
  kind: "truth" | "prediction";
  /** Written at the box's corner, e.g. "7" or "7 0.93". Default: the class name. */
  label?: string;
  /** A prediction's score, appended to its label. */
  score?: number;
}

export interface AnnotatedImage {
  /** Pixel values, row by row, channels interleaved (HWC). */
  pixels: ArrayLike<number>;
  width: number;
  height: number;
  /** 1 (grey) or 3 (RGB). Default: pixels.length / (width × height). */
  channels?: number;
  boxes?: readonly AnnotatedBox[];
  /** A class per pixel (width × height values): 0 is background (left clear), k + 1 is tinted with class k's colour. */
  classMap?: ArrayLike<number>;
  /** A heat map of values from 0 to 1 at any resolution, stretched over the image. */
  heat?: { values: ArrayLike<number>; width: number; height: number };
  /** Text under the tile. */
  caption?: string;
}

export interface AnnotatedImagesOptions extends ChartOptions {
  /** Class names, for labels and the legend (class k is classNames[k]). */
  classNames?: readonly string[];
  /** Tiles per row. Default: up to 4. */
  columns?: number;
  /** Longer side of each tile in pixels. Default: the image enlarged by a whole factor to at least 192. */
  tileSize?: number;
  /** Pixel values that map to black and white. Default [0, 255] (or [0, 1] when every value is within it). */
  valueRange?: [number, number];
  /** Opacity of masks and heat maps, 0 to 1. Default 0.55. */
  overlayOpacity?: number;
}

const GAP = 8;
const CAPTION = 14;

/** Where the tiles go: each image is enlarged `factor` times and placed on a grid of `tile`-pixel cells. */
interface Layout {
  factor: number;
  columns: number;
  /** The longer side of the biggest image, enlarged. */
  tile: number;
  /** Whether any tile has a caption (which takes room under every row). */
  captioned: boolean;
  rowHeight: number;
}

/** Encoding of a position in the chart's pixels, as the tiles are laid out (no scale, no axis). */
const PIXEL = { type: "quantitative", scale: null, axis: null };

/**
 * Images with boxes, masks or heat maps over them. Asynchronous because the
 * tiles are encoded as PNG: `await annotatedImages(images, { classNames })`.
 */
export async function annotatedImages(images: readonly AnnotatedImage[], options: AnnotatedImagesOptions = {}): Promise<Chart> {
  if (!Array.isArray(images) || images.length === 0) {
    throw new Error(`annotatedImages expects a non-empty array of { pixels, width, height, boxes } (got ${describeValue(images)}).`);
  }
  images.forEach(checkImage);
  const layout = tileLayout(images, options);
  const range = options.valueRange ?? (images.every((im) => maxOf(im.pixels) <= 1) ? [0, 1] : [0, 255]);
  const opacity = options.overlayOpacity ?? 0.55;
  const urls = await Promise.all(images.map((im) => tileURL(im, layout.factor, range, opacity)));
  const tiles = tileData(images, urls, layout);
  const boxes = boxData(images, layout, options.classNames ?? []);
  const truths = boxes.filter((b) => b.kind === "truth").length;
  const predictions = boxes.length - truths;
  const summary = `${images.length} image(s) with ${truths} ground-truth and ${predictions} predicted boxes`;
  const subtitle = truths && predictions ? "dashed: ground truth · solid: prediction" : undefined;
  const chart = new Chart(
    "annotated-images",
    summary,
    ({ textColor }) => ({
      title: { text: options.title ?? "Images", ...(subtitle ? { subtitle } : {}) },
      ...gridSize(images.length, layout),
      layer: [...tileLayers(tiles, layout, textColor), ...boxLayers(boxes)],
      config: { view: { stroke: null } },
    }),
    options,
    true,
  );
  await chart.render();
  return chart;
}

function tileLayout(images: readonly AnnotatedImage[], options: AnnotatedImagesOptions): Layout {
  const biggest = Math.max(...images.map((im) => Math.max(im.width, im.height)));
  const factor = Math.max(1, Math.round((options.tileSize ?? biggest * Math.max(1, Math.ceil(192 / biggest))) / biggest));
  const tile = biggest * factor;
  const captioned = images.some((im) => im.caption);
  return {
    factor,
    columns: options.columns ?? Math.min(4, images.length),
    tile,
    captioned,
    rowHeight: tile + (captioned ? CAPTION + 4 : 0) + GAP,
  };
}

/** The top-left corner of tile i. */
function tileCorner(i: number, { columns, tile, rowHeight }: Layout): { left: number; top: number } {
  return { left: (i % columns) * (tile + GAP), top: Math.floor(i / columns) * rowHeight };
}

function gridSize(count: number, layout: Layout): { width: number; height: number } {
  const rows = Math.ceil(count / layout.columns);
  const width = Math.min(layout.columns, count) * (layout.tile + GAP) - GAP;
  const height = rows * layout.rowHeight - GAP;
  return { width: Math.max(1, width), height: Math.max(1, height) };
}

/** One datum per tile: its PNG, its corner, and where its caption goes. */
function tileData(images: readonly AnnotatedImage[], urls: readonly string[], layout: Layout): Datum[] {
  return images.map((im, i) => {
    const { left, top } = tileCorner(i, layout);
    const { factor } = layout;
    return { url: urls[i], left, top, center: left + (im.width * factor) / 2, below: top + im.height * factor + 3, caption: im.caption ?? "" };
  });
}

/** One datum per box, in the chart's pixels (clamped to its image), with its colour and label. */
function boxData(images: readonly AnnotatedImage[], layout: Layout, names: readonly string[]): Datum[] {
  const { factor } = layout;
  return images.flatMap((im, i) => {
    const { left, top } = tileCorner(i, layout);
    return (im.boxes ?? []).map((b) => {
      const name = b.label ?? names[b.classIndex] ?? String(b.classIndex);
      return {
        x: left + clamp(b.x1, 0, im.width) * factor,
        x2: left + clamp(b.x2, 0, im.width) * factor,
        y: top + clamp(b.y1, 0, im.height) * factor,
        y2: top + clamp(b.y2, 0, im.height) * factor,
        color: classColor(b.classIndex),
        kind: b.kind,
        label: b.score === undefined ? name : `${name} ${b.score.toFixed(2)}`,
      };
    });
  });
}

/** The images, and their captions when any has one. */
function tileLayers(tiles: Datum[], { tile, captioned }: Layout, textColor: string): VegaLiteSpec[] {
  const images: VegaLiteSpec = {
    data: { values: tiles },
    mark: { type: "image", width: tile, height: tile, align: "left", baseline: "top", aria: false },
    encoding: { x: { field: "left", ...PIXEL }, y: { field: "top", ...PIXEL }, url: { field: "url", type: "nominal" } },
  };
  const captions: VegaLiteSpec = {
    data: { values: tiles },
    mark: { type: "text", align: "center", baseline: "top", fontSize: 11, color: textColor },
    encoding: { x: { field: "center", ...PIXEL }, y: { field: "below", ...PIXEL }, text: { field: "caption", type: "nominal" } },
  };
  return captioned ? [images, captions] : [images];
}

/** The boxes' outlines and labels (none without boxes). */
function boxLayers(boxes: Datum[]): VegaLiteSpec[] {
  if (!boxes.length) return [];
  return [
    // Ground truth dashed, predictions solid: two layers, since a mark's dash pattern is not an encoding channel in every renderer.
    ...(["truth", "prediction"] as const).map((kind) => ({
      data: { values: boxes },
      transform: [{ filter: `datum.kind === '${kind}'` }],
      mark: { type: "rect", filled: false, strokeWidth: 2, ...(kind === "truth" ? { strokeDash: [4, 3] } : {}) },
      encoding: {
        x: { field: "x", ...PIXEL },
        x2: { field: "x2" },
        y: { field: "y", ...PIXEL },
        y2: { field: "y2" },
        stroke: { field: "color", type: "nominal", scale: null },
      },
    })),
    {
      data: { values: boxes },
      mark: { type: "text", align: "left", fontSize: 10, fontWeight: "bold", dx: 1 },
      encoding: {
        x: { field: "x", ...PIXEL },
        // Predictions are labelled above the box, ground truth inside its bottom edge, so both read.
        y: { field: "labelY", ...PIXEL },
        text: { field: "label", type: "nominal" },
        color: { field: "color", type: "nominal", scale: null },
      },
      transform: [{ calculate: "datum.kind === 'truth' ? datum.y2 - 3 : datum.y - 3", as: "labelY" }],
    },
  ];
}

/** The colour of class k in every detection view. */
export function classColor(classIndex: number): string {
  return SERIES_COLORS[((classIndex % SERIES_COLORS.length) + SERIES_COLORS.length) % SERIES_COLORS.length];
}

function checkImage(image: AnnotatedImage, index: number): void {
  const where = `annotatedImages: image ${index}`;
  if (!image || !image.pixels || typeof image.pixels.length !== "number") throw new Error(`${where} has no pixels; give { pixels, width, height }.`);
  const { width, height } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new Error(`${where}: width and height must be whole numbers ≥ 1 (got ${String(width)} × ${String(height)}).`);
  }
  const channels = image.channels ?? image.pixels.length / (width * height);
  if (![1, 3].includes(channels) || image.pixels.length !== width * height * channels) {
    throw new Error(`${where}: ${image.pixels.length} values do not make a ${width}×${height} image with 1 or 3 channels.`);
  }
  if (image.classMap && image.classMap.length !== width * height) {
    throw new Error(`${where}: the class map has ${image.classMap.length} values; the image has ${width * height} pixels.`);
  }
  const heat = image.heat;
  if (heat && (!(heat.width >= 1 && heat.height >= 1) || heat.values.length !== heat.width * heat.height)) {
    throw new Error(`${where}: the heat map has ${heat.values.length} values, not ${heat.width} × ${heat.height}.`);
  }
}

function maxOf(values: ArrayLike<number>): number {
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) if (values[i] > max) max = values[i];
  return max;
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}

function hexToRgb(hex: string): [number, number, number] {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** A heat colour from dark red (low) through orange to yellow (high). */
function heatColor(value: number): [number, number, number] {
  const v = clamp(value, 0, 1);
  return [Math.round(180 + 75 * Math.min(1, v * 2)), Math.round(255 * Math.max(0, v * 1.2 - 0.2)), Math.round(40 * v)];
}

/** The tile's RGB bytes, enlarged `factor` times (nearest neighbour), overlays blended in, as a PNG data URL. */
async function tileURL(image: AnnotatedImage, factor: number, range: number[], opacity: number): Promise<string> {
  const sharp = await loadSharp();
  const { width, height } = image;
  const channels = image.channels ?? image.pixels.length / (width * height);
  const [lo, hi] = range;
  const scale = hi > lo ? 255 / (hi - lo) : 0;
  const outW = width * factor;
  const outH = height * factor;
  const out = Buffer.alloc(outW * outH * 3);
  const classColors = new Map<number, [number, number, number]>();
  for (let y = 0; y < outH; y++) {
    const sy = Math.floor(y / factor);
    for (let x = 0; x < outW; x++) {
      const sx = Math.floor(x / factor);
      const at = (sy * width + sx) * channels;
      let rgb: [number, number, number] = [0, 1, 2].map((c) => clamp((image.pixels[at + (channels === 3 ? c : 0)] - lo) * scale, 0, 255)) as [number, number, number];
      const cls = image.classMap ? image.classMap[sy * width + sx] : 0;
      if (cls > 0) {
        let color = classColors.get(cls);
        if (!color) classColors.set(cls, (color = hexToRgb(classColor(cls - 1))));
        rgb = blend(rgb, color, opacity);
      }
      if (image.heat) {
        const h = image.heat;
        const hx = Math.min(h.width - 1, Math.floor((x / outW) * h.width));
        const hy = Math.min(h.height - 1, Math.floor((y / outH) * h.height));
        const v = clamp(h.values[hy * h.width + hx], 0, 1);
        rgb = blend(rgb, heatColor(v), opacity * v);
      }
      const o = (y * outW + x) * 3;
      out[o] = Math.round(rgb[0]);
      out[o + 1] = Math.round(rgb[1]);
      out[o + 2] = Math.round(rgb[2]);
    }
  }
  const png = await sharp(out, { raw: { width: outW, height: outH, channels: 3 } }).png().toBuffer();
  return `data:image/png;base64,${png.toString("base64")}`;
}

function blend(base: [number, number, number], over: [number, number, number], alpha: number): [number, number, number] {
  return [base[0] * (1 - alpha) + over[0] * alpha, base[1] * (1 - alpha) + over[1] * alpha, base[2] * (1 - alpha) + over[2] * alpha];
}
