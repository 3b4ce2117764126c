/**
 * A dataset's summary: where it came from, its size and shape, its splits,
 * pixel statistics, the normalization it applies, class counts and a few
 * samples. What `display(dataset)` shows.
 */
import { DISPLAY, MimeBundle } from "../display";
import type { Dataset } from "./dataset";
import { SPLIT_NAMES, type SplitName } from "./split-names";
import { ClassCounts } from "./class-counts";
import { describeNormalization } from "./normalization";
import { escapeHtml, formatBytes, formatCount, htmlTable, keyValueTable } from "../display/html";
import { createRandom, mixSeeds, shuffleInPlace } from "./random";
import { SampleGrid, sampleGrid } from "./sample-grid";

export interface PixelStatistics {
  /** Images the statistics were computed over. */
  images: number;
  min: number;
  max: number;
  /** Per channel, on the raw 0-255 scale. */
  mean: number[];
  std: number[];
}

export interface SplitSummary {
  split: SplitName;
  size: number;
  origin: string | undefined;
  pixels: PixelStatistics;
}

export interface SummaryOptions {
  /** Pixel statistics use at most this many images per split (a seeded sample). Default 10,000. */
  maxImages?: number;
  /** Include a strip of sample images in the display. Default true. */
  samples?: boolean;
}

export class DatasetSummary {
  constructor(
    readonly name: string,
    readonly source: string | undefined,
    readonly license: string | undefined,
    readonly shape: readonly number[],
    readonly classNames: readonly string[],
    readonly splits: SplitSummary[],
    readonly storage: string,
    readonly normalization: string,
    readonly classCounts: ClassCounts,
    readonly samples: SampleGrid | undefined,
  ) {}

  get size(): number {
    return this.splits.reduce((sum, s) => sum + s.size, 0);
  }

  toString(): string {
    const [h, w, c] = this.shape;
    const lines = [
      `${this.name}: ${formatCount(this.size)} images, ${h}×${w}×${c} (${c === 1 ? "grayscale" : "color"}), ${this.classNames.length} classes`,
      ...(this.source ? [`source: ${this.source}`] : []),
      ...(this.license ? [`license: ${this.license}`] : []),
      `stored: ${this.storage}`,
      `normalization: ${this.normalization}`,
      ...this.splits.map(
        (s) =>
          `${s.split}: ${formatCount(s.size)} images${s.origin ? ` (${s.origin})` : ""}; pixels min ${s.pixels.min}, max ${s.pixels.max}, ` +
          `mean ${s.pixels.mean.map((m) => m.toFixed(2)).join("/")}, std ${s.pixels.std.map((m) => m.toFixed(2)).join("/")}` +
          (s.pixels.images < s.size ? ` (from ${formatCount(s.pixels.images)} sampled images)` : ""),
      ),
      `classes: ${this.classNames.join(", ")}`,
    ];
    return lines.join("\n");
  }

  toHtml(): string {
    const [h, w, c] = this.shape;
    const facts: [string, string][] = [
      ["images", `${formatCount(this.size)}`],
      ["shape", `${h} × ${w} × ${c} (${c === 1 ? "grayscale" : "color"})`],
      ["classes", `${this.classNames.length}: ${this.classNames.join(", ")}`],
      ["normalization", this.normalization],
      ["stored", this.storage],
    ];
    if (this.source) facts.unshift(["source", this.source]);
    if (this.license) facts.splice(1, 0, ["license", this.license]);
    const splitRows = this.splits.map((s) => [
      s.split,
      s.size,
      s.pixels.min,
      s.pixels.max,
      s.pixels.mean.map((m) => m.toFixed(2)).join(" / "),
      s.pixels.std.map((m) => m.toFixed(2)).join(" / "),
      (s.origin ?? "") + (s.pixels.images < s.size ? ` (pixel statistics from ${formatCount(s.pixels.images)} sampled images)` : ""),
    ]);
    return (
      `<div style="font-family:sans-serif">` +
      `<div style="font-size:15px;font-weight:bold;margin-bottom:4px">${escapeHtml(this.name)}</div>` +
      keyValueTable(facts) +
      htmlTable(["split", "images", "min", "max", "mean (0-255)", "std", "made by"], splitRows, "Splits and pixel statistics (raw 0-255 values)") +
      this.classCounts.toHtml() +
      (this.samples ? `<div style="margin-top:6px">${this.samples.toHtml()}</div>` : "") +
      `</div>`
    );
  }

  [DISPLAY](): MimeBundle {
    return { "text/html": this.toHtml(), "text/plain": this.toString() };
  }
}

/** Raw pixel statistics of a split, over at most `maxImages` images picked with a fixed seed. */
export async function pixelStatistics(dataset: Dataset, split: SplitName, maxImages = 10_000): Promise<PixelStatistics> {
  let indices = Array.from(dataset.indices(split));
  if (indices.length > maxImages) indices = shuffleInPlace(indices, createRandom(mixSeeds(5))).slice(0, maxImages).sort((a, b) => a - b);
  const channels = dataset.channels;
  const sums = new Float64Array(channels);
  const squares = new Float64Array(channels);
  let min = 255;
  let max = 0;
  const chunk = 1024;
  for (let start = 0; start < indices.length; start += chunk) {
    const pixels = await dataset.readImages(indices.slice(start, start + chunk));
    for (let i = 0; i < pixels.length; i++) {
      const v = pixels[i];
      if (v < min) min = v;
      if (v > max) max = v;
      sums[i % channels] += v;
      squares[i % channels] += v * v;
    }
  }
  const perChannel = indices.length * dataset.height * dataset.width;
  if (perChannel === 0) return { images: 0, min: 0, max: 0, mean: [], std: [] };
  const mean = Array.from(sums, (s) => s / perChannel);
  const std = Array.from(squares, (sq, ch) => Math.sqrt(Math.max(0, sq / perChannel - mean[ch] ** 2)));
  return { images: indices.length, min, max, mean, std };
}

export async function summarize(dataset: Dataset, options: SummaryOptions = {}): Promise<DatasetSummary> {
  const splits: SplitSummary[] = [];
  for (const split of SPLIT_NAMES) {
    const size = dataset.size(split);
    if (size === 0) continue;
    splits.push({ split, size, origin: dataset.splitOrigin(split), pixels: await pixelStatistics(dataset, split, options.maxImages) });
  }
  const stored = dataset.pixels.memory
    ? `in memory, ${formatBytes(dataset.pixels.memory.length)} as uint8`
    : `on disk, ${formatBytes(dataset.pixels.count * dataset.pixels.imageBytes)} in ${dataset.pixels.location}, read batch by batch`;
  const samples =
    (options.samples ?? true) && dataset.size() > 0
      ? await sampleGrid(dataset, { count: Math.min(16, dataset.size(dataset.splitNames[0])), columns: 16, tileSize: Math.max(40, Math.min(64, dataset.height)) })
      : undefined;
  return new DatasetSummary(
    dataset.name,
    dataset.source?.description,
    dataset.source?.license,
    dataset.shape,
    dataset.classNames,
    splits,
    stored,
    describeNormalization(dataset.normalization),
    ClassCounts.of(dataset),
    samples,
  );
}
