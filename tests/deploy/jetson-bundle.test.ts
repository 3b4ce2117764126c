import { strict as assert } from "node:assert";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import * as ort from "onnxruntime-node";
import sharp from "sharp";
import { JETSON_INFERENCE_PREPROCESSING, JetsonBundle, jetsonBundle, toOnnx, verifyOnnx } from "../../lib/deploy";
import { DISPLAY } from "../../lib/display";
import { decodeModel } from "../../lib/deploy/onnx/proto";
import { DigitSet, asSamples, lenet, mnistDigits, trainedModel, useBackend } from "./fixtures";
import { checkerTest, keepForChecker } from "./helpers";

/**
 * jetson-inference's imageNet preprocessing for ONNX models, written from its
 * sources (c/imageNet.cpp preProcess → cudaTensorNormMeanRGB, kernel
 * gpuTensorNormMean in c/tensorConvert.cu): for output pixel (x, y) read input
 * pixel (floor(x * inW / outW), floor(y * inH / outH)) — a nearest-neighbour
 * squash — and write planar RGB ((p * (1 / 255) + 0) − mean[c]) / std[c].
 */
function jetsonInferencePreprocess(rgb: Uint8Array, inWidth: number, inHeight: number, channelsIn: number, outWidth: number, outHeight: number): Float32Array {
  const mean = [0.485, 0.456, 0.406];
  const std = [0.229, 0.224, 0.225];
  const multiplier = (1 - 0) / 255;
  const scaleX = inWidth / outWidth;
  const scaleY = inHeight / outHeight;
  const out = new Float32Array(3 * outWidth * outHeight);
  const stride = outWidth * outHeight;
  for (let y = 0; y < outHeight; y++) {
    for (let x = 0; x < outWidth; x++) {
      const dx = Math.trunc(Math.fround(x * Math.fround(scaleX)));
      const dy = Math.trunc(Math.fround(y * Math.fround(scaleY)));
      const at = (dy * inWidth + dx) * channelsIn;
      const m = y * outWidth + x;
      for (let c = 0; c < 3; c++) out[stride * c + m] = (rgb[at + c] * multiplier + 0 - mean[c]) / std[c];
    }
  }
  return out;
}

/** A held-out digit as a photo-like RGB PNG, `factor` times larger (nearest), decoded back to raw RGB. */
async function digitAsRgbImage(set: DigitSet, index: number, width: number, height: number): Promise<{ rgb: Uint8Array; width: number; height: number }> {
  const gray = new Uint8Array(28 * 28);
  for (let i = 0; i < 784; i++) gray[i] = Math.round(set.x[index * 784 + i] * 255);
  const png = await sharp(Buffer.from(gray), { raw: { width: 28, height: 28, channels: 1 } })
    .resize(width, height, { kernel: "nearest", fit: "fill" })
    .toColourspace("srgb")
    .png()
    .toBuffer();
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  assert.equal(info.channels, 3);
  return { rgb: new Uint8Array(data), width: info.width, height: info.height };
}

