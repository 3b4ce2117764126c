/**
 * Turning one image file into width × height × channels bytes.
 *
 * sharp (libvips) decodes JPEG, PNG, WebP, GIF (first frame), TIFF (first
 * page) and AVIF. This build of sharp has no BMP decoder (BMP goes through
 * ImageMagick in libvips, which the prebuilt sharp leaves out), so BMP files
 * are decoded by bmp-ts and handed to sharp as raw pixels.
 *
 * As in DIGITS, transparent pixels are composited onto white and grayscale
 * uses ITU-R 601 luma (L = 0.299 R + 0.587 G + 0.114 B, as PIL's convert("L")).
 * Unlike DIGITS, EXIF orientation is applied, so phone photos stand upright.
 *
 * Every decoder is held to one pixel limit (maxImagePixels, by default the
 * one sharp applies), checked against the size the file's header claims
 * before any pixel is decoded: a small file can claim a huge image (a
 * "decompression bomb", e.g. a 1 kB run-length-encoded BMP of 30000×30000).
 */
import { loadSharp } from "../../../display/sharp";
import type { Metadata, Sharp } from "sharp";
import { decode as decodeBmp } from "bmp-ts";
import { applyResize, planResize } from "./resize";
import type { ResolvedImportOptions } from "./options";

/** File extensions that are tried as images; anything else is "unsupported format". */
export const IMAGE_EXTENSIONS = [".jpg", ".jpeg", ".jpe", ".jfif", ".png", ".bmp", ".webp", ".gif", ".tif", ".tiff", ".avif"];

export type SkipReason = "unreadable or corrupt" | "unsupported format" | "too small" | "too large" | "duplicate" | "not in a class folder" | "unknown class";

/** A file that could not be used, and why. */
export class SkipError extends Error {
  constructor(
    readonly reason: SkipReason,
    detail: string,
  ) {
    super(detail);
  }
}

export interface DecodedImage {
  pixels: Buffer;
  sourceWidth: number;
  sourceHeight: number;
  format: string;
}

function isBmp(bytes: Buffer): boolean {
  return bytes.length >= 2 && bytes[0] === 0x42 && bytes[1] === 0x4d; // "BM"
}

/**
 * The width and height a BMP's header claims: BITMAPCOREHEADER (12 bytes,
 * 16-bit sizes) or any later header (32-bit sizes; a negative height means
 * top-down rows). Undefined if the header is cut short.
 */
export function bmpHeaderSize(bytes: Buffer): { width: number; height: number } | undefined {
  if (bytes.length < 26) return undefined;
  const headerSize = bytes.readUInt32LE(14);
  if (headerSize === 12) return { width: bytes.readUInt16LE(18), height: bytes.readUInt16LE(20) };
  return { width: bytes.readInt32LE(18), height: Math.abs(bytes.readInt32LE(22)) };
}

/** Refuses an image bigger than the limit, before it is decoded. */
function checkPixels(width: number, height: number, maxPixels: number): void {
  if (width * height > maxPixels) {
    throw new SkipError(
      "too large",
      `its header claims ${width}×${height} pixels, more than maxImagePixels (${maxPixels.toLocaleString("en-US")}); ` +
        "a file that small claiming that much is usually damaged or a decompression bomb",
    );
  }
}

