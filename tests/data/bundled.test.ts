import assert from "node:assert/strict";
import { copyFileSync, cpSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { createHash } from "node:crypto";
import { DatasetFileError, DatasetManifest, loadFashionMnist, loadMnist } from "../../lib/data/sources";
import { datasetDir } from "../../lib/data/sources/paths";
import { tempDir } from "./helpers";

describe("bundled datasets", function () {
  describe("loadMnist", function () {
    it("holds the 10,000 digits of the mnist package with their class counts", async function () {
      const mnist = await loadMnist({ split: false });
      assert.equal(mnist.size(), 10_000);
      assert.deepEqual(mnist.shape, [28, 28, 1]);
      assert.deepEqual(mnist.classNames, ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);
      assert.deepEqual(mnist.classCounts(), [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
    });

    it("stores the package's pixels exactly (value v becomes round(v * 255))", async function () {
      const mnist = await loadMnist({ split: false });
      // The digits are stored class by class, in the package's order.
      const threes = (JSON.parse(readFileSync(join(dirname(require.resolve("mnist/package.json")), "src/digits/3.json"), "utf8")) as { data: number[] }).data;
      const firstThree = 1001 + 1127 + 991;
      const last = 1032 - 1;
      for (const which of [0, 500, last]) {
        const pixels = await mnist.readImages([firstThree + which]);
        const expected = threes.slice(which * 784, (which + 1) * 784).map((v) => Math.round(v * 255));
        assert.deepEqual(Array.from(pixels), expected, `three number ${which}`);
        assert.equal(mnist.labels[firstThree + which], 3);
      }
    });

    it("deals 60/20/20 per class by default, the same way for the same seed", async function () {
      const a = await loadMnist();
      const b = await loadMnist();
      assert.deepEqual([a.size("train"), a.size("validation"), a.size("test")], [6000, 2000, 2000]);
      for (const split of ["train", "validation", "test"] as const) assert.deepEqual(a.indices(split), b.indices(split));
      // Stratified: each class keeps its share (to rounding).
      const all = a.classCounts();
      a.classCounts("validation").forEach((n, c) => assert.equal(n, Math.round(all[c] * 0.2)));
      const other = await loadMnist({ split: { seed: 1 } });
      assert.notDeepEqual(other.indices("test"), a.indices("test"));
    });
  });

  describe("loadFashionMnist", function () {
    it("keeps the official 10,000 test images and holds 10,000 validation images out of the 60,000", async function () {
      const fashion = await loadFashionMnist();
      assert.equal(fashion.size(), 70_000);
      assert.deepEqual([fashion.size("train"), fashion.size("validation"), fashion.size("test")], [50_000, 10_000, 10_000]);
      assert.deepEqual(fashion.classCounts("test"), new Array(10).fill(1000));
      assert.deepEqual(fashion.classCounts("validation"), new Array(10).fill(1000));
      // The official test images are the last 10,000 stored, in file order.
      assert.deepEqual(Array.from(fashion.indices("test").slice(0, 3)), [60_000, 60_001, 60_002]);
      assert.equal(fashion.classNames[0], "T-shirt/top");
      assert.equal(fashion.classNames[9], "Ankle boot");
      assert.match(fashion.source?.license ?? "", /MIT/);
    });

    it("keeps the official split as it is with validation: 0", async function () {
      const fashion = await loadFashionMnist({ validation: 0 });
      assert.deepEqual([fashion.size("train"), fashion.size("validation"), fashion.size("test")], [60_000, 0, 10_000]);
      assert.deepEqual(fashion.classCounts("train"), new Array(10).fill(6000));
    });

    it("ships files byte-identical to Debian's package, with their checksums in the manifest", function () {
      const dir = datasetDir("fashion-mnist");
      const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as DatasetManifest;
      assert.match(readFileSync(join(dir, "LICENSE"), "utf8"), /Zalando SE[\s\S]*Permission is hereby granted/);
      for (const file of ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]) {
        const shipped = readFileSync(join(dir, file));
        assert.equal(createHash("sha256").update(shipped).digest("hex"), manifest.files[file].sha256, file);
        let debian: Buffer;
        try {
          debian = readFileSync(join("/usr/share/datasets/fashion-mnist", file));
        } catch {
          // Without the Debian package (it is in .ci/run) the manifest's checksums still guard the files.
          continue;
        }
        assert.ok(debian.equals(shipped), file);
      }
    });
  });

  describe("damaged files", function () {
    let temp: ReturnType<typeof tempDir>;
    beforeEach(function () {
      temp = tempDir("damaged");
      cpSync(datasetDir("mnist"), temp.path, { recursive: true });
    });
    afterEach(function () {
      temp.remove();
    });

    it("refuses a changed byte, naming the file and what to do", async function () {
      const file = join(temp.path, "images-idx3-ubyte.gz");
      const bytes = readFileSync(file);
      bytes[bytes.length >> 1] ^= 0xff;
      writeFileSync(file, bytes);
      await assert.rejects(loadMnist({ directory: temp.path }), (error: Error) => {
        assert.ok(error instanceof DatasetFileError);
        assert.match(error.message, /images-idx3-ubyte\.gz is damaged: its SHA-256 is [0-9a-f]{64}, but the manifest says/);
        assert.match(error.message, /Restore it/);
        return true;
      });
    });

    it("refuses a truncated file and a missing file", async function () {
      const file = join(temp.path, "labels-idx1-ubyte.gz");
      writeFileSync(file, readFileSync(file).subarray(0, 10));
      await assert.rejects(loadMnist({ directory: temp.path }), /labels-idx1-ubyte\.gz is damaged: it has 10 bytes/);
      copyFileSync(join(datasetDir("mnist"), "labels-idx1-ubyte.gz"), file);
      await loadMnist({ directory: temp.path });
      const { rmSync } = await import("node:fs");
      rmSync(join(temp.path, "images-idx3-ubyte.gz"));
      await assert.rejects(loadMnist({ directory: temp.path }), /images-idx3-ubyte\.gz cannot be read/);
    });
  });
});
