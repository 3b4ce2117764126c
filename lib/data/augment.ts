/**
 * Augmentation: random changes to training images so a model learns what
 * matters (the shape of a digit) rather than what doesn't (its exact place).
 * Works on uint8 pixels before normalization, in plain JavaScript, and draws
 * every random number from a generator seeded per image: the same seed
 * always gives the same bytes, whichever batch an image lands in.
 *
 * The order is fixed: invert, flip, shift/rotate/scale, brightness/contrast, noise.
 */
import type { ImageShape } from "./dataset";
import { createRandom, mixSeeds, Random } from "./random";

export interface AugmentOptions {
  /**
   * Replace each pixel p by 255 - p (the "inverse black and white" MNIST
   * exercise). `true` inverts every image; a number is the probability.
   */
  invert?: boolean | number;
  /** Mirror left-right. `true` flips half of the images; a number is the probability. */
  flipHorizontal?: boolean | number;
  /** Largest shift as a fraction of the width and height: 0.1 moves up to ±10%. Default 0. */
  shift?: number;
  /** Largest rotation in degrees: 10 turns up to ±10°. Default 0. */
  rotate?: number;
  /** Largest zoom change: 0.1 scales by 0.9 to 1.1. Default 0. */
  scale?: number;
  /** Standard deviation of Gaussian noise, in pixel units (0-255): 8 is mild. Default 0. */
  noise?: number;
  /** Largest brightness change as a fraction of 255: 0.2 adds up to ±51. Default 0. */
  brightness?: number;
  /** Largest contrast change: 0.2 stretches or shrinks around the image's mean by 0.8 to 1.2. Default 0. */
  contrast?: number;
  /**
   * What fills the pixels a shift, rotation or zoom brings in from outside the
   * image: "reflect" (mirror the image, Keras's default), "nearest" (repeat
   * the border) or "constant" (fillValue). Default "reflect".
   */
  fill?: "reflect" | "nearest" | "constant";
  /** The value for fill "constant", 0-255. Default 0. */
  fillValue?: number;
}

const OPTION_NAMES = ["invert", "flipHorizontal", "shift", "rotate", "scale", "noise", "brightness", "contrast", "fill", "fillValue"];

/** Checks augmentation options and fills in defaults; errors name the bad option. */
export function resolveAugmentOptions(options: AugmentOptions): Required<AugmentOptions> & { invertProbability: number; flipProbability: number } {
  for (const key of Object.keys(options)) {
    if (!OPTION_NAMES.includes(key)) {
      throw new Error(`Unknown augmentation option "${key}". The options are: ${OPTION_NAMES.join(", ")}.`);
    }
  }
  const probability = (name: string, value: boolean | number | undefined, whenTrue: number): number => {
    if (value === undefined || value === false) return 0;
    if (value === true) return whenTrue;
    if (!(typeof value === "number" && value >= 0 && value <= 1)) {
      throw new Error(`Augmentation option ${name} must be true, false or a probability between 0 and 1 (got ${String(value)}).`);
    }
    return value;
  };
  const amount = (name: string, value: number | undefined, max: number, unit: string): number => {
    if (value === undefined) return 0;
    if (!(typeof value === "number" && value >= 0 && value <= max)) {
      throw new Error(`Augmentation option ${name} must be a number from 0 to ${max} ${unit} (got ${String(value)}).`);
    }
    return value;
  };
  const fill = options.fill ?? "reflect";
  if (!["reflect", "nearest", "constant"].includes(fill)) {
    throw new Error(`Augmentation option fill must be "reflect", "nearest" or "constant" (got "${String(fill)}").`);
  }
  return {
    invert: options.invert ?? false,
    flipHorizontal: options.flipHorizontal ?? false,
    invertProbability: probability("invert", options.invert, 1),
    flipProbability: probability("flipHorizontal", options.flipHorizontal, 0.5),
    shift: amount("shift", options.shift, 1, "(a fraction of the image size)"),
    rotate: amount("rotate", options.rotate, 180, "degrees"),
    scale: amount("scale", options.scale, 0.9, "(a fraction)"),
    noise: amount("noise", options.noise, 255, "pixel levels"),
    brightness: amount("brightness", options.brightness, 1, "(a fraction of 255)"),
    contrast: amount("contrast", options.contrast, 1, "(a fraction)"),
    fill,
    fillValue: amount("fillValue", options.fillValue, 255, "pixel levels"),
  };
}

/** The amounts that, when all are zero, leave every image as it was. */
const AMOUNTS_OF_CHANGE = ["invertProbability", "flipProbability", "shift", "rotate", "scale", "noise", "brightness", "contrast"] as const;

/** True when the options change nothing (so batches can skip the work). */
export function isIdentityAugmentation(options: AugmentOptions | null | undefined): boolean {
  if (!options) return true;
  const resolved = resolveAugmentOptions(options);
  return AMOUNTS_OF_CHANGE.every((amount) => resolved[amount] === 0);
}

/**
 * Augments `count` images laid out one after another in `pixels`, in place.
 * Image i uses the seed mixSeeds(seed, ids[i]), so an image's result depends
 * only on the seed and its id (its store index), never on its neighbours.
 */
export function augmentImages(
  pixels: Uint8Array,
  shape: ImageShape,
  options: AugmentOptions,
  seed: number,
  ids: ArrayLike<number>,
): Uint8Array {
  const resolved = resolveAugmentOptions(options);
  const imageBytes = shape[0] * shape[1] * shape[2];
  if (pixels.length !== ids.length * imageBytes) {
    throw new RangeError(`${pixels.length} bytes are not ${ids.length} images of shape [${shape.join(", ")}].`);
  }
  const scratch = new Uint8Array(imageBytes);
  for (let i = 0; i < ids.length; i++) {
    const image = pixels.subarray(i * imageBytes, (i + 1) * imageBytes);
    augmentOne(image, shape, resolved, createRandom(mixSeeds(seed, ids[i])), scratch);
  }
  return pixels;
}

