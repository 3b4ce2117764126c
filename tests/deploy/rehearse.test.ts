/**
 * rehearseOnDevice: jetson-inference's pipeline reproduced (loadImage,
 * cudaTensorNormMeanRGB, imagenet's and detectnet's reports), checked against
 * tfjs on the training preprocessing and against hand-made cases.
 */
import { strict as assert } from "node:assert";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import sharp from "sharp";
import { IMAGENET_PREPROCESSING, jetsonBundle, loadImageLikeJetson, rehearseOnDevice, tensorNormMeanRGB } from "../../lib/deploy";
import { DISPLAY } from "../../lib/display";
import { importImageFolder } from "../../lib/data/sources";
import { OnnxGraphBuilder, makeModel, tensorValueInfo } from "../../lib/deploy/onnx/graph-builder";
import { DataType, encodeModel } from "../../lib/deploy/onnx/proto";
import { floatTensor } from "../../lib/deploy/onnx/tensors";
import { detectnetDetect } from "../../lib/deploy/jetson-inference/detectnet";
import { imagenetClassify } from "../../lib/deploy/jetson-inference/imagenet";
import { DigitSet, mnistDigits, trainedModel, useBackend } from "./fixtures";

const LABELS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];

/** A digit as a colour PNG `factor` times its size (nearest), the way a learner's photo of it would arrive. */
async function digitPng(set: DigitSet, index: number, factor: number): Promise<Buffer> {
  const gray = Buffer.from(Array.from(set.x.subarray(index * 784, (index + 1) * 784), (v) => Math.round(v * 255)));
  return sharp(gray, { raw: { width: 28, height: 28, channels: 1 } })
    .resize(28 * factor, 28 * factor, { kernel: "nearest" })
    .toColourspace("srgb")
    .png()
    .toBuffer();
}

