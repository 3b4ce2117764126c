/**
 * importImageFolder(): any folder of images, one subfolder per class,
 * becomes a Dataset, the way DIGITS's "New Image Classification Dataset"
 * form does it:
 *
 *     const flowers = await importImageFolder("data/flowers", { width: 64, height: 64, resizeMode: "crop" });
 *
 * Bad files never stop the import: each is skipped and listed with its
 * reason in `dataset.report`. The decoded result is cached, so importing the
 * same folder again with the same options reads no image.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdir, open, readFile, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, extname, join } from "node:path";
import { loadSharp } from "../../../display/sharp";
import { displayBundle, inNotebook, MimeBundle, wasInterrupted } from "../../../display";
import { Dataset, SPLIT_NAMES, SplitName } from "../../dataset";
import { FilePixelStore, MemoryPixelStore, PixelStore } from "../../pixel-store";
import { ProgressLine } from "../../progress";
import { createRandom, mixSeeds, shuffleInPlace } from "../../random";
import { CacheIndex, IMPORT_FORMAT_VERSION, INDEX_FILE, PIXELS_FILE, cacheKey, readCache } from "./cache";
import { IMAGE_EXTENSIONS, SkipError, decodeImage } from "./decode";
import { ImportImageFolderOptions, ResolvedImportOptions, resolveImportOptions } from "./options";
import { ClassReport, DroppedClass, DuplicateGroup, ImportReport, ImportReportData, SkippedFile } from "./report";
import { ImportError, ScannedFile, ScannedFolder, scanFolder } from "./scan";
import { countByReason } from "../report-text";

interface Source {
  role: "folder" | "validation folder" | "test folder";
  /** The split its images go to; null for the main folder (split by percentages). */
  split: SplitName | null;
  scanned: ScannedFolder;
}

interface Candidate {
  source: number;
  /** Index into the main folder's classes. */
  classIndex: number;
  file: ScannedFile;
}

interface Stored {
  source: number;
  classIndex: number;
  file: ScannedFile;
  sha256: string;
  /** Position in the pixel file as written. */
  position: number;
}

export async function importImageFolder(folder: string, options: ImportImageFolderOptions = {}): Promise<Dataset> {
  const started = Date.now();
  const { resolved, settings } = resolveImportOptions(options);
  const main = await scanFolder(folder, "image folder");
  const name = settings.name ?? basename(main.root);
  checkClasses(main);

  const sources: Source[] = [{ role: "folder", split: null, scanned: main }];
  if (resolved.validationFolder) sources.push({ role: "validation folder", split: "validation", scanned: await scanFolder(resolved.validationFolder, "validation folder") });
  if (resolved.testFolder) sources.push({ role: "test folder", split: "test", scanned: await scanFolder(resolved.testFolder, "test folder") });

  const key = cacheKey(resolved, sources.map((s) => s.scanned));
  const show = settings.display ?? inNotebook();
  const cacheDir = settings.cache ? join(settings.cacheDir, `${safeName(name)}-${key}`) : null;

  if (cacheDir) {
    const index = await readCache(cacheDir, key);
    if (index) {
      const dataset = await datasetFromCache(cacheDir, index, true, settings.inMemoryLimit);
      if (show) displayBundle(bundleOf(dataset.report as ImportReport));
      return dataset;
    }
  }

  // Nothing cached: decode everything into a fresh folder, then move it into place.
  const workDir = cacheDir ? `${cacheDir}.tmp-${process.pid}-${randomBytes(4).toString("hex")}` : join(tmpdir(), `convlab-import-${randomBytes(6).toString("hex")}`);
  await mkdir(workDir, { recursive: true });
  try {
    const index = await decodeAll({ name, key, sources, options: resolved, concurrency: settings.concurrency, workDir, show, started, cacheDir });
    let finalDir = workDir;
    if (cacheDir) {
      await rm(cacheDir, { recursive: true, force: true });
      await rename(workDir, cacheDir);
      finalDir = cacheDir;
    }
    const dataset = await datasetFromCache(finalDir, index, false, cacheDir ? settings.inMemoryLimit : Infinity);
    if (!cacheDir) await rm(workDir, { recursive: true, force: true });
    return dataset;
  } catch (error) {
    await rm(workDir, { recursive: true, force: true });
    throw error;
  }
}

function bundleOf(report: ImportReport): MimeBundle {
  return { "text/html": report.toHtml(), "text/plain": report.toString() };
}