describe("deploy: jetsonBundle for the trained LeNet", function () {
  this.timeout(600000);
  let bundle: JetsonBundle;
  let model: tf.LayersModel;
  const labels = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];
  let dir: string;

  before(async () => {
    await useBackend();
    model = (await trainedModel()).model;
    dir = join(mkdtempSync(join(tmpdir(), "convlab-bundle-")), "lenet-bundle");
    bundle = await jetsonBundle(model, dir, {
      labels,
      normalization: { scale: 1 / 255 }, // the mnist digits were trained as 0–1 gray
      int8Calibration: asSamples(mnistDigits().train, 300),
    });
    keepForChecker(readFileSync(join(dir, "model.onnx")), "bundle-model");
    keepForChecker(readFileSync(join(dir, "model_int8.onnx")), "bundle-model-int8");
  });

  after(() => rmSync(dirname(dir), { recursive: true, force: true }));

  it("writes model.onnx, labels.txt, README.md, bundle.json and model_int8.onnx", () => {
    for (const name of ["model.onnx", "labels.txt", "README.md", "bundle.json", "model_int8.onnx"]) assert.ok(existsSync(join(dir, name)), name);
    assert.deepEqual(bundle.files.map((f) => f.name).sort(), ["README.md", "bundle.json", "labels.txt", "model.onnx", "model_int8.onnx"]);
  });

  it("model.onnx: input_0 float32 [1, 3, 28, 28] (RGB, as jetson-inference feeds it) and output_0 float32 [1, 10]", async () => {
    for (const file of ["model.onnx", "model_int8.onnx"]) {
      const graph = decodeModel(readFileSync(join(dir, file))).graph;
      assert.equal(graph.input.length, 1);
      assert.equal(graph.input[0].name, "input_0");
      assert.equal(graph.input[0].type.tensor_type.elem_type, 1, "float32");
      assert.deepEqual(graph.input[0].type.tensor_type.shape?.dim.map((d) => Number(d.dim_value)), [1, 3, 28, 28]);
      assert.equal(graph.output[0].name, "output_0");
      assert.deepEqual(graph.output[0].type.tensor_type.shape?.dim.map((d) => Number(d.dim_value)), [1, 10]);
    }
    const session = await ort.InferenceSession.create(join(dir, "model.onnx"));
    assert.deepEqual([...session.inputNames], ["input_0"]);
    assert.deepEqual([...session.outputNames], ["output_0"]);
    await session.release();
  });

  it("verifyOnnx feeds the bundle model jetson-inference-style input and it matches tfjs to 1e-4", async () => {
    const samples = asSamples(mnistDigits().heldOut, 200);
    const report = await verifyOnnx(model, join(dir, "model.onnx"), samples);
    assert.ok(report.passed, `max diff ${report.maxAbsDiff}`);
    assert.equal(report.top1Agreement, 1);
    const shown = await report[DISPLAY]();
    assert.match(String(shown["text/plain"]), /matches tfjs/);
    samples.x.dispose();
  });

  it("labels.txt has one label per line, as many as the model has outputs", () => {
    const lines = readFileSync(join(dir, "labels.txt"), "utf8").split("\n");
    assert.equal(lines.pop(), "", "ends with a newline");
    const outputs = (model.outputs[0].shape as number[])[1];
    assert.equal(lines.length, outputs);
    assert.deepEqual(lines, labels);
  });

  it("README gives the exact imagenet / imagenet.py and trtexec commands and how to copy the bundle", () => {
    const readme = readFileSync(join(dir, "README.md"), "utf8");
    assert.ok(readme.includes("imagenet --model=model.onnx --labels=labels.txt --input_blob=input_0 --output_blob=output_0 image.jpg output.jpg"));
    assert.ok(readme.includes("imagenet.py --model=model.onnx --labels=labels.txt --input_blob=input_0 --output_blob=output_0 image.jpg output.jpg"));
    assert.ok(readme.includes("/usr/src/tensorrt/bin/trtexec --onnx=model.onnx --saveEngine=model.engine --fp16"));
    assert.ok(readme.includes("/usr/src/tensorrt/bin/trtexec --onnx=model_int8.onnx --saveEngine=model_int8.engine --int8 --fp16"));
    assert.match(readme, /scp -r lenet-bundle /);
    assert.match(readme, /mean \(0\.485, 0\.456, 0\.406\) and std \(0\.229, 0\.224, 0\.225\)/);
    assert.match(readme, /luma weights R 0\.299, G 0\.587, B 0\.114/);
    const manifest = JSON.parse(readFileSync(join(dir, "bundle.json"), "utf8"));
    assert.deepEqual(manifest.input, { name: "input_0", shape: [1, 3, 28, 28], type: "float32", layout: "NCHW" });
    assert.equal(manifest.labels, 10);
  });

  async function deviceTop1(file: string, images: { rgb: Uint8Array; width: number; height: number }[]): Promise<number[]> {
    const session = await ort.InferenceSession.create(join(dir, file));
    const top1: number[] = [];
    for (const image of images) {
      const input = jetsonInferencePreprocess(image.rgb, image.width, image.height, 3, 28, 28);
      const out = (await session.run({ input_0: new ort.Tensor("float32", input, [1, 3, 28, 28]) })).output_0.data as Float32Array;
      top1.push(out.indexOf(Math.max(...out)));
    }
    await session.release();
    return top1;
  }

  function trainingTop1(set: DigitSet, count: number): number[] {
    // The training preprocessing: the 28×28 gray digit in 0–1, as the model was trained.
    return Array.from(tf.tidy(() => (model.predict(tf.tensor4d(set.x.subarray(0, count * 784), [count, 28, 28, 1])) as tf.Tensor).argMax(1).dataSync()));
  }

  it("jetson-inference's preprocessing of test images gives the same top-1 as tfjs on the training preprocessing", async () => {
    const heldOut = mnistDigits().heldOut;
    const count = 100;
    const images = [];
    for (let i = 0; i < count; i++) images.push(await digitAsRgbImage(heldOut, i, 84, 84));
    const expected = trainingTop1(heldOut, count);
    const actual = await deviceTop1("model.onnx", images);
    assert.deepEqual(actual, expected);
    const int8 = await deviceTop1("model_int8.onnx", images);
    const same = int8.filter((c, i) => c === expected[i]).length;
    assert.ok(same >= 98, `INT8 bundle model agrees on ${same}/100`);
  });

  it("for images of any size, the device's probabilities equal tfjs's on the same squashed pixels (1e-4)", async () => {
    // Nearest-neighbour squashing itself changes thin strokes (28 → 61×47 → 28 moves rows and columns);
    // what the bundle controls is everything after it, checked here exactly.
    const heldOut = mnistDigits().heldOut;
    const session = await ort.InferenceSession.create(join(dir, "model.onnx"));
    for (let i = 0; i < 20; i++) {
      const image = await digitAsRgbImage(heldOut, i, 61, 47);
      const deviceInput = jetsonInferencePreprocess(image.rgb, image.width, image.height, 3, 28, 28);
      const device = (await session.run({ input_0: new ort.Tensor("float32", deviceInput, [1, 3, 28, 28]) })).output_0.data as Float32Array;
      // The same squash, then the training preprocessing (gray, / 255).
      const squashed = new Float32Array(784);
      for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) squashed[y * 28 + x] = image.rgb[(Math.trunc((y * 47) / 28) * 61 + Math.trunc((x * 61) / 28)) * 3] / 255;
      const expected = tf.tidy(() => (model.predict(tf.tensor4d(squashed, [1, 28, 28, 1])) as tf.Tensor).dataSync());
      for (let k = 0; k < 10; k++) assert.ok(Math.abs(device[k] - expected[k]) < 1e-4, `image ${i}, class ${k}: ${device[k]} vs ${expected[k]}`);
    }
    await session.release();
  });

  it("shows itself as a list of files with the imagenet command", async () => {
    const shown = await bundle[DISPLAY]();
    assert.match(String(shown["text/plain"]), /model\.onnx.*labels\.txt/s);
    assert.match(String(shown["text/html"]), /--input_blob=input_0 --output_blob=output_0/);
  });

  checkerTest();
});

