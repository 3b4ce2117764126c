import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Dataset } from "../../lib/data";
import { ImportError, ImportReport, importImageFolder, planResize } from "../../lib/data/sources";
import { installFakeHost, tempDir, writeImage } from "./helpers";

type RGB = [number, number, number];
const RED: RGB = [255, 0, 0];
const GREEN: RGB = [0, 255, 0];
const BLUE: RGB = [0, 0, 255];

/** A 24-bit bottom-up BMP written by hand (BGR rows padded to 4 bytes), independent of any BMP library. */
function bmp(width: number, height: number, fn: (x: number, y: number) => RGB): Buffer {
  const rowBytes = Math.ceil((width * 3) / 4) * 4;
  const out = Buffer.alloc(54 + rowBytes * height);
  out.write("BM", 0, "latin1");
  out.writeUInt32LE(out.length, 2);
  out.writeUInt32LE(54, 10);
  out.writeUInt32LE(40, 14);
  out.writeInt32LE(width, 18);
  out.writeInt32LE(height, 22);
  out.writeUInt16LE(1, 26);
  out.writeUInt16LE(24, 28);
  out.writeUInt32LE(rowBytes * height, 34);
  for (let y = 0; y < height; y++) {
    const row = 54 + (height - 1 - y) * rowBytes;
    for (let x = 0; x < width; x++) {
      const [r, g, b] = fn(x, y);
      out[row + x * 3] = b;
      out[row + x * 3 + 1] = g;
      out[row + x * 3 + 2] = r;
    }
  }
  return out;
}

const shade = (seed: number) => (x: number, y: number): RGB => [(x * 5 + seed * 40) % 256, (y * 7 + seed * 13) % 256, (x + y + seed) % 256];

/**
 * The acceptance folder: PNG and JPEG files of several sizes in three classes
 * (one named t_shirt, one with a nested folder), one corrupt file, one text
 * file, plus a stray file at the top.
 */
async function buildFolder(root: string): Promise<void> {
  for (const c of ["cat", "dog", "t_shirt"]) mkdirSync(join(root, c));
  mkdirSync(join(root, "cat", "indoor"));
  // cat: 7 files, 5 usable images (one nested), 1 corrupt, 1 text.
  await writeImage(join(root, "cat", "a.png"), 64, 48, shade(1));
  await writeImage(join(root, "cat", "b.jpg"), 100, 100, shade(2), "jpeg");
  await writeImage(join(root, "cat", "c.png"), 30, 60, shade(3));
  await writeImage(join(root, "cat", "d.jpeg"), 320, 200, shade(4), "jpeg");
  await writeImage(join(root, "cat", "indoor", "e.png"), 48, 48, shade(5));
  const jpeg = readFileSync(join(root, "cat", "b.jpg"));
  writeFileSync(join(root, "cat", "broken.jpg"), jpeg.subarray(0, jpeg.length >> 1));
  writeFileSync(join(root, "cat", "notes.txt"), "these are cats\n");
  // dog: 8 images, PNG and JPEG.
  for (let i = 0; i < 8; i++) {
    await writeImage(join(root, "dog", `dog${i}.${i % 2 ? "jpg" : "png"}`), 40 + 10 * i, 50 + 5 * i, shade(10 + i), i % 2 ? "jpeg" : "png");
  }
  // t_shirt: 4 images.
  for (let i = 0; i < 4; i++) await writeImage(join(root, "t_shirt", `shirt${i}.png`), 28, 28, shade(20 + i));
  writeFileSync(join(root, "README.md"), "# my images\n");
}

