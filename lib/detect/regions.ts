/**
 * Regions of a scene as a classifier sees them. A digit classifier was
 * trained on MNIST's framing: a digit about 20 pixels tall centred in a
 * 28-pixel square. So a region around an object is shown to it the same way:
 * the square centred on the region whose side is FRAMING times the region's
 * longer side, resampled to the classifier's input size. Sliding windows,
 * proposals and the fully convolutional network all look through this frame.
 */
import type { BoxLike } from "../data/scenes";
import { centre, squareAround } from "./boxes";

/** A frame is this many times the object's longer side (MNIST: a 20-pixel digit in a 28-pixel square). */
export const FRAMING = 1.4;

/** How far a frame reaches past its object on each side, as a share of the frame: (FRAMING − 1) / 2 / FRAMING. Windows may reach this far past the image's border. */
export const BORDER_MARGIN = (FRAMING - 1) / 2 / FRAMING;

/** The square frame a classifier should see for an object box. */
export function frameOf(box: BoxLike): BoxLike {
  const c = centre(box);
  return squareAround(c.x, c.y, FRAMING * Math.max(box.x2 - box.x1, box.y2 - box.y1));
}

/** The object box a square window stands for: the square FRAMING times smaller, centred in it. */
export function objectBoxOf(window: BoxLike): BoxLike {
  const c = centre(window);
  return squareAround(c.x, c.y, (window.x2 - window.x1) / FRAMING);
}

/** An image as bytes, height × width × channels. */
export interface ImageBytes {
  pixels: Uint8Array;
  width: number;
  height: number;
  channels: number;
}

/**
 * The part of `image` inside `box` resampled to outWidth × outHeight
 * (bilinear, sampling at pixel centres); outside the image is black, as the
 * scenes' background. Writes into `target` at `offset` when given.
 */
export function cropResize(image: ImageBytes, box: BoxLike, outWidth: number, outHeight = outWidth, target?: Uint8Array, offset = 0): Uint8Array {
  const { pixels, width, height, channels } = image;
  const out = target ?? new Uint8Array(outWidth * outHeight * channels);
  const sx = (box.x2 - box.x1) / outWidth;
  const sy = (box.y2 - box.y1) / outHeight;
  const at = (x: number, y: number, c: number) => (x < 0 || y < 0 || x >= width || y >= height ? 0 : pixels[(y * width + x) * channels + c]);
  for (let v = 0; v < outHeight; v++) {
    const fy = box.y1 + (v + 0.5) * sy - 0.5;
    const y0 = Math.floor(fy);
    const wy = fy - y0;
    for (let u = 0; u < outWidth; u++) {
      const fx = box.x1 + (u + 0.5) * sx - 0.5;
      const x0 = Math.floor(fx);
      const wx = fx - x0;
      for (let c = 0; c < channels; c++) {
        const top = at(x0, y0, c) * (1 - wx) + at(x0 + 1, y0, c) * wx;
        const bottom = at(x0, y0 + 1, c) * (1 - wx) + at(x0 + 1, y0 + 1, c) * wx;
        out[offset + (v * outWidth + u) * channels + c] = Math.round(top * (1 - wy) + bottom * wy);
      }
    }
  }
  return out;
}
