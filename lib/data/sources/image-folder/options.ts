/**
 * The options of importImageFolder, with DIGITS's defaults ("New Image
 * Classification Dataset": color, 256×256, squash, 25% validation, 0% test,
 * at least 2 images per class).
 */
import { resolve } from "node:path";
import { cpus } from "node:os";
import { RESIZE_MODES, ResizeMode } from "./resize";

/** sharp's own default limit (its limitInputPixels): 16383 × 16383. */
export const DEFAULT_MAX_IMAGE_PIXELS = 0x3fff * 0x3fff;

export interface ImportImageFolderOptions {
  /** "color" (3 channels, RGB) or "grayscale" (1 channel). Default "color". */
  imageType?: "color" | "grayscale";
  /** Output width in pixels. Default 256. */
  width?: number;
  /** Output height in pixels. Default 256. */
  height?: number;
  /** How images of another shape are fitted (see ResizeMode). Default "squash". */
  resizeMode?: ResizeMode;
  /** Percent of each class for validation. Default 25 (ignored when validationFolder is given). */
  validationPercent?: number;
  /** Percent of each class for test. Default 0 (ignored when testFolder is given). */
  testPercent?: number;
  /** Classes with fewer usable images are left out (and reported). Default 2. */
  minPerClass?: number;
  /** Use at most this many images of each class (picked by the seeded shuffle). Default: no limit. */
  maxPerClass?: number | null;
  /** A folder with the same class subfolders, used as the validation split. */
  validationFolder?: string;
  /** A folder with the same class subfolders, used as the test split. */
  testFolder?: string;
  /** Seed of the per-class shuffle and of the "fill" noise. Default 0. */
  seed?: number;
  /** Images narrower or shorter than this many pixels are skipped as "too small". Default 8. */
  minImageSide?: number;
  /** Images whose header claims more pixels are skipped as "too large", before decoding. Default 268,402,689 (16383², sharp's own limit). */
  maxImagePixels?: number;
  /** Where imports are cached. Default: $CONVLAB_CACHE_DIR, else .convlab-cache/image-folders in the working directory. */
  cacheDir?: string;
  /** Reuse (and write) the cache. Default true. */
  cache?: boolean;
  /** Keep the pixels in memory when they take at most this many bytes; larger imports are read from the cache file batch by batch. Default 512 MiB. */
  inMemoryLimit?: number;
  /** Images decoded at once. Default: twice the number of CPU cores. */
  concurrency?: number;
  /** Show progress and then the report in the notebook. Default: when running in a notebook. */
  display?: boolean;
  /** The dataset's name. Default: the folder's name. */
  name?: string;
}

/** Options after defaults; the ones that change the result form the cache key. */
export interface ResolvedImportOptions {
  imageType: "color" | "grayscale";
  width: number;
  height: number;
  resizeMode: ResizeMode;
  validationPercent: number;
  testPercent: number;
  minPerClass: number;
  maxPerClass: number | null;
  validationFolder: string | null;
  testFolder: string | null;
  seed: number;
  minImageSide: number;
  maxImagePixels: number;
}

export interface ImportSettings {
  cacheDir: string;
  cache: boolean;
  inMemoryLimit: number;
  concurrency: number;
  display: boolean | undefined;
  name: string | undefined;
}

const KNOWN = [
  "imageType", "width", "height", "resizeMode", "validationPercent", "testPercent", "minPerClass", "maxPerClass",
  "validationFolder", "testFolder", "seed", "minImageSide", "maxImagePixels", "cacheDir", "cache", "inMemoryLimit", "concurrency", "display", "name",
];

export function resolveImportOptions(options: ImportImageFolderOptions): { resolved: ResolvedImportOptions; settings: ImportSettings } {
  for (const key of Object.keys(options)) {
    if (!KNOWN.includes(key)) throw new Error(`Unknown importImageFolder option "${key}". The options are: ${KNOWN.join(", ")}.`);
  }
  const integer = (name: string, value: number, min: number, max = Infinity): number => {
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new Error(`importImageFolder: ${name} must be a whole number from ${min}${max < Infinity ? ` to ${max}` : " up"} (got ${String(value)}).`);
    }
    return value;
  };
  const percent = (name: string, value: number): number => {
    if (!(typeof value === "number" && value >= 0 && value < 100)) {
      throw new Error(`importImageFolder: ${name} must be a percentage from 0 to below 100 (got ${String(value)}); 25 means 25%.`);
    }
    return value;
  };
  const imageType = options.imageType ?? "color";
  if (imageType !== "color" && imageType !== "grayscale") {
    throw new Error(`importImageFolder: imageType must be "color" or "grayscale" (got "${String(imageType)}").`);
  }
  const resizeMode = options.resizeMode ?? "squash";
  if (!RESIZE_MODES.includes(resizeMode)) {
    throw new Error(`importImageFolder: resizeMode must be one of ${RESIZE_MODES.map((m) => `"${m}"`).join(", ")} (got "${String(resizeMode)}").`);
  }
  const validationFolder = options.validationFolder ? resolve(options.validationFolder) : null;
  const testFolder = options.testFolder ? resolve(options.testFolder) : null;
  const validationPercent = validationFolder ? 0 : percent("validationPercent", options.validationPercent ?? 25);
  const testPercent = testFolder ? 0 : percent("testPercent", options.testPercent ?? 0);
  if (validationPercent + testPercent >= 100) {
    throw new Error(
      `importImageFolder: validationPercent (${validationPercent}) and testPercent (${testPercent}) leave nothing for training; keep their sum below 100.`,
    );
  }
  const maxPerClass = options.maxPerClass ?? null;
  const resolved: ResolvedImportOptions = {
    imageType,
    width: integer("width", options.width ?? 256, 1, 8192),
    height: integer("height", options.height ?? 256, 1, 8192),
    resizeMode,
    validationPercent,
    testPercent,
    minPerClass: integer("minPerClass", options.minPerClass ?? 2, 1),
    maxPerClass: maxPerClass === null ? null : integer("maxPerClass", maxPerClass, 1),
    validationFolder,
    testFolder,
    seed: integer("seed", options.seed ?? 0, 0),
    minImageSide: integer("minImageSide", options.minImageSide ?? 8, 1),
    maxImagePixels: integer("maxImagePixels", options.maxImagePixels ?? DEFAULT_MAX_IMAGE_PIXELS, 1),
  };
  if (resolved.maxPerClass !== null && resolved.maxPerClass < resolved.minPerClass) {
    throw new Error(`importImageFolder: maxPerClass (${resolved.maxPerClass}) is below minPerClass (${resolved.minPerClass}).`);
  }
  const settings: ImportSettings = {
    cacheDir: resolve(options.cacheDir ?? process.env.CONVLAB_CACHE_DIR ?? ".convlab-cache", options.cacheDir || process.env.CONVLAB_CACHE_DIR ? "" : "image-folders"),
    cache: options.cache ?? true,
    inMemoryLimit: options.inMemoryLimit ?? 512 * 2 ** 20,
    concurrency: integer("concurrency", options.concurrency ?? Math.max(2, 2 * cpus().length), 1, 256),
    display: options.display,
    name: options.name,
  };
  return { resolved, settings };
}
