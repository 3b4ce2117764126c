/**
 * Reading an image file the way jetson-utils' loadImage does
 * (cpp/image/imageIO.cpp in dusty-nv/jetson-utils): stbi_load asking for 3
 * channels (IMAGE_RGB8, what imagenet and detectnet capture), which
 *
 * - repeats a gray channel into R, G and B,
 * - drops alpha without blending (a transparent pixel keeps its hidden colour),
 * - ignores EXIF orientation (a phone photo may arrive on its side).
 *
 * sharp decodes here with the same three rules. PNG, BMP and GIF decode to the
 * same bytes; JPEG decoders may differ by a level or two in a few pixels
 * (stb_image and libjpeg-turbo upsample colour differently).
 */
import { readFileSync } from "node:fs";
import { loadSharp } from "../../display/sharp";
import type { RgbImage } from "./preprocess";

export async function loadImageLikeJetson(source: string | Uint8Array): Promise<RgbImage> {
  const sharp = await loadSharp();
  const bytes = typeof source === "string" ? readFileSync(source) : Buffer.from(source);
  let decoded;
  try {
    // No .autoOrient(): stb_image does not read EXIF. removeAlpha drops alpha as stbi_load(…, 3) does.
    decoded = await sharp(bytes).toColourspace("srgb").removeAlpha().raw({ depth: "uchar" }).toBuffer({ resolveWithObject: true });
  } catch (error) {
    const name = typeof source === "string" ? source : "the image";
    throw new Error(`Could not decode ${name} as an image (${(error as Error).message.split("\n")[0]}). jetson-inference reads JPEG, PNG, BMP, GIF and TGA files.`, {
      cause: error,
    });
  }
  const { data, info } = decoded;
  if (info.channels !== 3) throw new Error(`Internal: decoding gave ${info.channels} channels, expected 3.`);
  return { rgb: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
}
