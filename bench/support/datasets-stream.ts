/**
 * Child process of bench/datasets.ts: opens an already imported folder (a
 * cache hit) and streams one epoch of augmented, normalized batches,
 * reporting its peak RSS. A separate process, so the peak belongs to
 * streaming alone and not to the import or the other benchmarks.
 *
 *     node dist/bench/support/datasets-stream.js <folder> <cacheDir> <width> <height> <inMemoryLimit>
 */
import { importImageFolder } from "../../lib/data/sources";

async function main(): Promise<void> {
  const [folder, cacheDir, width, height, inMemoryLimit] = process.argv.slice(2);
  const started = Date.now();
  const dataset = await importImageFolder(folder, {
    cacheDir,
    width: Number(width),
    height: Number(height),
    validationPercent: 0,
    inMemoryLimit: Number(inMemoryLimit),
  });
  let peakRss = process.memoryUsage().rss;
  let images = 0;
  let batches = 0;
  for await (const batch of dataset.batches({ batchSize: 64, seed: 1, augment: { flipHorizontal: true, shift: 0.1 } })) {
    images += batch.size;
    batches++;
    batch.dispose();
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }
  const seconds = (Date.now() - started) / 1000;
  const report = dataset.report as { cache: { hit: boolean; pixelBytes: number } };
  console.log(
    JSON.stringify({
      images,
      batches,
      seconds,
      cacheHit: report.cache.hit,
      store: dataset.pixels.memory ? "memory" : "file",
      pixelMB: report.cache.pixelBytes / 2 ** 20,
      peakRssMB: peakRss / 2 ** 20,
      // ru_maxrss: the kernel's own peak for the whole process (KiB on Linux).
      maxRssMB: process.resourceUsage().maxRSS / 1024,
    }),
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
