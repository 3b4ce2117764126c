/**
 * Loading a bundled dataset: read its manifest, check every file's SHA-256,
 * unzip the IDX files and build a Dataset held in memory.
 */
import { gunzipSync } from "node:zlib";
import { Dataset, SplitName } from "../dataset";
import { MemoryPixelStore } from "../pixel-store";
import { Normalization } from "../normalization";
import { parseIdx } from "./idx";
import { DatasetFileError, DatasetManifest, readManifest, readVerified } from "./manifest";
import { datasetDir } from "./paths";
import { join } from "node:path";

export interface BundledLoadOptions {
  /** Check every file's SHA-256 against the manifest (about 0.1 s for 30 MB). Default true. */
  verify?: boolean;
  /** The dataset's normalization. Default: scale to [0, 1]. */
  normalization?: Normalization;
  /** Where the dataset's files are. Default: the bundled folder, <convlab>/datasets/<name>. */
  directory?: string;
}

/** Reads a bundled dataset's manifest and files; each manifest split becomes a split of the result. */
export async function loadBundled(
  name: string,
  splitNames: Record<string, SplitName>,
  options: BundledLoadOptions = {},
): Promise<{ dataset: Dataset; manifest: DatasetManifest }> {
  const dir = options.directory ?? datasetDir(name);
  const manifest = await readManifest(dir);
  const verify = options.verify ?? true;
  const [height, width, channels] = manifest.shape;
  const imageBytes = height * width * channels;

  const parts = await Promise.all(
    Object.entries(manifest.splits).map(async ([key, entry]) => {
      const [imagesGz, labelsGz] = await Promise.all([
        readVerified(dir, manifest, entry.images, verify),
        readVerified(dir, manifest, entry.labels, verify),
      ]);
      const unzip = (bytes: Buffer, file: string): Buffer => {
        try {
          return gunzipSync(bytes);
        } catch (error) {
          throw new DatasetFileError(
            `The dataset file ${join(dir, file)} cannot be unzipped (${(error as Error).message}). ` +
              `Restore it from the repository or reinstall convlab.`,
            join(dir, file),
          );
        }
      };
      const images = parseIdx(unzip(imagesGz, entry.images), join("datasets", name, entry.images));
      const labels = parseIdx(unzip(labelsGz, entry.labels), join("datasets", name, entry.labels));
      const count = images.dims[0];
      if (images.data.length !== count * imageBytes || labels.dims[0] !== count || count !== entry.count) {
        throw new DatasetFileError(
          `datasets/${name}: ${entry.images} holds ${images.dims.join("×")} values and ${entry.labels} ${labels.dims.join("×")}, ` +
            `but the manifest describes ${entry.count} images of ${height}×${width}×${channels}. Restore the folder from the repository.`,
          join(dir, entry.images),
        );
      }
      return { key, entry, images: images.data, labels: labels.data, count };
    }),
  );

  const total = parts.reduce((sum, p) => sum + p.count, 0);
  const pixels = new Uint8Array(total * imageBytes);
  const labels = new Int32Array(total);
  const splits: Partial<Record<SplitName, Int32Array>> = {};
  const origins: Partial<Record<SplitName, string>> = {};
  let offset = 0;
  for (const part of parts) {
    pixels.set(part.images, offset * imageBytes);
    for (let i = 0; i < part.count; i++) {
      const label = part.labels[i];
      if (label >= manifest.classNames.length) {
        throw new DatasetFileError(
          `datasets/${name}/${part.entry.labels}: label ${label} at position ${i} has no class (there are ${manifest.classNames.length}). Restore the file from the repository.`,
          join(dir, part.entry.labels),
        );
      }
      labels[offset + i] = label;
    }
    const splitName = splitNames[part.key];
    splits[splitName] = Int32Array.from({ length: part.count }, (_, i) => offset + i);
    origins[splitName] = part.entry.origin;
    offset += part.count;
  }

  const dataset = new Dataset({
    name: manifest.name,
    shape: manifest.shape,
    classNames: manifest.classNames,
    pixels: new MemoryPixelStore(pixels, imageBytes),
    labels,
    splits,
    splitOrigins: origins,
    normalization: options.normalization,
    source: { description: manifest.source.description, license: manifest.license.name, url: manifest.source.url },
  });
  return { dataset, manifest };
}