async function open(bytes: Buffer, maxPixels: number): Promise<{ image: Sharp; width: number; height: number; format: string }> {
  const sharp = await loadSharp();
  if (isBmp(bytes)) {
    const claimed = bmpHeaderSize(bytes);
    if (!claimed || !(claimed.width > 0 && claimed.height > 0)) throw new SkipError("unreadable or corrupt", "BMP header: no valid image size");
    checkPixels(claimed.width, claimed.height, maxPixels);
    let bmp;
    try {
      bmp = decodeBmp(bytes, { toRGBA: true });
    } catch (error) {
      throw new SkipError("unreadable or corrupt", `BMP decoder: ${(error as Error).message}`);
    }
    const width = bmp.width;
    const height = Math.abs(bmp.height);
    if (!(width > 0 && height > 0) || bmp.data.length < width * height * 4) {
      throw new SkipError("unreadable or corrupt", `BMP decoder: the pixel data does not fill ${width}×${height}`);
    }
    // BMP alpha is usually unset (0) even in opaque 32-bit files, so it is dropped.
    const rgb = Buffer.alloc(width * height * 3);
    for (let i = 0, j = 0; j < rgb.length; i += 4, j += 3) {
      rgb[j] = bmp.data[i];
      rgb[j + 1] = bmp.data[i + 1];
      rgb[j + 2] = bmp.data[i + 2];
    }
    return { image: sharp(rgb, { raw: { width, height, channels: 3 } }), width, height, format: "bmp" };
  }
  let metadata: Metadata;
  try {
    // Reads the header only; the size it claims is checked below, with a clear message.
    metadata = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (error) {
    const message = (error as Error).message;
    if (/unsupported image format/i.test(message)) throw new SkipError("unsupported format", "its content is not JPEG, PNG, BMP, WebP, GIF, TIFF or AVIF (another format, or a damaged file)");
    throw new SkipError("unreadable or corrupt", firstLine(message));
  }
  if (!metadata.width || !metadata.height) throw new SkipError("unreadable or corrupt", "the image has no size");
  checkPixels(metadata.width, metadata.height, maxPixels);
  // EXIF orientations 5-8 swap width and height.
  const swapped = (metadata.orientation ?? 1) >= 5;
  const width = swapped ? metadata.height : metadata.width;
  const height = swapped ? metadata.width : metadata.height;
  // sharp's default failOn ("warning") rejects truncated files instead of filling them with grey.
  const image = sharp(bytes, { limitInputPixels: maxPixels })
    .autoOrient()
    .flatten({ background: { r: 255, g: 255, b: 255 } })
    .toColourspace("srgb");
  return { image, width, height, format: metadata.format ?? "unknown" };
}

/** Decodes, checks the size of, and resizes one image file's bytes. */
export async function decodeImage(bytes: Buffer, options: ResolvedImportOptions, noiseSeed: number): Promise<DecodedImage> {
  if (bytes.length === 0) throw new SkipError("unreadable or corrupt", "the file is empty");
  const { image, width, height, format } = await open(bytes, options.maxImagePixels);
  if (width < options.minImageSide || height < options.minImageSide) {
    throw new SkipError("too small", `${width}×${height} pixels; minImageSide is ${options.minImageSide}`);
  }
  const plan = planResize(width, height, options.width, options.height, options.resizeMode);
  let rgb: Buffer;
  try {
    rgb = await applyResize(image, plan, options.width, options.height, noiseSeed);
  } catch (error) {
    throw new SkipError("unreadable or corrupt", firstLine((error as Error).message));
  }
  if (rgb.length !== options.width * options.height * 3) {
    throw new SkipError("unreadable or corrupt", `decoding gave ${rgb.length} bytes, expected ${options.width * options.height * 3}`);
  }
  const pixels = options.imageType === "grayscale" ? toLuma(rgb) : rgb;
  return { pixels, sourceWidth: width, sourceHeight: height, format };
}

/** PIL's convert("L"): (R·19595 + G·38470 + B·7471 + 2¹⁵) >> 16. */
function toLuma(rgb: Buffer): Buffer {
  const out = Buffer.alloc(rgb.length / 3);
  for (let i = 0, j = 0; i < out.length; i++, j += 3) {
    out[i] = (rgb[j] * 19595 + rgb[j + 1] * 38470 + rgb[j + 2] * 7471 + 0x8000) >> 16;
  }
  return out;
}

/** libvips's messages span lines and repeat themselves: keep each distinct line once. */
function firstLine(text: string): string {
  const lines = [...new Set(text.split("\n").map((l) => l.trim()).filter(Boolean))];
  const useful = lines.filter((l) => !/treated as error due to failOn/.test(l));
  if (useful.length === 0 && lines.length > 0) return "the image data is damaged or cut short (the decoder stopped with a warning)";
  return useful.join("; ").slice(0, 240);
}
