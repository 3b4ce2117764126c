/**
 * Normalization as plain data. A model trained on normalized pixels needs the
 * very same normalization when it is deployed, so it is a small JSON-able
 * object that travels with the model (the deploy stage bakes it into the
 * ONNX graph as Mul, Sub and Div nodes):
 *
 *     y = (x * scale - mean) / std        x = the raw 0-255 pixel
 *
 * `mean` is one value per channel (mean-pixel, standardize) or one per
 * height × width × channel position (mean-image, as DIGITS subtracts);
 * `std` is one value per channel. Absent terms are skipped.
 */

export type NormalizationMethod =
  /** Raw 0-255 values as float32. */
  | "none"
  /** x * scale: [0, 1] with the default scale of 1/255 (Keras's Rescaling). */
  | "scale"
  /** Subtract the training set's mean image (DIGITS's default "Image" mean). */
  | "mean-image"
  /** Subtract the training set's mean of each channel (DIGITS's "Pixel" mean). */
  | "mean-pixel"
  /** Per-channel (x - mean) / std, computed on the training set. */
  | "standardize";

export const NORMALIZATION_METHODS: readonly NormalizationMethod[] = [
  "none",
  "scale",
  "mean-image",
  "mean-pixel",
  "standardize",
];

export interface Normalization {
  method: NormalizationMethod;
  /** Multiplies the raw 0-255 pixel first. */
  scale: number;
  /** Subtracted after scaling (in scaled units), or null. */
  mean: number[] | null;
  /** [channels] for a per-channel mean, [height, width, channels] for a mean image. */
  meanShape: number[] | null;
  /** Per-channel divisor (in scaled units), or null. */
  std: number[] | null;
  /** Where the statistics came from, e.g. "train split (50,000 images)". */
  computedFrom: string | null;
}

/** Pixels scaled to [0, 1]: the default for every dataset. */
export function scaleNormalization(scale = 1 / 255): Normalization {
  return { method: "scale", scale, mean: null, meanShape: null, std: null, computedFrom: null };
}

/** Raw 0-255 pixels, as float32. */
export function noNormalization(): Normalization {
  return { method: "none", scale: 1, mean: null, meanShape: null, std: null, computedFrom: null };
}

/** Checks a normalization (for instance one read back from JSON) against an image shape. */
export function validateNormalization(normalization: Normalization, shape: readonly number[]): void {
  const [height, width, channels] = shape;
  const problem = (text: string): never => {
    throw new Error(`This normalization (${normalization.method}) does not fit images of shape [${shape.join(", ")}]: ${text}`);
  };
  if (!NORMALIZATION_METHODS.includes(normalization.method)) {
    problem(`unknown method "${normalization.method}"; use one of ${NORMALIZATION_METHODS.join(", ")}.`);
  }
  if (!(Number.isFinite(normalization.scale) && normalization.scale > 0)) problem("scale must be a positive number.");
  if (normalization.mean) {
    const expected =
      normalization.meanShape?.length === 3 ? height * width * channels : normalization.meanShape?.length === 1 ? channels : -1;
    if (expected < 0) problem("meanShape must be [channels] or [height, width, channels].");
    if (normalization.meanShape!.length === 3 && normalization.meanShape!.join() !== [height, width, channels].join()) {
      problem(`the mean image is [${normalization.meanShape!.join(", ")}].`);
    }
    if (normalization.mean.length !== expected) problem(`mean has ${normalization.mean.length} values, expected ${expected}.`);
    const bad = normalization.mean.findIndex((m) => !Number.isFinite(m));
    if (bad >= 0) problem(`mean[${bad}] is ${normalization.mean[bad]}; every value must be a finite number.`);
  }
  if (normalization.std) {
    if (normalization.std.length !== channels) problem(`std has ${normalization.std.length} values, expected ${channels}.`);
    if (normalization.std.some((s) => !(s > 0 && Number.isFinite(s)))) problem("every std value must be a positive, finite number.");
  }
}

/**
 * Applies a normalization to `count` images of `shape` (uint8, HWC), writing
 * float32 into `target` (allocated when absent).
 */
export function normalizePixels(
  pixels: Uint8Array,
  shape: readonly number[],
  normalization: Normalization,
  target?: Float32Array,
): Float32Array {
  const [height, width, channels] = shape;
  const imageSize = height * width * channels;
  const out = target ?? new Float32Array(pixels.length);
  const scale = normalization.scale;
  const mean = normalization.mean;
  const meanIsImage = normalization.meanShape?.length === 3;
  const inverseStd = normalization.std?.map((s) => 1 / s);

  // A lookup per (position-or-channel, byte value) would be faster still, but
  // for a mean image that table is 256× the image: plain arithmetic it is.
  for (let start = 0; start < pixels.length; start += imageSize) {
    for (let i = 0; i < imageSize; i++) {
      let value = pixels[start + i] * scale;
      if (mean) value -= meanIsImage ? mean[i] : mean[i % channels];
      if (inverseStd) value *= inverseStd[i % channels];
      out[start + i] = value;
    }
  }
  return out;
}

/** One line for summaries: "scale ×1/255, then subtract the mean image (train split, 600 images)". */
export function describeNormalization(normalization: Normalization): string {
  const scale =
    normalization.scale === 1 ? "raw 0-255 values" : Math.abs(normalization.scale - 1 / 255) < 1e-12 ? "scaled to [0, 1]" : `× ${normalization.scale}`;
  const from = normalization.computedFrom ? ` (from the ${normalization.computedFrom})` : "";
  switch (normalization.method) {
    case "none":
      return "none: raw 0-255 values";
    case "scale":
      return scale;
    case "mean-image":
      return `${scale}, minus the mean image${from}`;
    case "mean-pixel":
      return `${scale}, minus the mean of each channel [${(normalization.mean ?? []).map((m) => m.toFixed(4)).join(", ")}]${from}`;
    case "standardize":
      return (
        `${scale}, standardized per channel: mean [${(normalization.mean ?? []).map((m) => m.toFixed(4)).join(", ")}], ` +
        `std [${(normalization.std ?? []).map((s) => s.toFixed(4)).join(", ")}]${from}`
      );
  }
}
