/**
 * sharp (libvips), loaded on first use: every package that decodes or
 * encodes an image (charts' PNGs, sample grids, the image-folder importer)
 * gets it here. It is a native library that takes a while to load, so only
 * code that works on an image pays for it: importing the library, or
 * evaluating a model, does not.
 */
import type SharpModule from "sharp";

let loaded: typeof SharpModule | undefined;

export async function loadSharp(): Promise<typeof SharpModule> {
  loaded ??= (await import("sharp")).default;
  return loaded;
}
