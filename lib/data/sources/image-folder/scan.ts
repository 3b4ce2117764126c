/**
 * Finding the classes and files of an image folder, DIGITS style: each
 * subfolder is a class (sorted by name; "_" in the name becomes a space in
 * the label), and every file anywhere below it belongs to that class.
 */
import { readdir, stat } from "node:fs/promises";
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

export interface ScannedFolder {
  root: string;
  classes: ScannedClass[];
  /** Files directly in the root, outside any class folder. */
  strayFiles: ScannedFile[];
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
  for (const entry of entries) {
    const path = join(root, entry.name);
    if (entry.isDirectory()) {
      classes.push({ folder: entry.name, label: labelOf(entry.name), path, files: await listFiles(path, root) });
    } else if (entry.isFile()) {
      const s = await stat(path);
      strayFiles.push({ path, relativePath: entry.name, size: s.size, mtimeMs: s.mtimeMs });
    }
  }
  return { root, classes, strayFiles };
}

/** Every file below `dir`, sorted by relative path; nested folders are flattened into the class. */
async function listFiles(dir: string, root: string): Promise<ScannedFile[]> {
  const out: ScannedFile[] = [];
  const walk = async (current: string): Promise<void> => {
    const entries = (await readdir(current, { withFileTypes: true })).sort((a, b) => byName(a.name, b.name));
    for (const entry of entries) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile() || entry.isSymbolicLink()) {
        try {
          const s = await stat(path);
          if (s.isFile()) out.push({ path, relativePath: relative(root, path).split(sep).join("/"), size: s.size, mtimeMs: s.mtimeMs });
        } catch {
          // A dangling symbolic link: list it so the report can say it is unreadable.
          out.push({ path, relativePath: relative(root, path).split(sep).join("/"), size: -1, mtimeMs: 0 });
        }
      }
    }
  };
  await walk(dir);
  return out.sort((a, b) => byName(a.relativePath, b.relativePath));
}