describe("deploy: rehearseOnDevice", function () {
  this.timeout(600000);
  let root: string;
  let bundleDir: string;
  let model: tf.LayersModel;

  before(async () => {
    await useBackend();
    model = (await trainedModel()).model;
    root = mkdtempSync(join(tmpdir(), "convlab-rehearse-"));
    bundleDir = join(root, "bundle");
    await jetsonBundle(model, bundleDir, { labels: LABELS, normalization: { scale: 1 / 255 } });
  });

  after(() => rmSync(root, { recursive: true, force: true }));

  it("agrees with tfjs on the training preprocessing for 200 images: same top-1, probabilities within 1e-4", async () => {
    const heldOut = mnistDigits().heldOut;
    const folder = join(root, "digits");
    const count = 200;
    for (let i = 0; i < count; i++) {
      const classFolder = join(folder, LABELS[heldOut.labels[i]]);
      mkdirSync(classFolder, { recursive: true });
      // 28, 56 and 84 pixels: jetson-inference's nearest-neighbour squash picks the original pixels back.
      writeFileSync(join(classFolder, `digit-${String(i).padStart(3, "0")}.png`), await digitPng(heldOut, i, 1 + (i % 3)));
    }
    const files = Array.from({ length: count }, (_, i) => join(folder, LABELS[heldOut.labels[i]], `digit-${String(i).padStart(3, "0")}.png`));
    // The training preprocessing of those files: their 0–255 gray levels / 255 (the mnist package rounds to 3 decimals, the PNGs to whole levels).
    const inputs = tf.tensor4d(Float32Array.from(heldOut.x.subarray(0, count * 784), (v) => Math.round(v * 255) / 255), [count, 28, 28, 1]);
    const rehearsal = await rehearseOnDevice(bundleDir, files, { compare: { model, inputs } });
    inputs.dispose();
    assert.equal(rehearsal.rows.length, count);
    assert.equal(rehearsal.top1Agreement, 1, rehearsal.disagreements.map((r) => r.image).join(", "));
    assert.ok(rehearsal.maxAbsDiff! <= 1e-4, `max |device − tfjs| = ${rehearsal.maxAbsDiff}`);
    // The class comes from the folder name; the device is as accurate as tfjs on these digits.
    const tfjsRight = rehearsal.rows.filter((r) => r.notebook!.classIndex === r.expected).length / count;
    assert.equal(rehearsal.accuracy, tfjsRight);
    const first = rehearsal.rows[0];
    assert.match(first.lines[0], new RegExp(`^imagenet:  \\d{1,3}\\.\\d{5}% class #${first.classIndex} \\(${LABELS[first.classIndex!]}\\)$`));
    assert.match(String(rehearsal[DISPLAY]()["text/plain"]), /imagenet on 200 image\(s\), model\.onnx squashed to 28×28; .*same top-1 as the notebook for 100\.0%/);
  });

  it("compares with an imported dataset's own preprocessing, file by file", async () => {
    const heldOut = mnistDigits().heldOut;
    const folder = join(root, "small");
    for (let i = 0; i < 30; i++) {
      const classFolder = join(folder, LABELS[heldOut.labels[i]]);
      mkdirSync(classFolder, { recursive: true });
      writeFileSync(join(classFolder, `d${i}.png`), await digitPng(heldOut, i, 1));
    }
    const dataset = await importImageFolder(folder, { imageType: "grayscale", width: 28, height: 28, minPerClass: 1, validationPercent: 0, display: false, cacheDir: join(root, "cache") });
    const rehearsal = await rehearseOnDevice(bundleDir, folder, { compare: { model, dataset } });
    assert.equal(rehearsal.rows.length, 30);
    assert.equal(rehearsal.top1Agreement, 1);
    assert.ok(rehearsal.maxAbsDiff! <= 1e-4, String(rehearsal.maxAbsDiff));
  });

  it("reproduces cudaTensorNormMeanRGB: nearest-neighbour squash, planar RGB, ImageNet mean and std", () => {
    // A 5×3 image; each pixel's R is its index, G 100 + index, B 200 − index.
    const rgb = new Uint8Array(5 * 3 * 3);
    for (let i = 0; i < 15; i++) rgb.set([i, 100 + i, 200 - i], i * 3);
    const out = tensorNormMeanRGB({ rgb, width: 5, height: 3 }, 2, 2, IMAGENET_PREPROCESSING);
    // scale (2.5, 1.5): output (x, y) reads input (trunc(2.5 x), trunc(1.5 y)) → (0,0) (2,0) (0,1) (2,1).
    const read = [0, 2, 5, 7];
    read.forEach((index, m) => {
      for (let c = 0; c < 3; c++) {
        const value = [index, 100 + index, 200 - index][c];
        const expected = (value / 255 - IMAGENET_PREPROCESSING.mean[c]) / IMAGENET_PREPROCESSING.std[c];
        assert.ok(Math.abs(out[c * 4 + m] - expected) < 1e-6, `c ${c} m ${m}: ${out[c * 4 + m]} vs ${expected}`);
      }
    });
  });

  it("reads image files as stb_image does: alpha dropped without blending, gray repeated, EXIF ignored", async () => {
    // A 2×1 RGBA PNG: an opaque red pixel and a fully transparent green one.
    const png = await sharp(Buffer.from([255, 0, 0, 255, 0, 255, 0, 0]), { raw: { width: 2, height: 1, channels: 4 } }).png().toBuffer();
    const image = await loadImageLikeJetson(png);
    assert.deepEqual(Array.from(image.rgb), [255, 0, 0, 0, 255, 0]);
    const gray = await sharp(Buffer.from([7, 200]), { raw: { width: 2, height: 1, channels: 1 } }).png().toBuffer();
    assert.deepEqual(Array.from((await loadImageLikeJetson(gray)).rgb), [7, 7, 7, 200, 200, 200]);
    const rotated = await sharp(Buffer.from([1, 2, 3, 4, 5, 6]), { raw: { width: 2, height: 1, channels: 3 } }).jpeg({ quality: 100 }).withMetadata({ orientation: 6 }).toBuffer();
    const loaded = await loadImageLikeJetson(rotated);
    assert.deepEqual([loaded.width, loaded.height], [2, 1], "stored orientation, not the EXIF-rotated one");
  });

  it("prints what imagenet prints, and nothing when no class reaches the threshold", () => {
    const result = imagenetClassify(Float32Array.from([0.1, 0.7, 0.2]), ["a", "b", "c"]);
    assert.equal(result.line, "imagenet:  70.00000% class #1 (b)");
    assert.equal(imagenetClassify(Float32Array.from([0.005, 0.004]), ["a", "b"]).line, "");
    assert.equal(imagenetClassify(Float32Array.from([0.3, 0.7]), ["a", "b"], 0.8).classIndex, -1);
  });

  it("reports boxes as detectnet does: background skipped, same-class overlaps merged, sorted by area, clamped", () => {
    const classes = 3; // background, cat, dog
    const scores = Float32Array.from([
      ...[0.9, 0.05, 0.05], // background: nothing
      ...[0.1, 0.8, 0.1], // cat, small box
      ...[0.2, 0.7, 0.1], // cat, almost the same box: merged into the first
      ...[0.1, 0.2, 0.7], // dog, large box past the image's right edge
      ...[0.4, 0.4, 0.2], // under the 0.5 threshold
    ]);
    const boxes = Float32Array.from([
      ...[0, 0, 1, 1],
      ...[0.1, 0.1, 0.3, 0.3],
      ...[0.1, 0.1, 0.31, 0.3],
      ...[0.5, 0.2, 1.2, 0.9],
      ...[0, 0, 0.5, 0.5],
    ]);
    const detections = detectnetDetect(scores, boxes, classes, ["BACKGROUND", "cat", "dog"], 640, 480);
    assert.deepEqual(detections.map((d) => d.label), ["dog", "cat"]);
    const [dog, cat] = detections;
    assert.equal(dog.right, 639, "clamped to width − 1");
    assert.ok(Math.abs(cat.right - 0.31 * 640) < 1e-3, "the merged box covers both");
    assert.ok(Math.abs(cat.confidence - 0.8) < 1e-6, "and keeps the higher confidence");
  });

  it("runs a detection bundle (scores [1, N, C], boxes [1, N, 4]) with detectnet's preprocessing and report", async () => {
    // A network whose outputs are constants: one cat box over the left half of any image.
    const builder = new OnnxGraphBuilder(["input_0", "scores", "boxes"]);
    const scores = builder.addInitializer(floatTensor("scores_value", [1, 2, 3], [0.1, 0.9, 0, 1, 0, 0]));
    const boxes = builder.addInitializer(floatTensor("boxes_value", [1, 2, 4], [0, 0, 0.5, 1, 0, 0, 1, 1]));
    builder.add("Identity", [scores], { name: "scores_out", outputs: ["scores"] });
    builder.add("Identity", [boxes], { name: "boxes_out", outputs: ["boxes"] });
    const graph = builder.graph("detector", [tensorValueInfo("input_0", DataType.FLOAT, [1, 3, 8, 8])], [tensorValueInfo("scores", DataType.FLOAT, [1, 2, 3]), tensorValueInfo("boxes", DataType.FLOAT, [1, 2, 4])], "");
    const dir = join(root, "detector");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "model.onnx"), encodeModel(makeModel(graph, { opset: 13, producerVersion: "test" })));
    writeFileSync(join(dir, "labels.txt"), "BACKGROUND\ncat\ndog\n");
    writeFileSync(join(dir, "README.md"), "```bash\ndetectnet --model=model.onnx --labels=labels.txt --input-blob=input_0 --output-cvg=scores --output-bbox=boxes image.jpg out.jpg\n```\n");
    const rehearsal = await rehearseOnDevice(dir, [{ name: "wide", rgb: new Uint8Array(100 * 50 * 3), width: 100, height: 50 }]);
    assert.equal(rehearsal.program, "detectnet");
    assert.deepEqual(rehearsal.rows[0].lines, [
      "1 objects detected",
      "detected obj 0  class #1 (cat)  confidence=0.900000",
      "bounding box 0  (0.00, 0.00)  (50.00, 49.00)  w=50.00  h=49.00",
    ]);
  });

  it("says what is wrong with a folder that is not a bundle", async () => {
    await assert.rejects(rehearseOnDevice(root, [join(root, "nothing.png")]), /has no model\.onnx\. Pass the folder jetsonBundle wrote/);
    await assert.rejects(rehearseOnDevice(bundleDir, []), /No images to rehearse with/);
  });
});