/** Augments one image in place. */
export function augmentImage(pixels: Uint8Array, shape: ImageShape, options: AugmentOptions, seed: number): Uint8Array {
  return augmentImages(pixels, shape, options, seed, [0]);
}

function augmentOne(
  image: Uint8Array,
  shape: ImageShape,
  o: ReturnType<typeof resolveAugmentOptions>,
  random: Random,
  scratch: Uint8Array,
): void {
  const [height, width, channels] = shape;
  // Draw every number whether or not its step is on, so turning one step on
  // does not change what the others do for the same seed.
  const invert = random.next() < o.invertProbability;
  const flip = random.next() < o.flipProbability;
  const shiftX = random.uniform(-o.shift, o.shift) * width;
  const shiftY = random.uniform(-o.shift, o.shift) * height;
  const angle = (random.uniform(-o.rotate, o.rotate) * Math.PI) / 180;
  const zoom = 1 + random.uniform(-o.scale, o.scale);
  const brightness = random.uniform(-o.brightness, o.brightness) * 255;
  const contrast = 1 + random.uniform(-o.contrast, o.contrast);

  if (invert) {
    for (let i = 0; i < image.length; i++) image[i] = 255 - image[i];
  }
  if (flip) {
    for (let y = 0; y < height; y++) {
      const row = y * width * channels;
      for (let x = 0; x < width >> 1; x++) {
        const a = row + x * channels;
        const b = row + (width - 1 - x) * channels;
        for (let c = 0; c < channels; c++) {
          const swap = image[a + c];
          image[a + c] = image[b + c];
          image[b + c] = swap;
        }
      }
    }
  }
  if (shiftX !== 0 || shiftY !== 0 || angle !== 0 || zoom !== 1) {
    scratch.set(image);
    warpAffine(scratch, image, shape, shiftX, shiftY, angle, zoom, o.fill, o.fillValue);
  }
  if (brightness !== 0 || contrast !== 1) {
    const means = channelMeans(image, channels);
    for (let i = 0; i < image.length; i++) {
      const mean = means[i % channels];
      image[i] = clampByte((image[i] - mean) * contrast + mean + brightness);
    }
  }
  if (o.noise > 0) {
    for (let i = 0; i < image.length; i++) image[i] = clampByte(image[i] + random.normal() * o.noise);
  }
}

function clampByte(value: number): number {
  return value <= 0 ? 0 : value >= 255 ? 255 : Math.round(value);
}

function channelMeans(image: Uint8Array, channels: number): number[] {
  const sums = new Array<number>(channels).fill(0);
  for (let i = 0; i < image.length; i++) sums[i % channels] += image[i];
  return sums.map((s) => (s * channels) / image.length);
}

/**
 * Moves, turns and zooms the image about its centre; each output pixel is
 * sampled bilinearly from where the inverse transform puts it.
 */
function warpAffine(
  source: Uint8Array,
  target: Uint8Array,
  shape: ImageShape,
  shiftX: number,
  shiftY: number,
  angle: number,
  zoom: number,
  fill: "reflect" | "nearest" | "constant",
  fillValue: number,
): void {
  const [height, width, channels] = shape;
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  const cos = Math.cos(angle) / zoom;
  const sin = Math.sin(angle) / zoom;
  const inside = (v: number, size: number): number => {
    if (fill === "nearest") return v < 0 ? 0 : v >= size ? size - 1 : v;
    // Reflect about the outer edge of the border pixel: ... c b a | a b c ... (Keras "reflect").
    const period = 2 * size;
    let m = v % period;
    if (m < 0) m += period;
    return m < size ? m : period - 1 - m;
  };
  // Where a sample coordinate lands inside the image; -1 means "use fillValue".
  const place = (v: number, size: number): number => {
    if (v >= 0 && v < size) return v;
    if (fill === "constant") return -1;
    return inside(v, size);
  };
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const dx = x - cx - shiftX;
      const dy = y - cy - shiftY;
      const sx = cos * dx + sin * dy + cx;
      const sy = -sin * dx + cos * dy + cy;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      // The four neighbours and their bilinear weights, shared by every channel.
      const left = place(x0, width);
      const right = place(x0 + 1, width);
      const top = place(y0, height);
      const bottom = place(y0 + 1, height);
      const a = top < 0 || left < 0 ? -1 : (top * width + left) * channels;
      const b = top < 0 || right < 0 ? -1 : (top * width + right) * channels;
      const c = bottom < 0 || left < 0 ? -1 : (bottom * width + left) * channels;
      const d = bottom < 0 || right < 0 ? -1 : (bottom * width + right) * channels;
      const wa = (1 - fx) * (1 - fy);
      const wb = fx * (1 - fy);
      const wc = (1 - fx) * fy;
      const wd = fx * fy;
      const out = (y * width + x) * channels;
      for (let ch = 0; ch < channels; ch++) {
        const value =
          (a < 0 ? fillValue : source[a + ch]) * wa +
          (b < 0 ? fillValue : source[b + ch]) * wb +
          (c < 0 ? fillValue : source[c + ch]) * wc +
          (d < 0 ? fillValue : source[d + ch]) * wd;
        target[out + ch] = value <= 0 ? 0 : value >= 255 ? 255 : Math.round(value);
      }
    }
  }
}
