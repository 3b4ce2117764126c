/**
 * Text measurement for server-side rendering.
 *
 * In a browser vega measures labels on a canvas. In Node it has no canvas and
 * guesses 0.8 × font size per character, about 50% too wide for most text:
 * axis titles drift away from their labels and legend labels get truncated
 * early. Instead we read real advance widths (with kerning) from DejaVu Sans,
 * the font the themes name first and the one librsvg (sharp) and most Linux
 * systems draw "sans-serif" with. Verdana, the themes' second choice for
 * Windows and macOS, has nearly the same widths. Without the font file vega's
 * estimate stays in place: charts still render, with looser layout.
 */
import { existsSync, readFileSync } from "node:fs";
import * as vega from "vega";
import { parse, type Font, type Glyph } from "opentype.js";

/** Where Debian's fonts-dejavu-core (and most distributions) put DejaVu Sans. */
const FONT_DIRECTORIES = [
  "/usr/share/fonts/truetype/dejavu",
  "/usr/share/fonts/dejavu",
  "/usr/share/fonts/TTF",
  "/usr/local/share/fonts",
  "/Library/Fonts",
];

interface FontPair {
  regular: Font;
  bold: Font;
}

let installed = false;
let fonts: FontPair | undefined;

/** Replaces vega's text width estimate with DejaVu Sans metrics, once per process. */
export function installTextMetrics(): void {
  if (installed) return;
  installed = true;
  fonts = loadFonts();
  if (!fonts) return;
  const measured = fonts;
  const cache = new Map<string, number>();
  const metrics = (vega as unknown as { textMetrics: { width: (item: TextItem, text?: unknown) => number } }).textMetrics;
  metrics.width = (item: TextItem, text?: unknown) => {
    const value = text == null ? "" : String(text).trim();
    const size = item.fontSize != null ? Number(item.fontSize) || 0 : 11;
    if (!value || size <= 0) return 0;
    const bold = isBold(item.fontWeight);
    const key = `${bold ? "b" : "r"}${size}|${value}`;
    let width = cache.get(key);
    if (width === undefined) {
      width = advanceWidth(bold ? measured.bold : measured.regular, value, size);
      // Labels are few and repeat; a bound keeps long live sessions flat.
      if (cache.size > 20_000) cache.clear();
      cache.set(key, width);
    }
    // Vega truncates labels longer than `limit` with an ellipsis; the drawn
    // text is then at most `limit` wide.
    const limit = Number(item.limit) || 0;
    return limit > 0 ? Math.min(width, limit) : width;
  };
}

/** True when labels are measured with real font metrics rather than estimated. */
export function usesFontMetrics(): boolean {
  installTextMetrics();
  return fonts !== undefined;
}

interface TextItem {
  fontSize?: number | string;
  fontWeight?: string | number;
  limit?: number;
}

function isBold(weight: string | number | undefined): boolean {
  if (weight === undefined) return false;
  if (typeof weight === "number") return weight >= 600;
  return weight === "bold" || weight === "bolder" || Number(weight) >= 600;
}

function advanceWidth(font: Font, text: string, size: number): number {
  // Per-glyph advances plus pair kerning; opentype.js's full shaping
  // (getAdvanceWidth) rejects some of DejaVu's substitution tables.
  let units = 0;
  let previous: Glyph | undefined;
  for (const char of text) {
    const glyph = font.charToGlyph(char);
    units += glyph.advanceWidth ?? font.unitsPerEm * 0.6;
    if (previous) units += font.getKerningValue(previous, glyph);
    previous = glyph;
  }
  return (units / font.unitsPerEm) * size;
}

function loadFonts(): FontPair | undefined {
  const regular = findFontFile("DejaVuSans.ttf");
  if (!regular) return undefined;
  try {
    const regularFont = readFont(regular);
    const boldPath = findFontFile("DejaVuSans-Bold.ttf");
    return { regular: regularFont, bold: boldPath ? readFont(boldPath) : regularFont };
  } catch {
    return undefined;
  }
}

function findFontFile(name: string): string | undefined {
  for (const dir of FONT_DIRECTORIES) {
    const path = `${dir}/${name}`;
    if (existsSync(path)) return path;
  }
  return undefined;
}

function readFont(path: string): Font {
  const bytes = readFileSync(path);
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return parse(buffer, { lowMemory: true });
}