describe("importImageFolder", function () {
  let temp: ReturnType<typeof tempDir>;
  let folder: string;
  let cacheDir: string;

  before(async function () {
    temp = tempDir("folder");
    folder = join(temp.path, "pets");
    mkdirSync(folder);
    cacheDir = join(temp.path, "cache");
    await buildFolder(folder);
  });
  after(function () {
    temp.remove();
  });

  describe("a folder of classes", function () {
    let dataset: Dataset;
    let report: ImportReport;
    before(async function () {
      dataset = await importImageFolder(folder, { width: 32, height: 32, cacheDir });
      report = dataset.report as ImportReport;
    });

    it("finds the classes, sorted, with _ turned into a space", function () {
      assert.deepEqual(dataset.classNames, ["cat", "dog", "t shirt"]);
      assert.deepEqual(report.classes.map((c) => c.folder), ["cat", "dog", "t_shirt"]);
    });

    it("counts the images per class, nested folders flattened into their class", function () {
      assert.deepEqual(dataset.classCounts(), [5, 8, 4]);
      const cat = report.classes[0];
      assert.deepEqual([cat.files, cat.usable, cat.skipped], [7, 5, 2]);
    });

    it("splits each class 75/25 (DIGITS's default validation percent) and nothing for test", function () {
      assert.deepEqual(dataset.classCounts("validation"), [1, 2, 1]); // round(5/4), round(8/4), round(4/4)
      assert.deepEqual(dataset.classCounts("train"), [4, 6, 3]);
      assert.equal(dataset.size("test"), 0);
      assert.deepEqual(report.splitSizes, { train: 13, validation: 4, test: 0 });
    });

    it("reports every skipped file with its reason", function () {
      const byPath = new Map(report.skipped.map((s) => [s.path, s]));
      assert.equal(byPath.get("cat/broken.jpg")?.reason, "unreadable or corrupt");
      assert.match(byPath.get("cat/broken.jpg")?.detail ?? "", /damaged or cut short|JPEG/);
      assert.equal(byPath.get("cat/notes.txt")?.reason, "unsupported format");
      assert.equal(byPath.get("README.md")?.reason, "not in a class folder");
      assert.equal(report.skipped.length, 3);
      assert.match(report.toString(), /skipped cat\/broken\.jpg \(folder\): unreadable or corrupt/);
      assert.match(report.toHtml(), /cat\/broken\.jpg/);
    });

    it("gives images of the requested size and reports class imbalance", function () {
      assert.deepEqual(dataset.shape, [32, 32, 3]);
      assert.equal(report.imbalanceRatio, 2);
      assert.match(report.toString(), /imbalanced/);
    });

    it("writes DIGITS's labels.txt, split lists and mean image into the cache", function () {
      const dir = report.cache.dir!;
      assert.equal(readFileSync(join(dir, "labels.txt"), "utf8"), "cat\ndog\nt shirt\n");
      const train = readFileSync(join(dir, "train.txt"), "utf8").trim().split("\n");
      assert.equal(train.length, 13);
      assert.match(train[0], /^\/.*\.(png|jpg|jpeg) [0-2]$/);
      assert.equal(statSync(join(dir, "mean.f32")).size, 32 * 32 * 3 * 4);
      assert.ok(report.meanImagePng && report.meanImagePng.length > 100);
    });

    it("hits the cache the second time and reads no image", async function () {
      assert.equal(report.cache.hit, false);
      // Garble an image while keeping its size and time: a re-import that read it would now skip it.
      const victim = join(folder, "dog", "dog0.png");
      const original = readFileSync(victim);
      const { atime, mtime } = statSync(victim);
      writeFileSync(victim, Buffer.alloc(original.length, 7));
      utimesSync(victim, atime, mtime);
      try {
        const again = await importImageFolder(folder, { width: 32, height: 32, cacheDir });
        const againReport = again.report as ImportReport;
        assert.equal(againReport.cache.hit, true);
        assert.equal(againReport.skipped.length, 3);
        assert.deepEqual(await again.readImages([0, 5, 16]), await dataset.readImages([0, 5, 16]));
        assert.deepEqual(again.indices("validation"), dataset.indices("validation"));
      } finally {
        writeFileSync(victim, original);
        utimesSync(victim, atime, mtime);
      }
    });

    it("imports again when a file changes or an option changes", async function () {
      const other = await importImageFolder(folder, { width: 32, height: 32, cacheDir, seed: 1 });
      assert.equal((other.report as ImportReport).cache.hit, false);
      const extra = join(folder, "t_shirt", "shirt9.png");
      await writeImage(extra, 28, 28, shade(30));
      try {
        const grown = await importImageFolder(folder, { width: 32, height: 32, cacheDir });
        assert.equal((grown.report as ImportReport).cache.hit, false);
        assert.deepEqual(grown.classCounts(), [5, 8, 5]);
      } finally {
        const { rmSync } = await import("node:fs");
        rmSync(extra);
      }
    });
  });

  describe("resize modes", function () {
    let modes: string;
    before(async function () {
      modes = join(temp.path, "modes");
      // An 80×40 image: red for x < 16, green for 16 ≤ x < 64, blue beyond.
      for (const c of ["wide", "other"]) mkdirSync(join(modes, c), { recursive: true });
      await writeImage(join(modes, "wide", "bands.png"), 80, 40, (x) => (x < 16 ? RED : x < 64 ? GREEN : BLUE));
      await writeImage(join(modes, "other", "square.png"), 40, 40, () => [128, 128, 128]);
    });
    const load = (resizeMode: "squash" | "crop" | "fill" | "half_crop", width = 20, height = 20) =>
      importImageFolder(modes, { width, height, resizeMode, minPerClass: 1, validationPercent: 0, cache: false });
    const pixelAt = async (data: Dataset, x: number, y: number): Promise<number[]> => {
      const index = data.labels.indexOf(data.classNames.indexOf("wide"));
      const image = await data.readImages([index]);
      const at = (y * data.width + x) * 3;
      return Array.from(image.subarray(at, at + 3));
    };
    const near = (actual: number[], expected: RGB, tolerance = 40) =>
      assert.ok(actual.every((v, i) => Math.abs(v - expected[i]) <= tolerance), `${actual} is not near ${expected}`);

    it("squash: resizes the whole image, bands keep their places", async function () {
      const data = await load("squash");
      assert.deepEqual(data.shape, [20, 20, 3]);
      near(await pixelAt(data, 0, 10), RED);
      near(await pixelAt(data, 10, 10), GREEN);
      near(await pixelAt(data, 19, 10), BLUE);
      near(await pixelAt(data, 10, 0), GREEN);
    });

    it("crop: fits the height and keeps the middle, so only green remains", async function () {
      const data = await load("crop");
      assert.deepEqual(data.shape, [20, 20, 3]);
      assert.deepEqual(planResize(80, 40, 20, 20, "crop"), { resizeWidth: 40, resizeHeight: 20, crop: { left: 10, top: 0, width: 20, height: 20 }, pad: null });
      for (let x = 2; x < 18; x++) for (const y of [0, 10, 19]) near(await pixelAt(data, x, y), GREEN, 10);
    });

    it("fill: fits the width and pads rows above and below with noise", async function () {
      const data = await load("fill");
      assert.deepEqual(data.shape, [20, 20, 3]);
      const plan = planResize(80, 40, 20, 20, "fill");
      assert.deepEqual(plan, { resizeWidth: 20, resizeHeight: 10, crop: null, pad: { axis: "rows", each: 5 } });
      near(await pixelAt(data, 10, 10), GREEN);
      near(await pixelAt(data, 0, 10), RED, 60);
      const noise = await Promise.all([0, 1, 2, 3, 4, 5, 6, 7].map((x) => pixelAt(data, x, 2)));
      assert.ok(new Set(noise.map((p) => p.join())).size > 4, "the padding is random noise, not a flat colour");
    });

    it("half_crop: the mean of the two ratios, cropped across and padded down", async function () {
      const data = await load("half_crop");
      assert.deepEqual(data.shape, [20, 20, 3]);
      // ratio (4 + 2) / 2 = 3 → 27 × 13, height grown to 14 for an even padding, 4 columns cut, 3 noise rows each side.
      assert.deepEqual(planResize(80, 40, 20, 20, "half_crop"), {
        resizeWidth: 27,
        resizeHeight: 14,
        crop: { left: 4, top: 0, width: 20, height: 14 },
        pad: { axis: "rows", each: 3 },
      });
      near(await pixelAt(data, 10, 10), GREEN);
    });

    it("gives the requested width × height in every mode, for a non-square target too", async function () {
      for (const mode of ["squash", "crop", "fill", "half_crop"] as const) {
        const data = await load(mode, 24, 16);
        assert.deepEqual(data.shape, [16, 24, 3], mode);
        assert.equal((await data.readImages([0])).length, 16 * 24 * 3, mode);
      }
    });

    it("fills with the same noise for the same seed", async function () {
      const a = await load("fill");
      const b = await load("fill");
      assert.deepEqual(a.pixels.memory, b.pixels.memory);
    });
  });

  describe("formats and image types", function () {
    let formats: string;
    before(async function () {
      formats = join(temp.path, "formats");
      for (const c of ["red", "blue"]) mkdirSync(join(formats, c), { recursive: true });
      const fill = (color: RGB) => () => color;
      for (const [c, color] of [["red", RED], ["blue", BLUE]] as const) {
        await writeImage(join(formats, c, "x.webp"), 16, 16, fill(color), "webp");
        await writeImage(join(formats, c, "x.gif"), 16, 16, fill(color), "gif");
        await writeImage(join(formats, c, "x.tiff"), 16, 16, fill(color), "tiff");
        writeFileSync(join(formats, c, "x.bmp"), bmp(17, 15, fill(color)));
      }
      await writeImage(join(formats, "red", "tiny.png"), 4, 4, fill(RED));
      copyFileSync(join(formats, "red", "x.webp"), join(formats, "red", "copy-of-x.webp"));
    });

    it("decodes BMP, GIF, TIFF and WebP; skips a too-small image and a duplicate", async function () {
      const data = await importImageFolder(formats, { width: 8, height: 8, validationPercent: 0, cache: false });
      assert.deepEqual(data.classCounts(), [4, 4]); // blue, red
      assert.deepEqual(data.classNames, ["blue", "red"]);
      const report = data.report as ImportReport;
      const reasons = Object.fromEntries(report.skipped.map((s) => [s.path, s.reason]));
      assert.deepEqual(reasons, { "red/tiny.png": "too small", "red/x.webp": "duplicate" });
      for (let i = 0; i < data.size(); i++) {
        const pixels = await data.readImages([i]);
        const expected = data.labels[i] === 0 ? BLUE : RED;
        for (let p = 0; p < pixels.length; p += 3) {
          assert.ok(Math.abs(pixels[p] - expected[0]) < 12 && Math.abs(pixels[p + 2] - expected[2]) < 12, `image ${i}: ${pixels.subarray(p, p + 3)}`);
        }
      }
    });

    it("converts to grayscale with ITU-R 601 luma, as DIGITS (PIL) does", async function () {
      const data = await importImageFolder(formats, { width: 8, height: 8, imageType: "grayscale", validationPercent: 0, cache: false });
      assert.deepEqual(data.shape, [8, 8, 1]);
      const red = await data.readImages([data.labels.indexOf(1)]);
      const blue = await data.readImages([data.labels.indexOf(0)]);
      assert.ok(Math.abs(red[0] - 76) <= 3, `red → ${red[0]}`);
      assert.ok(Math.abs(blue[0] - 29) <= 3, `blue → ${blue[0]}`);
    });
  });

  describe("separate validation and test folders", function () {
    it("uses them whole and reports an image found in two splits", async function () {
      const validation = join(temp.path, "pets-validation");
      const test = join(temp.path, "pets-test");
      for (const c of ["cat", "dog", "t_shirt"]) {
        mkdirSync(join(validation, c), { recursive: true });
        mkdirSync(join(test, c), { recursive: true });
        await writeImage(join(validation, c, "v.png"), 30, 30, shade(50 + c.length));
        await writeImage(join(test, c, "t.png"), 30, 30, shade(60 + c.length));
      }
      copyFileSync(join(folder, "dog", "dog3.jpg"), join(validation, "dog", "leaked.jpg"));
      mkdirSync(join(test, "horse"));
      await writeImage(join(test, "horse", "h.png"), 30, 30, shade(70));
      const data = await importImageFolder(folder, { width: 16, height: 16, validationFolder: validation, testFolder: test, cache: false });
      assert.deepEqual(data.classCounts("train"), [5, 8, 4]);
      assert.deepEqual(data.classCounts("validation"), [1, 2, 1]);
      assert.deepEqual(data.classCounts("test"), [1, 1, 1]);
      const report = data.report as ImportReport;
      assert.equal(report.leakage.length, 1);
      assert.deepEqual(report.leakage[0].files.map((f) => f.split).sort(), ["train", "validation"]);
      assert.ok(report.skipped.some((s) => s.path === "horse/h.png" && s.reason === "unknown class" && s.folder === "test folder"));
    });
  });

  describe("bad input", function () {
    it("fails on a missing path, naming it", async function () {
      const missing = join(temp.path, "no-such-folder");
      await assert.rejects(importImageFolder(missing), (error: Error) => {
        assert.ok(error instanceof ImportError);
        assert.equal(error.path, missing);
        assert.match(error.message, /does not exist\. Check the path/);
        return true;
      });
    });

    it("fails with fewer than 2 classes, saying how to lay the folder out", async function () {
      const one = join(temp.path, "one-class");
      mkdirSync(join(one, "cat"), { recursive: true });
      await writeImage(join(one, "cat", "a.png"), 20, 20, shade(1));
      await assert.rejects(importImageFolder(one, { cache: false }), /has only one subfolder \(cat\)\. An image classification dataset needs at least 2 classes/);
    });

    it("fails on an empty class folder, naming it", async function () {
      const withEmpty = join(temp.path, "with-empty");
      mkdirSync(join(withEmpty, "cat"), { recursive: true });
      mkdirSync(join(withEmpty, "dog"));
      await writeImage(join(withEmpty, "cat", "a.png"), 20, 20, shade(1));
      await assert.rejects(importImageFolder(withEmpty, { cache: false }), new RegExp(`The class folder ${join(withEmpty, "dog")} is empty`));
    });

    it("fails when a class has only unusable files, and lists them", async function () {
      const bad = join(temp.path, "all-bad");
      mkdirSync(join(bad, "cat"), { recursive: true });
      mkdirSync(join(bad, "dog"));
      await writeImage(join(bad, "cat", "a.png"), 20, 20, shade(1));
      await writeImage(join(bad, "cat", "b.png"), 20, 20, shade(2));
      writeFileSync(join(bad, "dog", "a.png"), "not a png");
      await assert.rejects(importImageFolder(bad, { cache: false }), (error: ImportError) => {
        assert.match(error.message, /None of the 1 files in the class folder .*dog could be used \(1 unsupported format\)/);
        assert.equal((error.report as { skipped: unknown[] }).skipped.length, 1);
        return true;
      });
    });

    it("leaves out a class below minPerClass and reports it", async function () {
      const data = await importImageFolder(folder, { width: 8, height: 8, minPerClass: 5, cache: false });
      assert.deepEqual(data.classNames, ["cat", "dog"]);
      assert.deepEqual((data.report as ImportReport).droppedClasses.map((d) => d.label), ["t shirt"]);
    });

    it("caps classes with maxPerClass", async function () {
      const data = await importImageFolder(folder, { width: 8, height: 8, maxPerClass: 4, validationPercent: 0, cache: false });
      assert.deepEqual(data.classCounts(), [4, 4, 4]);
      assert.equal((data.report as ImportReport).classes[1].overMax, 4);
    });

    it("rejects unknown and out-of-range options", async function () {
      await assert.rejects(importImageFolder(folder, { size: 28 } as never), /Unknown importImageFolder option "size"/);
      await assert.rejects(importImageFolder(folder, { resizeMode: "stretch" as never }), /resizeMode must be one of "squash", "crop", "fill", "half_crop"/);
      await assert.rejects(importImageFolder(folder, { validationPercent: 60, testPercent: 40 }), /leave nothing for training/);
    });
  });

  describe("in a notebook", function () {
    it("shows progress and then replaces it with the report", async function () {
      const { host, uninstall } = installFakeHost();
      try {
        await importImageFolder(folder, { width: 12, height: 12, cache: false });
      } finally {
        uninstall();
      }
      assert.ok(host.outputs.length >= 2);
      const ids = new Set(host.outputs.map((o) => o.options?.displayId));
      assert.equal(ids.size, 1, "one output, updated in place");
      assert.match(String(host.outputs[0].bundle["text/plain"]), /Importing pets: \d+ \/ 18/);
      const last = host.outputs[host.outputs.length - 1];
      assert.equal(last.options?.update, true);
      assert.match(String(last.bundle["text/html"]), /cat\/broken\.jpg/);
    });
  });
});

describe("importImageFolder, interrupted", function () {
  it("stops when the learner interrupts, and caches nothing", async function () {
    const temp = tempDir("interrupt");
    const { host, uninstall } = installFakeHost();
    try {
      const root = join(temp.path, "pics");
      for (const c of ["a", "b"]) {
        mkdirSync(join(root, c), { recursive: true });
        for (let i = 0; i < 3; i++) await writeImage(join(root, c, `${i}.png`), 16, 16, shade(i));
      }
      (host as { signal: AbortSignal }).signal = AbortSignal.abort();
      const cacheDir = join(temp.path, "cache");
      await assert.rejects(importImageFolder(root, { cacheDir, width: 8, height: 8 }), /was interrupted after 0 of 6 files; nothing was cached/);
      const { readdirSync, existsSync } = await import("node:fs");
      assert.ok(!existsSync(cacheDir) || readdirSync(cacheDir).length === 0);
    } finally {
      uninstall();
      temp.remove();
    }
  });
});