describe("deploy: the device input transform baked into the graph", function () {
  this.timeout(120000);
  before(async () => useBackend());

  // A model whose output is its input, flattened: the graph's first nodes are all there is.
  const identity = (channels: number) => tf.sequential({ layers: [tf.layers.flatten({ inputShape: [2, 2, channels] })] });

  it("maps jetson-inference's normalized RGB to the model's gray input with the luma weights", async () => {
    const exported = toOnnx(identity(1), { normalization: { scale: 1 / 255, mean: 0.1, std: 0.3 }, device: JETSON_INFERENCE_PREPROCESSING, outputSoftmax: "never" });
    const rgb = [
      [255, 0, 0],
      [0, 255, 0],
      [0, 0, 255],
      [90, 90, 90],
    ];
    const input = new Float32Array(12);
    rgb.forEach((p, i) => p.forEach((v, c) => (input[c * 4 + i] = (v / 255 - JETSON_INFERENCE_PREPROCESSING.mean[c]) / JETSON_INFERENCE_PREPROCESSING.std[c])));
    const session = await ort.InferenceSession.create(exported.bytes);
    const out = (await session.run({ input_0: new ort.Tensor("float32", input, [1, 3, 2, 2]) })).output_0.data as Float32Array;
    const expected = rgb.map(([r, g, b]) => ((0.299 * r + 0.587 * g + 0.114 * b) / 255 - 0.1) / 0.3);
    expected.forEach((e, i) => assert.ok(Math.abs(out[i] - e) < 1e-5, `pixel ${i}: ${out[i]} vs ${e}`));
    await session.release();
  });

  it("maps jetson-inference's normalized RGB to an RGB model trained on per-channel standardization", async () => {
    const norm = { scale: 1 / 255, mean: [0.2, 0.3, 0.4], std: [0.5, 0.6, 0.7] };
    const exported = toOnnx(identity(3), { normalization: norm, device: JETSON_INFERENCE_PREPROCESSING, outputSoftmax: "never" });
    const pixels = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120]; // HWC
    const input = new Float32Array(12);
    for (let i = 0; i < 4; i++) for (let c = 0; c < 3; c++) input[c * 4 + i] = (pixels[i * 3 + c] / 255 - JETSON_INFERENCE_PREPROCESSING.mean[c]) / JETSON_INFERENCE_PREPROCESSING.std[c];
    const session = await ort.InferenceSession.create(exported.bytes);
    const out = (await session.run({ input_0: new ort.Tensor("float32", input, [1, 3, 2, 2]) })).output_0.data as Float32Array;
    pixels.forEach((p, j) => {
      const c = j % 3;
      const expected = (p / 255 - norm.mean[c]) / norm.std[c];
      assert.ok(Math.abs(out[j] - expected) < 1e-5, `value ${j}: ${out[j]} vs ${expected}`);
    });
    await session.release();
  });

  it("refuses to bundle without the training normalization or with mismatched labels", async () => {
    const dir = mkdtempSync(join(tmpdir(), "convlab-bundle-bad-"));
    await assert.rejects(jetsonBundle(lenet(), dir, { labels: ["a"] } as never), /needs `normalization`/);
    await assert.rejects(jetsonBundle(lenet(), dir, { labels: ["a", "b"], normalization: { scale: 1 / 255 } }), /2 names but the model outputs 10 classes/);
    await assert.rejects(jetsonBundle(lenet(), dir, { labels: Array.from({ length: 10 }, (_, i) => (i === 3 ? "three\nfour" : String(i))), normalization: {} }), /single-line/);
    rmSync(dir, { recursive: true, force: true });
  });
});
