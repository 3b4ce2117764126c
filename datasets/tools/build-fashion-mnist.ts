/**
 * Makes datasets/fashion-mnist/ from Debian's dataset-fashion-mnist package
 * (run once; the output is committed):
 *
 *     apt-get install dataset-fashion-mnist
 *     npx tsc -p . && node dist/datasets/tools/build-fashion-mnist.js
 *
 * The four gzipped IDX files are copied byte for byte; this script parses
 * them to check their shapes and count the classes, and writes the manifest
 * with their SHA-256 checksums and the license.
 */
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { parseIdx } from "../../lib/data/sources/idx";
import { DatasetManifest, sha256 } from "../../lib/data/sources/manifest";
import { packageRoot } from "../../lib/data/sources/paths";

const SOURCE = "/usr/share/datasets/fashion-mnist";
const COPYRIGHT = "/usr/share/doc/dataset-fashion-mnist/copyright";
const CLASS_NAMES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

function main(): void {
  const outDir = join(packageRoot(), "datasets", "fashion-mnist");
  const files: DatasetManifest["files"] = {};
  const splits: DatasetManifest["splits"] = {};
  const parts = [
    { split: "train", prefix: "train", origin: "the official Fashion-MNIST training set" },
    { split: "test", prefix: "t10k", origin: "the official Fashion-MNIST test set" },
  ];
  for (const { split, prefix, origin } of parts) {
    const imagesName = `${prefix}-images-idx3-ubyte.gz`;
    const labelsName = `${prefix}-labels-idx1-ubyte.gz`;
    for (const name of [imagesName, labelsName]) {
      copyFileSync(join(SOURCE, name), join(outDir, name));
      const bytes = readFileSync(join(outDir, name));
      files[name] = { bytes: bytes.length, sha256: sha256(bytes) };
    }
    const images = parseIdx(gunzipSync(readFileSync(join(outDir, imagesName))), imagesName);
    const labels = parseIdx(gunzipSync(readFileSync(join(outDir, labelsName))), labelsName);
    if (images.dims.length !== 3 || images.dims[1] !== 28 || images.dims[2] !== 28 || labels.dims[0] !== images.dims[0]) {
      throw new Error(`${split}: unexpected shapes ${images.dims} / ${labels.dims}`);
    }
    const classCounts = CLASS_NAMES.map(() => 0);
    for (const label of labels.data) classCounts[label]++;
    splits[split] = { images: imagesName, labels: labelsName, count: images.dims[0], classCounts, origin };
  }
  const version = readFileSync("/var/lib/dpkg/status", "utf8")
    .split("\n\n")
    .find((block) => block.startsWith("Package: dataset-fashion-mnist\n"))
    ?.match(/^Version: (.*)$/m)?.[1];

  const manifest: DatasetManifest = {
    name: "fashion-mnist",
    description: "Fashion-MNIST: 70,000 28×28 grayscale images of Zalando's articles in 10 classes (60,000 training, 10,000 test).",
    source: {
      description: `Debian's dataset-fashion-mnist package${version ? ` ${version}` : ""} (${SOURCE}), from github.com/zalandoresearch/fashion-mnist`,
      url: "https://github.com/zalandoresearch/fashion-mnist",
      package: "dataset-fashion-mnist",
      version,
    },
    license: { name: "MIT (Expat)", file: "LICENSE", holder: "2017, Zalando SE" },
    shape: [28, 28, 1],
    classNames: CLASS_NAMES,
    pixelFormat: "uint8, 0 = background (black), 255 = brightest, as in MNIST.",
    splits,
    files,
    madeBy: "datasets/tools/build-fashion-mnist.ts",
    notes: [
      "The .gz files are byte-identical copies of Debian's. Their MD5 sums differ from the ones the upstream README lists for its .gz files, " +
        "so the gzip streams are not upstream's exact bytes; whether the decompressed contents equal upstream's could not be checked here (no network). " +
        "The IDX contents were parsed and have the documented shapes (60,000 and 10,000 images of 28×28) and 6,000 / 1,000 images per class.",
    ],
  };
  writeFileSync(join(outDir, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
  writeFileSync(
    join(outDir, "LICENSE"),
    "Fashion-MNIST, as shipped by Debian's dataset-fashion-mnist package.\n" +
      "The license below is copied from /usr/share/doc/dataset-fashion-mnist/copyright.\n\n" +
      readFileSync(COPYRIGHT, "utf8"),
  );
  console.log(`Copied Fashion-MNIST to ${outDir}: ${JSON.stringify(files)}`);
}

main();
