/**
 * Pascal VOC folders: scenes exported and imported again are the same
 * scenes; bad annotations are reported with their reason and the images
 * left out; camera-capture's layout (JPEG photos of another size, 1-based
 * boxes, trainval.txt) is read and scaled.
 */
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { exportVoc, importVocFolder, VocImportReport } from "../../lib/data/sources";
import { makeScenes } from "../../lib/data/scenes";

const xml = (file: string, w: number, h: number, objects: { name: string; box: (number | string)[] }[]) =>
  `<?xml version="1.0"?>\n<annotation><filename>${file}</filename><size><width>${w}</width><height>${h}</height><depth>3</depth></size>` +
  objects.map((o) => `<object><name>${o.name}</name><difficult>0</difficult><bndbox><xmin>${o.box[0]}</xmin><ymin>${o.box[1]}</ymin><xmax>${o.box[2]}</xmax><ymax>${o.box[3]}</ymax></bndbox></object>`).join("") +
  `</annotation>\n`;

describe("Pascal VOC import and export", function () {
  this.timeout(60000);
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "convlab-voc-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("round trip: exportVoc then importVocFolder gives the same pixels, boxes, masks and splits", async function () {
    const scenes = await makeScenes({ count: { train: 12, validation: 4, test: 4 }, seed: 5 });
    const written = await exportVoc(scenes, dir);
    assert.equal(written.images, 20);
    assert.deepEqual(readFileSync(join(dir, "labels.txt"), "utf8").trim().split("\n"), scenes.classNames);
    assert.ok(existsSync(join(dir, "ImageSets", "Main", "trainval.txt")));
    assert.match(readFileSync(join(dir, "Annotations", `${written.sets.train[0]}.xml`), "utf8"), /<bndbox>\s*<xmin>\d+<\/xmin>/);
    const back = await importVocFolder(dir);
    assert.deepEqual((back.report as VocImportReport).skipped, []);
    assert.deepEqual(back.classNames, scenes.classNames);
    for (const split of ["train", "validation", "test"] as const) {
      assert.equal(back.size(split), scenes.size(split), split);
      for (let i = 0; i < scenes.size(split); i++) {
        const [a, b] = [await scenes.scene(split, i), await back.scene(split, i)];
        assert.deepEqual(b.pixels, a.pixels, `${split} ${i} pixels`);
        assert.deepEqual(b.objects, a.objects, `${split} ${i} boxes`);
        assert.deepEqual(b.mask, a.mask, `${split} ${i} mask`);
      }
    }
  });

  it("reports and skips bad annotations: box outside the image, unknown class, missing image, missing or broken annotation, empty box", async function () {
    for (const sub of ["Annotations", "JPEGImages", "ImageSets/Main"]) mkdirSync(join(dir, sub), { recursive: true });
    writeFileSync(join(dir, "labels.txt"), "cat\ndog\n");
    const photo = await sharp({ create: { width: 40, height: 30, channels: 3, background: { r: 90, g: 120, b: 200 } } }).jpeg().toBuffer();
    const images: Record<string, string> = {
      good: xml("good.jpg", 40, 30, [{ name: "dog", box: [1, 1, 40, 30] }, { name: "cat", box: [5, 6, 14, 20] }]),
      outside: xml("outside.jpg", 40, 30, [{ name: "cat", box: [30, 2, 41, 12] }]),
      unknown: xml("unknown.jpg", 40, 30, [{ name: "bird", box: [2, 2, 10, 10] }]),
      noimage: xml("noimage.jpg", 40, 30, [{ name: "cat", box: [2, 2, 10, 10] }]),
      broken: "<annotation><object></annotation>",
      empty: xml("empty.jpg", 40, 30, [{ name: "cat", box: [20, 5, 12, 9] }]),
      nobox: xml("nobox.jpg", 40, 30, [{ name: "cat", box: ["a", 2, 10, 10] }]),
    };
    for (const [id, content] of Object.entries(images)) {
      writeFileSync(join(dir, "Annotations", `${id}.xml`), content);
      if (id !== "noimage") writeFileSync(join(dir, "JPEGImages", `${id}.jpg`), photo);
    }
    writeFileSync(join(dir, "ImageSets/Main/train.txt"), [...Object.keys(images), "ghost"].join("\n") + "\n");
    const scenes = await importVocFolder(dir, { width: 80, height: 60 });
    const report = scenes.report as VocImportReport;
    const reasons = Object.fromEntries(report.skipped.map((s) => [s.id, s.reason]));
    assert.deepEqual(reasons, {
      outside: "box outside the image",
      unknown: "unknown class",
      noimage: "missing image",
      broken: "unreadable annotation",
      empty: "bad box",
      nobox: "bad box",
      ghost: "missing annotation",
    });
    assert.match(report.skipped.find((s) => s.id === "unknown")!.detail, /"bird".*not a class of labels\.txt \(cat, dog\)/);
    assert.match(report.toString(), /1 images with 2 objects in 2 classes, 80×60 grayscale; train 1, validation 0, test 0; skipped 7 images/);
    // The good image, scaled ×2: VOC's 1-based inclusive box 1..40 is the edges 0..40, then 0..80.
    assert.deepEqual((await scenes.scene("train", 0)).objects, [
      { x1: 0, y1: 0, x2: 80, y2: 60, classIndex: 1 },
      { x1: 8, y1: 10, x2: 28, y2: 40, classIndex: 0 },
    ]);
    assert.ok(report.notes.some((n) => /no val\.txt/.test(n)));
  });

  it("reads camera-capture's trainval.txt, drops a BACKGROUND line from labels.txt, and says when images are in several sets", async function () {
    for (const sub of ["Annotations", "JPEGImages", "ImageSets/Main"]) mkdirSync(join(dir, sub), { recursive: true });
    writeFileSync(join(dir, "labels.txt"), "BACKGROUND\nmug\n");
    const photo = await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 10, g: 10, b: 10 } } }).png().toBuffer();
    const ids = Array.from({ length: 10 }, (_, i) => `20240101-1200${String(i).padStart(2, "0")}`);
    for (const id of ids) {
      writeFileSync(join(dir, "Annotations", `${id}.xml`), xml(`${id}.png`, 64, 48, [{ name: "mug", box: [11, 11, 30, 40] }]));
      writeFileSync(join(dir, "JPEGImages", `${id}.png`), photo);
    }
    writeFileSync(join(dir, "ImageSets/Main/trainval.txt"), ids.join("\n") + "\n");
    writeFileSync(join(dir, "ImageSets/Main/test.txt"), ids.slice(0, 2).join("\n") + "\n");
    const scenes = await importVocFolder(dir, { validationPercent: 20 });
    assert.deepEqual(scenes.classNames, ["mug"]);
    assert.deepEqual([scenes.size("train"), scenes.size("validation"), scenes.size("test")], [8, 2, 2]);
    const report = scenes.report as VocImportReport;
    assert.ok(report.notes.some((n) => /BACKGROUND/.test(n)));
    assert.ok(report.notes.some((n) => /more than one of train, val and test/.test(n)));
  });

  it("says what a VOC folder should hold when it gets something else", async function () {
    await assert.rejects(importVocFolder(join(dir, "nowhere")), /is not a folder/);
    await assert.rejects(importVocFolder(dir), /no Annotations folder/);
  });
});
