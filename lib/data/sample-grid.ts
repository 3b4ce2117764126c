/**
 * A grid of sample images with their class names underneath, as one PNG made
 * with sharp: the first look at any dataset. With `perClass`, each row holds
 * one class, which shows at a glance what the classes look like and whether
 * a folder holds something it should not.
 */
import { loadSharp } from "../display/sharp";
import { DISPLAY, MimeBundle } from "../display";
import type { Dataset } from "./dataset";
import { checkSplitName, type SplitName } from "./split-names";
import { escapeHtml } from "../display/html";
import { createRandom, mixSeeds, shuffleInPlace } from "./random";

export interface SampleGridOptions {
  /** Split to draw from. Default: "train" (or the first split that has images). */
  split?: SplitName;
  /** Number of images (ignored with perClass). Default 32. */
  count?: number;
  /** Images per class, one row per class. Default: off. */
  perClass?: number;
  /** Images per row (ignored with perClass). Default 8. */
  columns?: number;
  /** Side of each tile in pixels; small images are enlarged without smoothing. Default: the image size, at least 56. */
  tileSize?: number;
  /** Which images are picked. Default 0. */
  seed?: number;
  /** Pick specific images by store index instead (e.g. mistakes); overrides count, perClass and seed. */
  indices?: ArrayLike<number>;
  /** Text under each tile instead of its class name (same length as indices). */
  captions?: string[];
  /** Draw the class names. Default true. */
  labels?: boolean;
}

export interface SampleGridItem {
  index: number;
  label: number;
  className: string;
}

export class SampleGrid {
  constructor(
    /** The PNG file's bytes. */
    readonly png: Buffer,
    readonly width: number,
    readonly height: number,
    /** The images shown, row by row. */
    readonly items: SampleGridItem[],
    readonly title: string,
  ) {}

  toString(): string {
    return `${this.title}: ${this.items.length} images, ${this.width}×${this.height} PNG`;
  }

  [DISPLAY](): MimeBundle {
    return {
      "image/png": this.png.toString("base64"),
      "text/plain": this.toString(),
    };
  }

  /** An <img> tag holding the PNG, for embedding in other displays. */
  toHtml(): string {
    return `<img alt="${escapeHtml(this.title)}" src="data:image/png;base64,${this.png.toString("base64")}" width="${this.width}" height="${this.height}"/>`;
  }
}

const CAPTION_HEIGHT = 16;
const GAP = 4;

export async function sampleGrid(dataset: Dataset, options: SampleGridOptions = {}): Promise<SampleGrid> {
  const sharp = await loadSharp();
  const split = checkSplitName(options.split ?? (dataset.size("train") > 0 ? "train" : dataset.splitNames[0] ?? "train"));
  const [height, width, channels] = dataset.shape;
  const random = createRandom(mixSeeds(options.seed ?? 0, 4));
  const drawLabels = options.labels ?? true;

  let rows: number[][];
  let rowTitles: string[] | undefined;
  if (options.indices) {
    const columns = positiveInteger("columns", options.columns ?? 8);
    const picked = Array.from(options.indices);
    rows = chunk(picked, columns);
  } else {
    const pool = Array.from(dataset.indices(split));
    if (pool.length === 0) throw new Error(`The ${split} split of ${dataset.name} has no images to show.`);
    shuffleInPlace(pool, random);
    if (options.perClass !== undefined) {
      const perClass = positiveInteger("perClass", options.perClass);
      const byClass: number[][] = dataset.classNames.map(() => []);
      for (const index of pool) {
        const row = byClass[dataset.labels[index]];
        if (row.length < perClass) row.push(index);
      }
      rows = byClass;
      rowTitles = [...dataset.classNames];
    } else {
      const count = positiveInteger("count", options.count ?? 32);
      const columns = positiveInteger("columns", options.columns ?? 8);
      rows = chunk(pool.slice(0, count), columns);
    }
  }
  const captions = options.captions;
  if (captions && options.indices && captions.length !== options.indices.length) {
    throw new Error(`There are ${captions.length} captions for ${options.indices.length} images; give one per image.`);
  }

  const tile = positiveInteger("tileSize", options.tileSize ?? Math.max(56, Math.min(160, Math.max(height, width))));
  const titleWidth = rowTitles ? Math.min(180, 14 + 7 * Math.max(...rowTitles.map((t) => t.length))) : 0;
  const columns = Math.max(1, ...rows.map((r) => r.length));
  const cellHeight = tile + (drawLabels && !rowTitles ? CAPTION_HEIGHT : 0) + GAP;
  const canvasWidth = titleWidth + columns * (tile + GAP) + GAP;
  const canvasHeight = rows.length * cellHeight + GAP;
  const canvas = new Uint8Array(canvasWidth * canvasHeight * 3).fill(255);

  const all = rows.flat();
  const pixels = await dataset.readImages(all);
  const imageBytes = height * width * channels;
  const upscale = tile >= Math.max(height, width);
  const items: SampleGridItem[] = [];
  const svg: string[] = [];
  let n = 0;
  for (let r = 0; r < rows.length; r++) {
    const y = GAP + r * cellHeight;
    if (rowTitles && drawLabels) {
      svg.push(`<text x="${titleWidth - 8}" y="${y + tile / 2 + 4}" text-anchor="end" font-size="12">${escapeHtml(rowTitles[r])}</text>`);
    }
    for (let c = 0; c < rows[r].length; c++, n++) {
      const index = rows[r][c];
      const x = titleWidth + GAP + c * (tile + GAP);
      const image = pixels.subarray(n * imageBytes, (n + 1) * imageBytes);
      const tilePixels = await sharp(image, { raw: { width, height, channels: channels as 1 | 3 } })
        .resize(tile, tile, { fit: "contain", background: { r: 255, g: 255, b: 255 }, kernel: upscale ? "nearest" : "lanczos3" })
        .toColourspace("srgb")
        .removeAlpha()
        .raw()
        .toBuffer();
      for (let ty = 0; ty < tile; ty++) {
        canvas.set(tilePixels.subarray(ty * tile * 3, (ty + 1) * tile * 3), ((y + ty) * canvasWidth + x) * 3);
      }
      const label = dataset.labels[index];
      items.push({ index, label, className: dataset.classNames[label] });
      if (drawLabels && !rowTitles) {
        const caption = captions ? captions[n] : dataset.classNames[label];
        svg.push(
          `<text x="${x + tile / 2}" y="${y + tile + 12}" text-anchor="middle" font-size="11">${escapeHtml(fit(caption, tile))}</text>`,
        );
      }
    }
  }

  let image = sharp(canvas, { raw: { width: canvasWidth, height: canvasHeight, channels: 3 } });
  if (svg.length) {
    const overlay = `<svg xmlns="http://www.w3.org/2000/svg" width="${canvasWidth}" height="${canvasHeight}" font-family="DejaVu Sans, sans-serif" fill="#222">${svg.join("")}</svg>`;
    image = sharp(await image.png().toBuffer()).composite([{ input: Buffer.from(overlay), top: 0, left: 0 }]);
  }
  const png = await image.png().toBuffer();
  const title = `${dataset.name}, ${split} split${rowTitles ? `, ${options.perClass} per class` : ""}`;
  return new SampleGrid(png, canvasWidth, canvasHeight, items, title);
}

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a whole number of at least 1 (got ${String(value)}).`);
  return value;
}

/** Shortens a caption to about what fits under a tile (11px text is ~6.5px per character). */
function fit(text: string, width: number): string {
  const max = Math.max(3, Math.floor(width / 6.5));
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
