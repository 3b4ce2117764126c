/**
 * A grid of small images with coloured caption lines, as one PNG: the top-
 * losses gallery, feature maps and filters. Pixels are copied by hand with
 * nearest-neighbour enlargement (a 5×5 filter or a 28×28 digit stays crisp);
 * sharp draws the captions from an SVG overlay and encodes the PNG.
 */
import { loadSharp } from "../display/sharp";
import { escapeHtml } from "../display/html";

export interface Tile {
  /** height × width × channels values, row by row (HWC). */
  pixels: ArrayLike<number>;
  width: number;
  height: number;
  /** 1 (grey) or 3 (RGB). */
  channels: 1 | 3;
  /** The values drawn as black and white; "auto": this tile's own min and max. */
  range: readonly [number, number] | "auto";
  /** Caption lines under the tile. */
  lines?: readonly { text: string; color?: string }[];
}

export interface TileGridOptions {
  /** Tiles per row. Default: up to 8. */
  columns?: number;
  /** Longer side of each tile in pixels. Default: the largest image enlarged by a whole factor to at least 56. */
  tileSize?: number;
  /** Gap between tiles. Default 4. */
  gap?: number;
}

export interface TileGridImage {
  png: Buffer;
  width: number;
  height: number;
}

const LINE_HEIGHT = 13;

export async function drawTiles(tiles: readonly Tile[], options: TileGridOptions = {}): Promise<TileGridImage> {
  const sharp = await loadSharp();
  if (tiles.length === 0) throw new Error("drawTiles: there are no images to draw.");
  const gap = options.gap ?? 4;
  const biggest = Math.max(...tiles.map((t) => Math.max(t.width, t.height)));
  const tile = options.tileSize ?? biggest * Math.max(1, Math.ceil(56 / biggest));
  const columns = Math.max(1, Math.min(options.columns ?? 8, tiles.length));
  const lines = Math.max(0, ...tiles.map((t) => t.lines?.length ?? 0));
  const cellWidth = tile + gap;
  const cellHeight = tile + (lines ? lines * LINE_HEIGHT + 3 : 0) + gap;
  const rows = Math.ceil(tiles.length / columns);
  const width = columns * cellWidth + gap;
  const height = rows * cellHeight + gap;
  const canvas = new Uint8Array(width * height * 3).fill(255);
  const svg: string[] = [];

  tiles.forEach((t, n) => {
    const left = gap + (n % columns) * cellWidth;
    const top = gap + Math.floor(n / columns) * cellHeight;
    const [lo, hi] = t.range === "auto" ? extent(t.pixels) : t.range;
    const scale = hi > lo ? 255 / (hi - lo) : 0;
    // Fit the image in the tile, keeping its aspect ratio, centred.
    const factor = tile / Math.max(t.width, t.height);
    const drawnWidth = Math.max(1, Math.round(t.width * factor));
    const drawnHeight = Math.max(1, Math.round(t.height * factor));
    const offsetX = left + Math.floor((tile - drawnWidth) / 2);
    const offsetY = top + Math.floor((tile - drawnHeight) / 2);
    for (let y = 0; y < drawnHeight; y++) {
      const sy = Math.min(t.height - 1, Math.floor(y / factor));
      for (let x = 0; x < drawnWidth; x++) {
        const sx = Math.min(t.width - 1, Math.floor(x / factor));
        const at = ((offsetY + y) * width + offsetX + x) * 3;
        for (let c = 0; c < 3; c++) {
          const v = (t.pixels[(sy * t.width + sx) * t.channels + (t.channels === 1 ? 0 : c)] - lo) * scale;
          canvas[at + c] = Number.isFinite(v) ? Math.max(0, Math.min(255, Math.round(v))) : 0;
        }
      }
    }
    t.lines?.forEach((line, i) => {
      svg.push(
        `<text x="${left + tile / 2}" y="${top + tile + 11 + i * LINE_HEIGHT}" text-anchor="middle" font-size="10.5" fill="${line.color ?? "#222"}">` +
          `${escapeHtml(fit(line.text, tile + gap))}</text>`,
      );
    });
  });

  let image = sharp(Buffer.from(canvas.buffer), { raw: { width, height, channels: 3 } });
  if (svg.length) {
    const overlay = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="DejaVu Sans, sans-serif">${svg.join("")}</svg>`;
    image = sharp(await image.png().toBuffer()).composite([{ input: Buffer.from(overlay), top: 0, left: 0 }]);
  }
  return { png: await image.png().toBuffer(), width, height };
}

function extent(values: ArrayLike<number>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return Number.isFinite(lo) ? [lo, hi] : [0, 1];
}

/** Shortens a caption to about what fits under a tile (10.5 px text is about 6.2 px per character). */
function fit(text: string, width: number): string {
  const max = Math.max(3, Math.floor(width / 6.2));
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
