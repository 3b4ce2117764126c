/**
 * DIGITS's four resize modes, as geometry (a plan) and as pixels. The plan
 * follows DIGITS's resize_image: with width ratio wr = srcW / W and height
 * ratio hr = srcH / H,
 *
 * - squash: resize straight to W × H (also whenever wr = hr);
 * - crop: resize so the image covers W × H (scale by the smaller ratio),
 *   then cut the middle out of the side that is too long;
 * - fill: resize so the image fits inside W × H (the larger ratio), then pad
 *   both ends of the short side with uniform random noise;
 * - half_crop: resize by the mean of the two ratios, then crop the long side
 *   and pad the short one with noise.
 *
 * When padding, the resized side is grown by one pixel if needed so that the
 * padding splits evenly, as DIGITS does.
 */
import type { Sharp } from "sharp";
import { createRandom } from "../../random";

export type ResizeMode = "squash" | "crop" | "fill" | "half_crop";
export const RESIZE_MODES: readonly ResizeMode[] = ["squash", "crop", "fill", "half_crop"];

export interface ResizePlan {
  /** Size the whole image is resized to first. */
  resizeWidth: number;
  resizeHeight: number;
  /** Then this window is cut out (crop, half_crop). */
  crop: { left: number; top: number; width: number; height: number } | null;
  /** Then this many noise rows (top and bottom) or columns (left and right) are added on each side (fill, half_crop). */
  pad: { axis: "rows" | "columns"; each: number } | null;
}

export function planResize(sourceWidth: number, sourceHeight: number, width: number, height: number, mode: ResizeMode): ResizePlan {
  const widthRatio = sourceWidth / width;
  const heightRatio = sourceHeight / height;
  const plain: ResizePlan = { resizeWidth: width, resizeHeight: height, crop: null, pad: null };
  if (mode === "squash" || widthRatio === heightRatio) return plain;
  const wide = widthRatio > heightRatio;

  if (mode === "crop") {
    const resizeWidth = wide ? Math.round(sourceWidth / heightRatio) : width;
    const resizeHeight = wide ? height : Math.round(sourceHeight / widthRatio);
    return { resizeWidth, resizeHeight, crop: centreWindow(resizeWidth, resizeHeight, width, height, wide), pad: null };
  }

  let resizeWidth: number;
  let resizeHeight: number;
  if (mode === "fill") {
    if (wide) {
      resizeWidth = width;
      resizeHeight = Math.round(sourceHeight / widthRatio);
      if ((height - resizeHeight) % 2 === 1) resizeHeight += 1;
    } else {
      resizeHeight = height;
      resizeWidth = Math.round(sourceWidth / heightRatio);
      if ((width - resizeWidth) % 2 === 1) resizeWidth += 1;
    }
  } else {
    const ratio = (widthRatio + heightRatio) / 2;
    resizeWidth = Math.round(sourceWidth / ratio);
    resizeHeight = Math.round(sourceHeight / ratio);
    if (wide && (height - resizeHeight) % 2 === 1) resizeHeight += 1;
    if (!wide && (width - resizeWidth) % 2 === 1) resizeWidth += 1;
  }
  resizeWidth = Math.max(1, resizeWidth);
  resizeHeight = Math.max(1, resizeHeight);
  const crop = mode === "half_crop" ? centreWindow(resizeWidth, resizeHeight, width, height, wide) : null;
  const pad = wide
    ? { axis: "rows" as const, each: (height - resizeHeight) / 2 }
    : { axis: "columns" as const, each: (width - resizeWidth) / 2 };
  return { resizeWidth, resizeHeight, crop, pad: pad.each > 0 ? pad : null };
}

/** The middle W-wide (wide images) or H-high window of the resized image. */
function centreWindow(resizeWidth: number, resizeHeight: number, width: number, height: number, wide: boolean) {
  if (wide) {
    const left = Math.round((resizeWidth - width) / 2);
    return { left, top: 0, width: Math.min(width, resizeWidth), height: resizeHeight };
  }
  const top = Math.round((resizeHeight - height) / 2);
  return { left: 0, top, width: resizeWidth, height: Math.min(height, resizeHeight) };
}

/**
 * Resizes a decoded sRGB image (3 channels, no alpha) per the plan and
 * returns width × height × 3 bytes. Noise comes from `noiseSeed`.
 */
export async function applyResize(image: Sharp, plan: ResizePlan, width: number, height: number, noiseSeed: number): Promise<Buffer> {
  let pipeline = image.resize(plan.resizeWidth, plan.resizeHeight, { fit: "fill" });
  if (plan.crop) pipeline = pipeline.extract(plan.crop);
  const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
  if (!plan.pad) return checkSize(data, info.width, info.height, info.channels, width, height);

  const channels = info.channels;
  const out = Buffer.alloc(width * height * channels);
  const random = createRandom(noiseSeed);
  // Noise everywhere first; the image then goes in the middle.
  for (let i = 0; i < out.length; i++) out[i] = random.int(256);
  const left = plan.pad.axis === "columns" ? plan.pad.each : 0;
  const top = plan.pad.axis === "rows" ? plan.pad.each : 0;
  for (let y = 0; y < info.height; y++) {
    data.copy(out, ((top + y) * width + left) * channels, y * info.width * channels, (y + 1) * info.width * channels);
  }
  return out;
}

function checkSize(data: Buffer, actualWidth: number, actualHeight: number, channels: number, width: number, height: number): Buffer {
  if (actualWidth !== width || actualHeight !== height) {
    throw new Error(`internal: resizing gave ${actualWidth}×${actualHeight}×${channels}, expected ${width}×${height}`);
  }
  return data;
}
