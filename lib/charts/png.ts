/** SVG → PNG with sharp (librsvg), for slides, classic viewers and image grids. */
import { loadSharp } from "../display/sharp";

export interface PNGOptions {
  /** Pixels per SVG pixel. Default 2: crisp on high-density screens and slides. */
  scale?: number;
  /** Paint this CSS colour behind a transparent chart, e.g. "#ffffff" for slides. Default: keep transparency. */
  background?: string;
}

export async function svgToPNG(svg: string, options: PNGOptions = {}): Promise<Buffer> {
  const sharp = await loadSharp();
  const scale = options.scale ?? 2;
  if (!(scale > 0 && scale <= 16)) {
    throw new Error(`PNG scale must be a number between 0 and 16 (got ${String(scale)}); 2 suits most slides.`);
  }
  // sharp reads SVG at 72 DPI by default: 72 × scale DPI gives `scale`
  // output pixels per SVG pixel.
  let image = sharp(Buffer.from(svg), { density: 72 * scale });
  if (options.background) image = image.flatten({ background: options.background });
  return image.png().toBuffer();
}
