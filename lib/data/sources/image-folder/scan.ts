/**
 * Finding the classes and files of an image folder, DIGITS style: each
 * subfolder is a class (sorted by name; "_" in the name becomes a space in
 * the label), and every file anywhere below it belongs to that class.
 *
 * Hidden folders (".something", e.g. the .ipynb_checkpoints Jupyter makes
 * beside notebooks) are ignored wherever they are, and listed as ignored.
 * Symbolic links to folders are followed, class folders included, but never
 * back into a folder already being scanned (a loop) and at most MAX_DEPTH
 * folders deep; what is not followed is listed as ignored.
 */
import { readdir, realpath, stat } from "node:fs/promises";
import type { Dirent } from "node:fs";
import { join, relative, resolve, sep } from "node:path";

export interface ScannedFile {
  /** Absolute path. */
  path: string;
  /** Path relative to the folder given to the import (shown in reports). */
  relativePath: string;
  size: number;
  mtimeMs: number;
}

export interface ScannedClass {
  /** The subfolder's name. */
  folder: string;
  /** The class label: the folder name with "_" turned into spaces. */
  label: string;
  path: string;
  files: ScannedFile[];
}

/** A folder left out of the scan, and why. */
export interface IgnoredEntry {
  /** Path relative to the folder given to the import, e.g. ".ipynb_checkpoints" or "cat/loop". */
  path: string;
  reason: string;
}

export interface ScannedFolder {
  root: string;
  classes: ScannedClass[];
  /** Files directly in the root, outside any class folder. */
  strayFiles: ScannedFile[];
  /** Folders not scanned: hidden ones, symbolic-link loops, links to nothing. */
  ignored: IgnoredEntry[];
}

/** How deep nested folders (and followed links) may go. */
export const MAX_DEPTH = 32;

const HIDDEN_REASON = "a hidden folder (such as Jupyter's .ipynb_checkpoints), not a class";

function isHidden(name: string): boolean {
  return name.startsWith(".");
}

/** An import that cannot go on; names the path and says what to do. */
export class ImportError extends Error {
  constructor(
    message: string,
    readonly path: string,
    /** The report so far, when there is one. */
    readonly report?: unknown,
  ) {
    super(message);
    this.name = "ImportError";
  }
}

export function labelOf(folder: string): string {
  return folder.replace(/_/g, " ");
}

/** Code-point order, the same on every machine and locale (DIGITS used Python's sorted()). */
export function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export async function scanFolder(folder: string, role: string): Promise<ScannedFolder> {
  const root = resolve(folder);
  let info;
  try {
    info = await stat(root);
  } catch {
    throw new ImportError(
      `The ${role} ${root} does not exist. Check the path (a relative path is taken from ${process.cwd()}).`,
      root,
    );
  }
  if (!info.isDirectory()) {
    throw new ImportError(`The ${role} ${root} is a file, not a folder. Give the folder that holds one subfolder per class.`, root);
  }
  const entries = (await readdir(root, { withFileTypes: true })).sort((a, b) => byName(a.name, b.name));
  const classes: ScannedClass[] = [];
  const strayFiles: ScannedFile[] = [];
  const ignored: IgnoredEntry[] = [];
  const rootReal = await realpath(root);
  for (const entry of entries) {
    const path = join(root, entry.name);
    const kind = await kindOf(entry, path);
    if (kind === "folder") {
      if (isHidden(entry.name)) ignored.push({ path: entry.name, reason: HIDDEN_REASON });
      else classes.push({ folder: entry.name, label: labelOf(entry.name), path, files: await listFiles(path, root, rootReal, ignored) });
    } else if (kind === "file") {
      const s = await stat(path);
      strayFiles.push({ path, relativePath: entry.name, size: s.size, mtimeMs: s.mtimeMs });
    } else if (kind === "dangling link") {
      ignored.push({ path: entry.name, reason: "a symbolic link to nothing (its target is missing)" });
    }
  }
  return { root, classes, strayFiles, ignored };
}

/** A directory entry as the scan sees it, following symbolic links. */
async function kindOf(entry: Dirent, path: string): Promise<"folder" | "file" | "dangling link" | "other"> {
  if (entry.isDirectory()) return "folder";
  if (entry.isFile()) return "file";
  if (!entry.isSymbolicLink()) return "other";
  try {
    const target = await stat(path);
    return target.isDirectory() ? "folder" : target.isFile() ? "file" : "other";
  } catch {
    return "dangling link";
  }
}

/**
 * Every file below `dir`, sorted by relative path; nested folders are
 * flattened into the class. `ancestors` are the real paths of the folders
 * being walked, so a link back into one of them is a loop.
 */
async function listFiles(dir: string, root: string, rootReal: string, ignored: IgnoredEntry[]): Promise<ScannedFile[]> {
  const out: ScannedFile[] = [];
  const rel = (path: string) => relative(root, path).split(sep).join("/");
  const walk = async (current: string, ancestors: string[]): Promise<void> => {
    const real = await realpath(current);
    if (real === rootReal || ancestors.includes(real)) {
      ignored.push({ path: rel(current), reason: "a symbolic link back to a folder that contains it (a loop); not followed" });
      return;
    }
    if (ancestors.length >= MAX_DEPTH) {
      ignored.push({ path: rel(current), reason: `more than ${MAX_DEPTH} folders deep; not scanned` });
      return;
    }
    const entries = (await readdir(current, { withFileTypes: true })).sort((a, b) => byName(a.name, b.name));
    for (const entry of entries) {
      const path = join(current, entry.name);
      const kind = await kindOf(entry, path);
      if (kind === "folder") {
        if (isHidden(entry.name)) ignored.push({ path: rel(path), reason: HIDDEN_REASON.replace(", not a class", "") });
        else await walk(path, [...ancestors, real]);
      } else if (kind === "file") {
        const s = await stat(path);
        out.push({ path, relativePath: rel(path), size: s.size, mtimeMs: s.mtimeMs });
      } else if (kind === "dangling link") {
        // List it so the report can say it is unreadable.
        out.push({ path, relativePath: rel(path), size: -1, mtimeMs: 0 });
      }
    }
  };
  await walk(dir, []);
  return out.sort((a, b) => byName(a.relativePath, b.relativePath));
}
