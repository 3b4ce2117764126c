/**
 * The import cache: one folder per (image folder content, options), holding
 * what DIGITS keeps for a dataset (labels.txt, train.txt / val.txt /
 * test.txt, the mean image) plus the decoded pixels and an index, so that
 * re-importing an unchanged folder reads no image again.
 *
 * The key hashes every file's path, size and modification time (as make and
 * git's index do) with the options: a changed, added or removed file, or a
 * changed option, gives a new key. Reading file sizes and times is far
 * cheaper than reading the images.
 */
import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import type { ResolvedImportOptions } from "./options";
import type { ScannedFile, ScannedFolder } from "./scan";
import type { ImportReportData } from "./report";
import type { SplitName } from "../../dataset";

/** Bump when the importer's output changes, so old caches are not reused. */
export const IMPORT_FORMAT_VERSION = 2;

export const PIXELS_FILE = "pixels.u8";
export const INDEX_FILE = "index.json";

export interface CacheIndex {
  version: number;
  key: string;
  name: string;
  shape: [number, number, number];
  classNames: string[];
  /** Source file of each stored image. */
  files: string[];
  /** Class of each stored image. */
  labels: number[];
  splits: Record<SplitName, number[]>;
  report: ImportReportData;
}

export function cacheKey(options: ResolvedImportOptions, folders: ScannedFolder[]): string {
  const hash = createHash("sha256");
  hash.update(JSON.stringify({ version: IMPORT_FORMAT_VERSION, options }));
  for (const folder of folders) {
    hash.update(`\0root ${folder.root}\n`);
    for (const file of folder.strayFiles) hash.update(fileLine(file));
    for (const ignored of folder.ignored) hash.update(`\0ignored ${ignored.path}\t${ignored.reason}\n`);
    for (const c of folder.classes) {
      hash.update(`\0class ${c.folder}\n`);
      for (const file of c.files) hash.update(fileLine(file));
    }
  }
  return hash.digest("hex").slice(0, 24);
}

/** Whole milliseconds: file systems and copy tools keep those, but not always the nanoseconds. */
function fileLine(file: ScannedFile): string {
  return `${file.relativePath}\t${file.size}\t${Math.round(file.mtimeMs)}\n`;
}

/** The cached import in `dir`, or undefined when there is none (or it is incomplete). */
export async function readCache(dir: string, key: string): Promise<CacheIndex | undefined> {
  let index: CacheIndex;
  try {
    index = JSON.parse(await readFile(join(dir, INDEX_FILE), "utf8")) as CacheIndex;
  } catch {
    return undefined;
  }
  if (index.version !== IMPORT_FORMAT_VERSION || index.key !== key) return undefined;
  try {
    const [h, w, c] = index.shape;
    const size = (await stat(join(dir, PIXELS_FILE))).size;
    if (size !== index.labels.length * h * w * c) return undefined;
  } catch {
    return undefined;
  }
  return index;
}