function checkClasses(main: ScannedFolder): void {
  const root = main.root;
  if (main.classes.length < 2) {
    const found = main.classes.length === 0 ? "no subfolders" : `only one subfolder (${main.classes[0].folder})`;
    throw new ImportError(
      `${root} has ${found}. An image classification dataset needs at least 2 classes, one subfolder each, ` +
        `for example ${join(root, "cat", "1.jpg")} and ${join(root, "dog", "1.jpg")}.`,
      root,
    );
  }
  for (const c of main.classes) {
    if (c.files.length === 0) {
      throw new ImportError(`The class folder ${c.path} is empty. Add images of "${c.label}" to it, or remove the folder.`, c.path);
    }
  }
}

function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, "_").slice(0, 40) || "images";
}

/** Splits a source's files into candidates to decode and files skipped without reading. */
function candidatesOf(sources: Source[], skipped: SkippedFile[]): Candidate[] {
  const classByFolder = new Map(sources[0].scanned.classes.map((c, i) => [c.folder, i]));
  const candidates: Candidate[] = [];
  sources.forEach((source, sourceIndex) => {
    for (const file of source.scanned.strayFiles) {
      skipped.push({ path: file.relativePath, folder: source.role, reason: "not in a class folder", detail: "files must be inside a class subfolder" });
    }
    for (const c of source.scanned.classes) {
      const classIndex = classByFolder.get(c.folder);
      for (const file of c.files) {
        if (classIndex === undefined) {
          skipped.push({ path: file.relativePath, folder: source.role, reason: "unknown class", detail: `the main folder has no class folder "${c.folder}"` });
        } else if (!IMAGE_EXTENSIONS.includes(extname(file.path).toLowerCase())) {
          skipped.push({
            path: file.relativePath,
            folder: source.role,
            reason: "unsupported format",
            detail: `"${extname(file.path) || "no extension"}" is not one of ${IMAGE_EXTENSIONS.join(" ")}`,
          });
        } else {
          candidates.push({ source: sourceIndex, classIndex, file });
        }
      }
    }
  });
  return candidates;
}

type Decoded = { ok: true; sha256: string; pixels: Buffer } | { ok: false; reason: SkipError["reason"]; detail: string; sha256?: string };

async function decodeCandidate(candidate: Candidate, options: ResolvedImportOptions): Promise<Decoded> {
  let bytes: Buffer;
  try {
    bytes = await readFile(candidate.file.path);
  } catch (error) {
    return { ok: false, reason: "unreadable or corrupt", detail: `cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` };
  }
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  try {
    // The noise of "fill" depends on the seed and the file's bytes only.
    const decoded = await decodeImage(bytes, options, mixSeeds(options.seed, parseInt(sha256.slice(0, 8), 16)));
    return { ok: true, sha256, pixels: decoded.pixels };
  } catch (error) {
    if (error instanceof SkipError) return { ok: false, reason: error.reason, detail: error.message, sha256 };
    return { ok: false, reason: "unreadable or corrupt", detail: (error as Error).message.split("\n")[0], sha256 };
  }
}

/** One import that found nothing cached: what decodeAll works on. */
interface ImportJob {
  name: string;
  key: string;
  sources: Source[];
  options: ResolvedImportOptions;
  concurrency: number;
  workDir: string;
  show: boolean;
  started: number;
  cacheDir: string | null;
}

