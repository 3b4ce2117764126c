/** Shared test helpers: temporary folders, small synthetic datasets, a fake notebook host. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { Dataset, MemoryPixelStore, SplitName } from "../../lib/data";
import { HOST, MimeBundle, NotebookHost, DisplayOptions } from "../../lib/display";

export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), `convlab-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/**
 * A dataset of `perClass` images per class whose pixels encode their index
 * (pixel k of image i is (i * 7 + k) % 256), all in "train".
 */
export function syntheticDataset(classes: number, perClass: number, shape: [number, number, number] = [4, 4, 1]): Dataset {
  const count = classes * perClass;
  const imageBytes = shape[0] * shape[1] * shape[2];
  const pixels = new Uint8Array(count * imageBytes);
  for (let i = 0; i < count; i++) for (let k = 0; k < imageBytes; k++) pixels[i * imageBytes + k] = (i * 7 + k) % 256;
  const labels = Int32Array.from({ length: count }, (_, i) => i % classes);
  return new Dataset({
    name: "synthetic",
    shape,
    classNames: Array.from({ length: classes }, (_, c) => `class ${c}`),
    pixels: new MemoryPixelStore(pixels, imageBytes),
    labels,
    splits: { train: Int32Array.from({ length: count }, (_, i) => i) },
  });
}

/** Writes an RGB image whose pixel colour is fn(x, y). */
export async function writeImage(
  path: string,
  width: number,
  height: number,
  fn: (x: number, y: number) => [number, number, number],
  format: "png" | "jpeg" | "webp" | "gif" | "tiff" = "png",
): Promise<void> {
  const raw = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) raw.set(fn(x, y), (y * width + x) * 3);
  }
  const image = sharp(raw, { raw: { width, height, channels: 3 } });
  const encoded = format === "jpeg" ? image.jpeg({ quality: 95 }) : format === "png" ? image.png() : image[format]();
  await encoded.toFile(path);
}

export interface FakeHost extends NotebookHost {
  outputs: { bundle: MimeBundle; options?: DisplayOptions }[];
}

/** Installs a fake NotebookHost that records displays; returns it and a function to remove it. */
export function installFakeHost(): { host: FakeHost; uninstall(): void } {
  const controller = new AbortController();
  const host: FakeHost = {
    outputs: [],
    display(bundle, options) {
      host.outputs.push({ bundle, options });
    },
    clearOutput() {},
    signal: controller.signal,
    input: async () => "",
    headless: false,
  };
  const global = globalThis as Record<symbol, unknown>;
  global[HOST] = host;
  return { host, uninstall: () => delete global[HOST] };
}

export function splitOf(dataset: Dataset, split: SplitName): number[] {
  return Array.from(dataset.indices(split));
}
