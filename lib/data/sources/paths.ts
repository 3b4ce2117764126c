/**
 * Finds the bundled data from any working directory: the package root is
 * the nearest folder above this file (source or compiled dist/) whose
 * package.json is convlab's and which has a datasets/ folder.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

let cachedRoot: string | undefined;

export function packageRoot(): string {
  if (cachedRoot) return cachedRoot;
  let dir = __dirname;
  for (;;) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && existsSync(join(dir, "datasets"))) {
      try {
        if ((JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === "convlab") {
          cachedRoot = dir;
          return dir;
        }
      } catch {
        // An unreadable package.json is not ours; keep looking upward.
      }
    }
    const parent = dirname(dir);
    if (parent === dir) {
      throw new Error(
        `Could not find convlab's datasets folder above ${__dirname}. ` +
          `The bundled datasets live in <convlab>/datasets; reinstall convlab or run from its checkout.`,
      );
    }
    dir = parent;
  }
}

/** The folder of one bundled dataset, e.g. datasetDir("mnist"). */
export function datasetDir(name: string): string {
  return join(packageRoot(), "datasets", name);
}