/** Decodes every image into `job.workDir`, splits them, and writes the cache's files; returns the index. */
async function decodeAll(job: ImportJob): Promise<CacheIndex> {
  const { sources, options, workDir } = job;
  const main = sources[0].scanned;
  const skipped: SkippedFile[] = [];
  const candidates = candidatesOf(sources, skipped);
  const channels = options.imageType === "grayscale" ? 1 : 3;
  const imageBytes = options.width * options.height * channels;
  const progress = new ProgressLine(`Importing ${job.name}`, candidates.length, { force: job.show });
  const { stored, decodedCount } = await decodeInFileOrder(job, candidates, skipped, progress);
  const { kept, usableByClass, dropped } = keepClasses(main, stored, skipped, options.minPerClass);
  const newLabel = new Map(kept.map((classIndex, label) => [classIndex, label]));
  const { splitOf, classReports } = assignSplits(job, stored, kept, usableByClass, skipped);

  // Keep only what is used; compact the pixel file if anything is left out.
  const used = stored.filter((s) => splitOf.has(s));
  if (used.length < stored.length) await compact(join(workDir, PIXELS_FILE), used, imageBytes);
  const splits: Record<SplitName, number[]> = { train: [], validation: [], test: [] };
  const labels = used.map((s) => newLabel.get(s.classIndex)!);
  used.forEach((s, index) => {
    const split = splitOf.get(s)!;
    splits[split].push(index);
    classReports[newLabel.get(s.classIndex)!][split]++;
  });
  // Each split in a seeded random order, so reading one in order does not go class by class.
  for (const split of SPLIT_NAMES) shuffleInPlace(splits[split], createRandom(mixSeeds(options.seed, 8, SPLIT_NAMES.indexOf(split))));

  const classNames = kept.map((i) => main.classes[i].label);
  const shape: [number, number, number] = [options.height, options.width, channels];
  const meanImagePng = await writeMeanImage(workDir, shape, splits.train, imageBytes);
  const totals = classReports.map((c) => c.train + c.validation + c.test);
  const report: ImportReportData = {
    name: job.name,
    folder: main.root,
    validationFolder: options.validationFolder,
    testFolder: options.testFolder,
    options,
    classes: classReports,
    droppedClasses: dropped,
    splitSizes: { train: splits.train.length, validation: splits.validation.length, test: splits.test.length },
    skipped,
    ignored: sources.flatMap((source) => source.scanned.ignored.map((i) => ({ ...i, folder: source.role }))),
    imbalanceRatio: Math.max(...totals) / Math.max(1, Math.min(...totals)),
    ...duplicateGroups(used, sources, splitOf),
    imagesDecoded: decodedCount,
    seconds: (Date.now() - job.started) / 1000,
    cache: { dir: job.cacheDir, key: job.key, hit: false, pixelBytes: used.length * imageBytes },
    meanImagePng,
  };
  const index: CacheIndex = {
    version: IMPORT_FORMAT_VERSION,
    key: job.key,
    name: job.name,
    shape,
    classNames,
    files: used.map((s) => s.file.path),
    labels,
    splits,
    report,
  };
  await writeCacheFiles(workDir, index);
  progress.finish(bundleOf(new ImportReport(report)));
  return index;
}

/**
 * Decodes the candidates in parallel, but stores them in file order: results
 * wait (at most `concurrency` of them) until every earlier file is stored,
 * so the cache is byte-identical whatever order the decoders finish in.
 * Files that fail, and second copies within a class, go to `skipped`.
 */
async function decodeInFileOrder(
  job: ImportJob,
  candidates: Candidate[],
  skipped: SkippedFile[],
  progress: ProgressLine,
): Promise<{ stored: Stored[]; decodedCount: number }> {
  const pixelFile = await open(join(job.workDir, PIXELS_FILE), "w");
  const stored: Stored[] = [];
  const seen = new Map<string, Stored>();
  const inFlight: (Promise<Decoded> | undefined)[] = new Array(candidates.length);
  let launched = 0;
  let decodedCount = 0;
  try {
    for (let i = 0; i < candidates.length; i++) {
      if (wasInterrupted()) {
        // Let the decoders already started finish before the work folder is removed.
        await Promise.allSettled(inFlight.filter(Boolean) as Promise<Decoded>[]);
        throw new Error(
          `The import of ${job.sources[0].scanned.root} was interrupted after ${decodedCount} of ${candidates.length} files; nothing was cached. Run it again to start over.`,
        );
      }
      while (launched < candidates.length && launched < i + job.concurrency) {
        inFlight[launched] = decodeCandidate(candidates[launched], job.options);
        launched++;
      }
      const result = await inFlight[i]!;
      inFlight[i] = undefined;
      decodedCount++;
      const candidate = candidates[i];
      const where = job.sources[candidate.source].role;
      if (!result.ok) {
        skipped.push({ path: candidate.file.relativePath, folder: where, reason: result.reason, detail: result.detail });
      } else {
        const dupKey = `${candidate.source}/${candidate.classIndex}/${result.sha256}`;
        const earlier = seen.get(dupKey);
        if (earlier) {
          skipped.push({ path: candidate.file.relativePath, folder: where, reason: "duplicate", detail: `same bytes as ${earlier.file.relativePath}` });
        } else {
          const entry: Stored = { ...candidate, sha256: result.sha256, position: stored.length };
          await pixelFile.write(result.pixels);
          stored.push(entry);
          seen.set(dupKey, entry);
        }
      }
      progress.update(decodedCount, skipped.length ? `${skipped.length} skipped` : "");
    }
  } finally {
    await pixelFile.close();
  }
  return { stored, decodedCount };
}

/** The main folder's files that were skipped inside class folder `folder`. */
function skippedInClass(skipped: SkippedFile[], folder: string): SkippedFile[] {
  return skipped.filter((s) => s.folder === "folder" && s.path.startsWith(`${folder}/`));
}

/**
 * Which classes of the main folder stay: a class with no usable image stops
 * the import (its files need fixing); one under minPerClass is dropped and
 * reported; fewer than two classes left stops it too.
 */
