/** Where this package is installed, found from the running file. */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

let cached: string | null = null;

export function packageRoot(): string {
  if (cached) return cached;
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, "package.json");
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, "utf8")).name === "convlab") return (cached = dir);
    if (path.dirname(dir) === dir) throw new Error(`convlab's package.json was not found above ${__dirname}.`);
  }
}

export function packageVersion(): string {
  return JSON.parse(readFileSync(path.join(packageRoot(), "package.json"), "utf8")).version;
}
