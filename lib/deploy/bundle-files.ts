/** The files of a Jetson bundle, each with its size and checksum (for bundle.json and the display). */
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

export interface BundleFile {
  name: string;
  path: string;
  bytes: number;
  sha256: string;
  description: string;
}

/** Writes a file of a bundle into `root` and records it in `files`. */
export function bundleWriter(root: string, files: BundleFile[]): (name: string, content: Uint8Array | string, description: string) => void {
  return (name, content, description) => {
    const path = join(root, name);
    writeFileSync(path, content);
    const bytes = typeof content === "string" ? Buffer.byteLength(content) : content.length;
    files.push({ name, path, bytes, sha256: createHash("sha256").update(content).digest("hex"), description });
  };
}