function keepClasses(
  main: ScannedFolder,
  stored: Stored[],
  skipped: SkippedFile[],
  minPerClass: number,
): { kept: number[]; usableByClass: Stored[][]; dropped: DroppedClass[] } {
  const classes = main.classes;
  const usableByClass = classes.map(() => [] as Stored[]);
  for (const s of stored) if (s.source === 0) usableByClass[s.classIndex].push(s);
  classes.forEach((c, i) => {
    if (usableByClass[i].length === 0) {
      const reasons = countReasons(skippedInClass(skipped, c.folder));
      throw new ImportError(
        `None of the ${c.files.length} files in the class folder ${c.path} could be used (${reasons}). ` +
          `Replace them with readable images, or remove the folder. error.report lists every skipped file.`,
        c.path,
        { skipped },
      );
    }
  });
  const dropped: DroppedClass[] = [];
  const kept: number[] = [];
  classes.forEach((c, i) => {
    if (usableByClass[i].length < minPerClass) {
      dropped.push({ label: c.label, folder: c.folder, usable: usableByClass[i].length, reason: `only ${usableByClass[i].length} usable image(s), minPerClass is ${minPerClass}` });
    } else kept.push(i);
  });
  if (kept.length < 2) {
    throw new ImportError(
      `Only ${kept.length} class(es) of ${main.root} have at least minPerClass = ${minPerClass} usable images ` +
        `(${classes.map((c, i) => `${c.folder}: ${usableByClass[i].length}`).join(", ")}). Add images, or lower minPerClass.`,
      main.root,
      { skipped },
    );
  }
  return { kept, usableByClass, dropped };
}

/**
 * The split of every image used: each kept class of the main folder split by
 * the percentages after a seeded shuffle (at most maxPerClass used), the
 * separate validation and test folders whole to their split. Also each kept
 * class's report row, its split counts still 0.
 */
function assignSplits(
  job: ImportJob,
  stored: Stored[],
  kept: number[],
  usableByClass: Stored[][],
  skipped: SkippedFile[],
): { splitOf: Map<Stored, SplitName>; classReports: ClassReport[] } {
  const { options, sources } = job;
  const splitOf = new Map<Stored, SplitName>();
  const classReports: ClassReport[] = [];
  for (const classIndex of kept) {
    const c = sources[0].scanned.classes[classIndex];
    const images = shuffleInPlace([...usableByClass[classIndex]], createRandom(mixSeeds(options.seed, classIndex, 7)));
    const limit = options.maxPerClass ?? Infinity;
    const used = images.slice(0, limit);
    const validationCount = Math.round((used.length * options.validationPercent) / 100);
    const testCount = Math.round((used.length * options.testPercent) / 100);
    used.forEach((s, i) => splitOf.set(s, i < validationCount ? "validation" : i < validationCount + testCount ? "test" : "train"));
    classReports.push({
      label: c.label,
      folder: c.folder,
      files: c.files.length,
      usable: images.length,
      skipped: skippedInClass(skipped, c.folder).length,
      overMax: images.length - used.length,
      train: 0,
      validation: 0,
      test: 0,
    });
  }
  // Separate validation and test folders go whole to their split.
  const keptClasses = new Set(kept);
  for (const s of stored) {
    if (s.source !== 0 && keptClasses.has(s.classIndex)) splitOf.set(s, sources[s.source].split!);
  }
  return { splitOf, classReports };
}

/** Identical bytes in two splits (leakage) or under two classes. */
function duplicateGroups(used: Stored[], sources: Source[], splitOf: Map<Stored, SplitName>): { leakage: DuplicateGroup[]; labelConflicts: DuplicateGroup[] } {
  const classes = sources[0].scanned.classes;
  const byHash = new Map<string, Stored[]>();
  for (const s of used) byHash.set(s.sha256, [...(byHash.get(s.sha256) ?? []), s]);
  const leakage: DuplicateGroup[] = [];
  const labelConflicts: DuplicateGroup[] = [];
  for (const [sha256, group] of byHash) {
    if (group.length < 2) continue;
    const files = group.map((s) => ({ path: `${sources[s.source].role === "folder" ? "" : `${sources[s.source].role}: `}${s.file.relativePath}`, split: splitOf.get(s)!, className: classes[s.classIndex].label }));
    if (new Set(files.map((f) => f.split)).size > 1) leakage.push({ sha256, files });
    if (new Set(files.map((f) => f.className)).size > 1) labelConflicts.push({ sha256, files });
  }
  return { leakage, labelConflicts };
}

