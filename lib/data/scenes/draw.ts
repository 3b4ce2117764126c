/**
 * Drawing on a scene's canvas: enlarging or shrinking a source image,
 * finding where its ink is, and pasting it. Canvases are one channel, light
 * strokes on black, as MNIST and Fashion-MNIST are.
 */
import type { BoxLike } from "./types";

/** A one-channel image. */
export interface Sprite {
  pixels: Uint8Array;
  width: number;
  height: number;
}

/**
 * Bilinear resampling to width × height, sampling at pixel centres (what
 * OpenCV's INTER_LINEAR and tf.image.resizeBilinear with half-pixel centres
 * do), rounded to bytes.
 */
export function resizeBilinear(source: Sprite, width: number, height: number): Sprite {
  const out = new Uint8Array(width * height);
  const sx = source.width / width;
  const sy = source.height / height;
  for (let y = 0; y < height; y++) {
    const fy = Math.min(source.height - 1, Math.max(0, (y + 0.5) * sy - 0.5));
    const y0 = Math.floor(fy);
    const y1 = Math.min(source.height - 1, y0 + 1);
    const wy = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = Math.min(source.width - 1, Math.max(0, (x + 0.5) * sx - 0.5));
      const x0 = Math.floor(fx);
      const x1 = Math.min(source.width - 1, x0 + 1);
      const wx = fx - x0;
      const p = source.pixels;
      const top = p[y0 * source.width + x0] * (1 - wx) + p[y0 * source.width + x1] * wx;
      const bottom = p[y1 * source.width + x0] * (1 - wx) + p[y1 * source.width + x1] * wx;
      out[y * width + x] = Math.round(top * (1 - wy) + bottom * wy);
    }
  }
  return { pixels: out, width, height };
}

/** The smallest box holding every pixel at or above `threshold`, or undefined when there is none. */
export function inkBox(sprite: Sprite, threshold: number): BoxLike | undefined {
  let x1 = Infinity;
  let y1 = Infinity;
  let x2 = -Infinity;
  let y2 = -Infinity;
  for (let y = 0; y < sprite.height; y++) {
    for (let x = 0; x < sprite.width; x++) {
      if (sprite.pixels[y * sprite.width + x] >= threshold) {
        if (x < x1) x1 = x;
        if (x >= x2) x2 = x + 1;
        if (y < y1) y1 = y;
        if (y >= y2) y2 = y + 1;
      }
    }
  }
  return x2 > x1 ? { x1, y1, x2, y2 } : undefined;
}

/** The part of `sprite` inside `box` (sprite coordinates). */
export function cropSprite(sprite: Sprite, box: BoxLike): Sprite {
  const width = box.x2 - box.x1;
  const height = box.y2 - box.y1;
  const pixels = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    pixels.set(sprite.pixels.subarray((box.y1 + y) * sprite.width + box.x1, (box.y1 + y) * sprite.width + box.x1 + width), y * width);
  }
  return { pixels, width, height };
}

/** True when the boxes, each grown by `gap` pixels, share any pixel. */
export function boxesTouch(a: BoxLike, b: BoxLike, gap: number): boolean {
  return a.x1 < b.x2 + gap && b.x1 < a.x2 + gap && a.y1 < b.y2 + gap && b.y1 < a.y2 + gap;
}

/**
 * Draws `sprite` with its top-left corner at (left, top): each canvas pixel
 * keeps the brighter of itself and the sprite (light strokes on black add up
 * as ink does). Where the sprite reaches `maskThreshold`, `mask` gets `maskValue`.
 */
export function paste(
  canvas: Uint8Array,
  canvasWidth: number,
  sprite: Sprite,
  left: number,
  top: number,
  mask?: { values: Uint8Array; threshold: number; value: number },
): void {
  const canvasHeight = canvas.length / canvasWidth;
  for (let y = 0; y < sprite.height; y++) {
    const cy = top + y;
    if (cy < 0 || cy >= canvasHeight) continue;
    for (let x = 0; x < sprite.width; x++) {
      const cx = left + x;
      if (cx < 0 || cx >= canvasWidth) continue;
      const value = sprite.pixels[y * sprite.width + x];
      const at = cy * canvasWidth + cx;
      if (value > canvas[at]) canvas[at] = value;
      if (mask && value >= mask.threshold) mask.values[at] = mask.value;
    }
  }
}
