import assert from "node:assert/strict";
import sharp from "sharp";
import { DISPLAY, toBundle } from "../../lib/display";
import { ClassCounts, ProgressLine, sampleGrid, split, summarize } from "../../lib/data";
import { loadMnist } from "../../lib/data/sources";
import { installFakeHost, syntheticDataset } from "./helpers";

describe("looking at data", function () {
  describe("sampleGrid", function () {
    it("is a PNG of the stated size with the chosen images, the same for the same seed", async function () {
      const mnist = await loadMnist();
      const grid = await sampleGrid(mnist, { count: 12, columns: 6, seed: 2 });
      const info = await sharp(grid.png).metadata();
      assert.equal(info.format, "png");
      assert.deepEqual([info.width, info.height], [grid.width, grid.height]);
      assert.equal(grid.items.length, 12);
      const again = await sampleGrid(mnist, { count: 12, columns: 6, seed: 2 });
      assert.deepEqual(again.items, grid.items);
      assert.ok(again.png.equals(grid.png));
      const bundle = await toBundle(grid);
      assert.equal(typeof bundle["image/png"], "string");
      assert.match(String(bundle["text/plain"]), /mnist, train split: 12 images/);
    });

    it("draws each image's own pixels, enlarged without smoothing", async function () {
      const data = syntheticDataset(2, 3, [4, 4, 1]);
      const grid = await sampleGrid(data, { indices: [5], tileSize: 8, labels: false });
      const { data: png, info } = await sharp(grid.png).raw().toBuffer({ resolveWithObject: true });
      const image = await data.readImages([5]);
      // The tile starts 4 pixels in (the gap); each source pixel covers 2×2.
      for (let y = 0; y < 4; y++) {
        for (let x = 0; x < 4; x++) {
          const at = ((4 + 2 * y) * info.width + 4 + 2 * x) * info.channels;
          assert.equal(png[at], image[y * 4 + x], `pixel ${x},${y}`);
        }
      }
    });

    it("puts one class per row with perClass", async function () {
      const data = syntheticDataset(3, 10);
      const grid = await sampleGrid(data, { perClass: 4 });
      assert.equal(grid.items.length, 12);
      assert.deepEqual(grid.items.map((i) => i.label), [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]);
      await assert.rejects(sampleGrid(data, { split: "test" }), /The test split of synthetic has no images/);
    });
  });

  describe("class counts", function () {
    it("gives tidy rows, totals, imbalance, and a chart with a table", async function () {
      const data = split(syntheticDataset(2, 10), { train: 0.8, validation: 0.2, test: 0 });
      const counts = ClassCounts.of(data);
      assert.deepEqual(counts.totals, [10, 10]);
      assert.equal(counts.imbalanceRatio, 1);
      assert.deepEqual(counts.rows[0], { className: "class 0", label: 0, split: "train", count: 8 });
      assert.equal(counts.rows.length, 4);
      const html = String(counts[DISPLAY]()["text/html"]);
      assert.match(html, /<svg[^>]*>.*class 1.*<\/svg>/s);
      assert.match(html, /<table/);
      const lopsided = new ClassCounts(["a", "b"], { train: [30, 5] });
      assert.equal(lopsided.imbalanceRatio, 6);
      assert.match(lopsided.toHtml(), /imbalanced/);
    });
  });

  describe("summary", function () {
    it("describes sizes, shape, splits, pixel statistics and normalization", async function () {
      const mnist = await loadMnist();
      const summary = await summarize(mnist);
      const text = summary.toString();
      assert.match(text, /mnist: 10,000 images, 28×28×1 \(grayscale\), 10 classes/);
      assert.match(text, /train: 6,000 images \(60% of each class \(10,000 images\), shuffled with seed 0\); pixels min 0, max 255, mean \d+\.\d+/);
      assert.match(text, /normalization: scaled to \[0, 1\]/);
      assert.equal(summary.splits[2].pixels.images, 2000);
      const bundle = await toBundle(mnist);
      assert.match(String(bundle["text/html"]), /<img alt="mnist, train split"/);
    });
  });

  describe("progress line", function () {
    it("updates one output in place, a few times a second at most, and always shows the end", function () {
      const { host, uninstall } = installFakeHost();
      try {
        const progress = new ProgressLine("Working", 100_000, { intervalMs: 10_000 });
        for (let i = 1; i <= 100_000; i++) progress.update(i);
        assert.equal(host.outputs.length, 2, "the first update and the last");
        assert.equal(host.outputs[0].options?.update, undefined);
        assert.equal(host.outputs[1].options?.update, true);
        assert.equal(host.outputs[0].options?.displayId, host.outputs[1].options?.displayId);
        assert.match(String(host.outputs[1].bundle["text/plain"]), /Working: 100,000 \/ 100,000 \(100%\)/);
      } finally {
        uninstall();
      }
    });

    it("shows nothing outside a notebook", function () {
      const progress = new ProgressLine("Quiet", 10);
      const write = process.stdout.write;
      let printed = "";
      process.stdout.write = ((chunk: string) => ((printed += chunk), true)) as typeof process.stdout.write;
      try {
        progress.update(5);
      } finally {
        process.stdout.write = write;
      }
      assert.equal(printed, "");
    });
  });
});