/** DIGITS's files (labels.txt and one "path label" list per split), then the index, last: its presence marks a complete cache. */
async function writeCacheFiles(workDir: string, index: CacheIndex): Promise<void> {
  await writeFile(join(workDir, "labels.txt"), index.classNames.join("\n") + "\n");
  const listFile = { train: "train.txt", validation: "val.txt", test: "test.txt" } as const;
  for (const split of SPLIT_NAMES) {
    await writeFile(join(workDir, listFile[split]), index.splits[split].map((i) => `${index.files[i]} ${index.labels[i]}\n`).join(""));
  }
  await writeFile(join(workDir, INDEX_FILE), JSON.stringify(index));
}

function countReasons(skipped: SkippedFile[]): string {
  return (
    Object.entries(countByReason(skipped))
      .map(([reason, n]) => `${n} ${reason}`)
      .join(", ") || "no image files"
  );
}

/** Rewrites the pixel file keeping only `keep` (in order), and renumbers their positions. */
async function compact(path: string, keep: Stored[], imageBytes: number): Promise<void> {
  const source = new FilePixelStore(path, imageBytes, Number.MAX_SAFE_INTEGER);
  const target = await open(`${path}.compact`, "w");
  try {
    const chunk = 256;
    for (let start = 0; start < keep.length; start += chunk) {
      const part = keep.slice(start, start + chunk);
      await target.write(await source.read(part.map((s) => s.position)));
    }
  } finally {
    await source.close();
    await target.close();
  }
  await rename(`${path}.compact`, path);
  keep.forEach((s, i) => (s.position = i));
}

/** The training split's mean image, saved as float32 (mean.f32) and as a PNG (mean.png), as DIGITS keeps it. */
async function writeMeanImage(dir: string, shape: [number, number, number], train: number[], imageBytes: number): Promise<string | null> {
  if (train.length === 0) return null;
  const store = new FilePixelStore(join(dir, PIXELS_FILE), imageBytes, Number.MAX_SAFE_INTEGER);
  const sums = new Float64Array(imageBytes);
  try {
    const sorted = [...train].sort((a, b) => a - b);
    for (let start = 0; start < sorted.length; start += 256) {
      const pixels = await store.read(sorted.slice(start, start + 256));
      for (let i = 0; i < pixels.length; i++) sums[i % imageBytes] += pixels[i];
    }
  } finally {
    await store.close();
  }
  const mean = Float32Array.from(sums, (s) => s / train.length);
  await writeFile(join(dir, "mean.f32"), Buffer.from(mean.buffer));
  const [height, width, channels] = shape;
  const sharp = await loadSharp();
  const png = await sharp(Buffer.from(Uint8Array.from(mean, (v) => Math.round(v))), { raw: { width, height, channels: channels as 1 | 3 } })
    .png()
    .toBuffer();
  await writeFile(join(dir, "mean.png"), png);
  return png.toString("base64");
}

async function datasetFromCache(dir: string, index: CacheIndex, hit: boolean, inMemoryLimit: number): Promise<Dataset> {
  const [height, width, channels] = index.shape;
  const imageBytes = height * width * channels;
  const bytes = index.labels.length * imageBytes;
  const path = join(dir, PIXELS_FILE);
  let pixels: PixelStore;
  if (bytes <= inMemoryLimit) {
    // View the file's buffer rather than copying it: a copy would double the peak memory.
    const buffer = await readFile(path);
    pixels = new MemoryPixelStore(new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.length), imageBytes);
  } else {
    pixels = new FilePixelStore(path, imageBytes, index.labels.length);
  }
  const report = new ImportReport({ ...index.report, cache: { ...index.report.cache, hit } });
  const o = index.report.options;
  const percentOrigin = (percent: number): string =>
    `${percent}% of each class of ${index.report.folder}, after a shuffle with seed ${o.seed}`;
  return new Dataset({
    name: index.name,
    shape: index.shape,
    classNames: index.classNames,
    pixels,
    labels: Int32Array.from(index.labels),
    splits: { train: Int32Array.from(index.splits.train), validation: Int32Array.from(index.splits.validation), test: Int32Array.from(index.splits.test) },
    splitOrigins: {
      train: `the rest of each class of ${index.report.folder}`,
      validation: o.validationFolder ? `the folder ${o.validationFolder}` : percentOrigin(o.validationPercent),
      test: o.testFolder ? `the folder ${o.testFolder}` : percentOrigin(o.testPercent),
    },
    source: { description: `imported from ${index.report.folder} (${o.width}×${o.height} ${o.imageType}, ${o.resizeMode})` },
    report,
  });
}
