/**
 * normalize(): compute a normalization's statistics on the training split
 * (never on validation or test: that would leak them into training) and
 * attach it to the dataset, which then hands out normalized batches.
 */
import { Dataset, SplitName, checkSplitName } from "./dataset";
import { Normalization, NormalizationMethod, NORMALIZATION_METHODS, noNormalization, scaleNormalization } from "./normalization";
import { formatCount } from "../display/html";

export interface NormalizeOptions {
  /** Default "scale". */
  method?: NormalizationMethod;
  /** Multiplies the raw 0-255 pixels first. Default 1/255; DIGITS (Caffe) used 1 with mean subtraction. */
  scale?: number;
  /** The split the statistics come from. Default "train". */
  split?: SplitName;
  /** Images read at a time while computing statistics. Default 1024. */
  chunkSize?: number;
}

/** Statistics of a split, for a normalization method. */
export async function computeNormalization(dataset: Dataset, options: NormalizeOptions = {}): Promise<Normalization> {
  const method = options.method ?? "scale";
  if (!NORMALIZATION_METHODS.includes(method)) {
    throw new Error(`Unknown normalization "${method}". Use one of: ${NORMALIZATION_METHODS.join(", ")}.`);
  }
  const scale = options.scale ?? 1 / 255;
  if (!(scale > 0)) throw new Error(`The normalization scale must be a positive number (got ${scale}).`);
  if (method === "none") return noNormalization();
  if (method === "scale") return scaleNormalization(scale);

  const split = checkSplitName(options.split ?? "train");
  const indices = dataset.indices(split);
  if (indices.length === 0) {
    throw new Error(`Cannot compute a ${method} normalization: the ${split} split of ${dataset.name} is empty.`);
  }
  const [height, width, channels] = dataset.shape;
  const imageBytes = height * width * channels;
  const chunkSize = options.chunkSize ?? 1024;
  // Sums of bytes stay exact in float64 far beyond any dataset size.
  const positionSums = method === "mean-image" ? new Float64Array(imageBytes) : undefined;
  const channelSums = new Float64Array(channels);
  const channelSquares = new Float64Array(channels);
  const buffer = new Uint8Array(Math.min(chunkSize, indices.length) * imageBytes);
  for (let start = 0; start < indices.length; start += chunkSize) {
    const chunk = indices.subarray(start, Math.min(indices.length, start + chunkSize));
    const pixels = await dataset.readImages(chunk, buffer);
    const used = chunk.length * imageBytes;
    if (positionSums) {
      for (let i = 0; i < used; i++) positionSums[i % imageBytes] += pixels[i];
    } else {
      for (let i = 0; i < used; i++) {
        const value = pixels[i];
        channelSums[i % channels] += value;
        channelSquares[i % channels] += value * value;
      }
    }
  }
  const from = `${split} split (${formatCount(indices.length)} images)`;
  if (positionSums) {
    const mean = Array.from(positionSums, (s) => (s / indices.length) * scale);
    return { method, scale, mean, meanShape: [height, width, channels], std: null, computedFrom: from };
  }
  const perChannel = indices.length * height * width;
  const mean = Array.from(channelSums, (s) => (s / perChannel) * scale);
  if (method === "mean-pixel") return { method, scale, mean, meanShape: [channels], std: null, computedFrom: from };
  const std = Array.from(channelSquares, (sq, c) => {
    const rawMean = channelSums[c] / perChannel;
    const variance = Math.max(0, sq / perChannel - rawMean * rawMean);
    // A constant channel would divide by zero; leave it unscaled instead.
    return Math.sqrt(variance) * scale || 1;
  });
  return { method, scale, mean, meanShape: [channels], std, computedFrom: from };
}

/**
 * The dataset with a normalization computed on its training split:
 *
 *     const data = await normalize(mnist, "mean-image");
 */
export async function normalize(dataset: Dataset, options: NormalizationMethod | NormalizeOptions = {}): Promise<Dataset> {
  const resolved = typeof options === "string" ? { method: options } : options;
  return dataset.withNormalization(await computeNormalization(dataset, resolved));
}
