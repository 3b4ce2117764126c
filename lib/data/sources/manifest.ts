/**
 * Each bundled dataset has a manifest.json beside its files: what they are,
 * where they came from, their license, and the size and SHA-256 of every
 * file, which the loaders check before trusting a byte.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { packageRoot } from "./paths";

export interface ManifestFile {
  bytes: number;
  sha256: string;
}

export interface ManifestSplit {
  /** Image file (gzipped IDX) of this split. */
  images: string;
  /** Label file (gzipped IDX) of this split. */
  labels: string;
  count: number;
  classCounts: number[];
  /** How the split was made, in words. */
  origin: string;
}

export interface DatasetManifest {
  name: string;
  description: string;
  source: { description: string; url?: string; package?: string; version?: string };
  license: { name: string; file?: string; holder?: string; notes?: string };
  /** [height, width, channels] */
  shape: [number, number, number];
  classNames: string[];
  /** How pixel values are encoded, in words. */
  pixelFormat: string;
  splits: Record<string, ManifestSplit>;
  files: Record<string, ManifestFile>;
  /** The committed script that made these files. */
  madeBy: string;
  notes?: string[];
}

/** Thrown when a bundled file is missing or damaged; says which file and what to do. */
export class DatasetFileError extends Error {
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(message);
    this.name = "DatasetFileError";
  }
}

export function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

function shown(path: string): string {
  const rel = relative(packageRoot(), path);
  return rel.startsWith("..") ? path : rel;
}

const RESTORE = "Restore it from the repository (git checkout -- <file>, or git lfs pull if it is a pointer) or reinstall convlab";

export async function readManifest(dir: string): Promise<DatasetManifest> {
  const path = join(dir, "manifest.json");
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new DatasetFileError(`The dataset manifest ${shown(path)} cannot be read (${(error as Error).message}). ${RESTORE}.`, path);
  }
  try {
    return JSON.parse(text) as DatasetManifest;
  } catch (error) {
    throw new DatasetFileError(`The dataset manifest ${shown(path)} is not valid JSON (${(error as Error).message}). ${RESTORE}.`, path);
  }
}

/** Reads a file listed in the manifest and checks its size and SHA-256. */
export async function readVerified(dir: string, manifest: DatasetManifest, name: string, verify = true): Promise<Buffer> {
  const path = join(dir, name);
  const expected = manifest.files[name];
  if (!expected) throw new DatasetFileError(`${shown(path)} is not listed in ${shown(join(dir, "manifest.json"))}. ${RESTORE}.`, path);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new DatasetFileError(`The dataset file ${shown(path)} cannot be read (${(error as Error).message}). ${RESTORE}.`, path);
  }
  if (!verify) return bytes;
  if (bytes.length !== expected.bytes) {
    throw new DatasetFileError(
      `The dataset file ${shown(path)} is damaged: it has ${bytes.length} bytes, but the manifest says ${expected.bytes}. ${RESTORE}.`,
      path,
    );
  }
  const actual = sha256(bytes);
  if (actual !== expected.sha256) {
    throw new DatasetFileError(
      `The dataset file ${shown(path)} is damaged: its SHA-256 is ${actual}, but the manifest says ${expected.sha256}. ${RESTORE}.`,
      path,
    );
  }
  return bytes;
}
