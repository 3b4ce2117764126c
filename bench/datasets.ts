/**
 * `npm run bench -- datasets [--stream-images N]`: load times of the bundled
 * datasets, image-folder import throughput (2,000 images at 28×28 and at
 * 224×224, cold and cached), and the peak RSS of streaming a 20,000-image
 * folder from its on-disk cache.
 *
 * The image folders are made from real Fashion-MNIST images: 28×28
 * grayscale PNGs as they are, and 224×224 (or 128×128 for the streaming
 * folder) colour JPEGs enlarged from them with a per-class tint.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import type { Benchmark } from "./run";
import { numberFlag } from "./support/options";
import { Dataset } from "../lib/data";
import { importImageFolder, loadFashionMnist, loadMnist } from "../lib/data/sources";
import { median } from "./support/median";


async function time<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = process.hrtime.bigint();
  const value = await fn();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, value };
}

/** Writes `count` images of the Fashion-MNIST training set into class folders. */
async function writeFolder(source: Dataset, dir: string, count: number, size: number, format: "png" | "jpeg"): Promise<void> {
  for (const name of source.classNames) mkdirSync(join(dir, name.replace(/[^A-Za-z]+/g, "_")), { recursive: true });
  const indices = source.indices("train").slice(0, count);
  const tints = source.classNames.map((_, c) => [1 - (c % 3) * 0.3, 1 - (c % 4) * 0.2, 0.5 + (c % 2) * 0.5]);
  const work: Promise<unknown>[] = [];
  for (let i = 0; i < indices.length; i++) {
    const index = indices[i];
    const label = source.labels[index];
    const pixels = await source.readImages([index]);
    const folder = join(dir, source.classNames[label].replace(/[^A-Za-z]+/g, "_"));
    let image = sharp(pixels, { raw: { width: 28, height: 28, channels: 1 } });
    if (format === "jpeg") {
      const rgb = Buffer.alloc(28 * 28 * 3);
      for (let p = 0; p < 784; p++) for (let c = 0; c < 3; c++) rgb[p * 3 + c] = Math.round(pixels[p] * tints[label][c]);
      image = sharp(rgb, { raw: { width: 28, height: 28, channels: 3 } }).resize(size, size, { kernel: "cubic" }).jpeg({ quality: 90 });
    } else {
      image = image.png();
    }
    work.push(image.toFile(join(folder, `${String(i).padStart(5, "0")}.${format === "png" ? "png" : "jpg"}`)));
    if (work.length >= 16) await Promise.all(work.splice(0));
  }
  await Promise.all(work);
}

async function importThroughput(folder: string, cacheDir: string, options: { width: number; height: number; imageType: "color" | "grayscale" }) {
  const cold = await time(() => importImageFolder(folder, { ...options, cacheDir }));
  const cached = await time(() => importImageFolder(folder, { ...options, cacheDir }));
  const images = cold.value.size();
  const report = cached.value.report as { cache: { hit: boolean } };
  return {
    images,
    coldSeconds: +(cold.ms / 1000).toFixed(3),
    coldImagesPerSecond: Math.round(images / (cold.ms / 1000)),
    cachedSeconds: +(cached.ms / 1000).toFixed(3),
    cachedImagesPerSecond: Math.round(images / (cached.ms / 1000)),
    secondImportHitCache: report.cache.hit,
  };
}

const benchmark: Benchmark = {
  description: "bundled dataset load times, image-folder import throughput (cold/cached), streaming peak RSS",
  options: { "stream-images": "N: images in the streamed folder (default 20000)" },
  async run(flags) {
    const streamImages = numberFlag(flags, "stream-images", 20_000);
    const result: Record<string, unknown> = { machine: "2 cores, shared with other work: expect noise" };

    // Load times: the first load in this process, then the median of three more.
    const mnistTimes: number[] = [];
    const fashionTimes: number[] = [];
    for (let i = 0; i < 4; i++) mnistTimes.push((await time(() => loadMnist())).ms);
    for (let i = 0; i < 4; i++) fashionTimes.push((await time(() => loadFashionMnist())).ms);
    const unverified = (await time(() => loadFashionMnist({ verify: false }))).ms;
    result.mnistLoadMs = { first: Math.round(mnistTimes[0]), median: Math.round(median(mnistTimes.slice(1))), target: "< 1000" };
    result.fashionMnistLoadMs = {
      first: Math.round(fashionTimes[0]),
      median: Math.round(median(fashionTimes.slice(1))),
      withoutChecksum: Math.round(unverified),
      target: "< 3000",
    };

    const work = mkdtempSync(join(tmpdir(), "convlab-bench-datasets-"));
    try {
      const fashion = await loadFashionMnist({ validation: 0 });
      const folder28 = join(work, "fashion28");
      const folder224 = join(work, "fashion224");
      await writeFolder(fashion, folder28, 2000, 28, "png");
      await writeFolder(fashion, folder224, 2000, 224, "jpeg");
      result.import28x28Grayscale = await importThroughput(folder28, join(work, "cache"), { width: 28, height: 28, imageType: "grayscale" });
      result.import224x224Color = await importThroughput(folder224, join(work, "cache"), { width: 224, height: 224, imageType: "color" });

      // Streaming: import once (cold), then stream one epoch in a fresh process, from disk and (for contrast) from memory.
      const folderStream = join(work, "stream");
      const side = 128;
      await writeFolder(fashion, folderStream, streamImages, side, "jpeg");
      const cacheDir = join(work, "stream-cache");
      const imported = await time(() => importImageFolder(folderStream, { width: side, height: side, validationPercent: 0, cacheDir, inMemoryLimit: 0 }));
      const child = (inMemoryLimit: number) =>
        JSON.parse(
          execFileSync(process.execPath, [join(__dirname, "support", "datasets-stream.js"), folderStream, cacheDir, String(side), String(side), String(inMemoryLimit)], {
            encoding: "utf8",
            maxBuffer: 1 << 20,
          })
            .trim()
            .split("\n")
            .pop()!,
        ) as Record<string, unknown>;
      result.streaming = {
        images: imported.value.size(),
        imageShape: [side, side, 3],
        importSeconds: +(imported.ms / 1000).toFixed(1),
        fromDisk: child(0),
        inMemoryForContrast: child(Number.MAX_SAFE_INTEGER),
      };
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
    return result;
  },
};

export default benchmark;
