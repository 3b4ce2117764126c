/**
 * The Jetson contracts: a detector exports to detectnet's SSD form and a
 * segmenter to segnet's, with the names and shapes jetson-inference reads;
 * onnxruntime, fed exactly as detectnet (segnet) feeds a model, gives what
 * tfjs gives, and reads into the same boxes (class maps); bundles carry the
 * label files and the command lines. detectnet's decoding is checked on
 * hand-made outputs.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import * as ort from "onnxruntime-node";
import { useBackend } from "../../lib/backend";
import { makeScenes, type SceneSet } from "../../lib/data/scenes";
import { segmenter, singleShotDetector, type SingleShotDetector } from "../../lib/detect";
import {
  checkJetsonBundle,
  ContractBundle,
  ContractVerifyReport,
  DETECTNET_PREPROCESSING,
  detectnetDetect,
  exportOnnx,
  jetsonBundle,
  resampleLikeJetson,
  segnetClassify,
  toDetectorOnnx,
  toSegmenterOnnx,
  verifyOnnx,
  type JetsonDetection,
} from "../../lib/deploy";
import { decodeModel } from "../../lib/deploy/onnx/proto";
import { checkerTest, keepForChecker } from "../deploy/helpers";

/** An untrained detector whose head is biased towards class "1", so that detectnet has boxes to read, cluster and sort. */
function eagerDetector(classNames: readonly string[]): SingleShotDetector {
  const detector = singleShotDetector({ classNames, seed: 5 });
  const head = detector.model.getLayer("head");
  const [kernel, bias] = head.getWeights();
  const values = bias.dataSync().slice();
  const perAnchor = classNames.length + 5;
  for (let a = 0; a < detector.config.shapes.length; a++) values[a * perAnchor + 2] = 3; // class index 2 = object class "1"
  head.setWeights([kernel, tf.tensor1d(values)]);
  return detector;
}

const dims = (info: { type: { tensor_type: { shape?: { dim: { dim_value?: number | string | { toNumber(): number } }[] } } } }) =>
  info.type.tensor_type.shape!.dim.map((d) => Number(d.dim_value));

describe("Jetson contracts: detectnet and segnet", function () {
  this.timeout(300000);
  let scenes: SceneSet;
  let dir: string;
  before(async () => {
    await useBackend();
    scenes = await makeScenes({ count: { test: 12 }, seed: 8 });
    dir = mkdtempSync(join(tmpdir(), "convlab-contracts-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("detector: input_0 [1, 3, 64, 64] → scores [1, N, 11] and boxes [1, N, 4], as detectnet reads pytorch-ssd models", async function () {
    const detector = eagerDetector(scenes.classNames);
    const exported = toDetectorOnnx(detector);
    keepForChecker(exported.bytes, "detector");
    const model = decodeModel(exported.bytes);
    const n = detector.anchors.length;
    assert.equal(n, 128);
    assert.deepEqual(model.graph.input.map((i) => [i.name, dims(i)]), [["input_0", [1, 3, 64, 64]]]);
    assert.deepEqual(model.graph.output.map((o) => [o.name, dims(o)]), [["scores", [1, n, 11]], ["boxes", [1, n, 4]]]);
    const session = await ort.InferenceSession.create(exported.bytes);
    assert.deepEqual([session.inputNames, session.outputNames], [["input_0"], ["scores", "boxes"]]);
    const result = await session.run({ input_0: new ort.Tensor("float32", new Float32Array(3 * 64 * 64).fill(-1), [1, 3, 64, 64]) });
    const scores = result.scores.data as Float32Array;
    for (let i = 0; i < n; i++) {
      const sum = scores.slice(i * 11, (i + 1) * 11).reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(sum - 1) < 1e-5, `scores of box ${i} sum to ${sum}`);
    }
    await session.release();
  });

  it("detector: onnxruntime fed as detectnet feeds it gives tfjs's scores and boxes, and detectnet's reading of both is the same", async function () {
    const detector = eagerDetector(scenes.classNames);
    const exported = exportOnnx(detector, join(dir, "detector.onnx"));
    const report = (await verifyOnnx(detector, exported.path!, scenes, { count: 12 })) as ContractVerifyReport;
    assert.ok(report.maxAbsDiff < 1e-4, `raw outputs differ by ${report.maxAbsDiff}`);
    assert.equal(report.framesAgreeing, 12);
    assert.ok(report.compared >= 12, `${report.compared} detections compared`);
    assert.ok(report.passed);
    // Camera frames of another size and in colour: detectnet squashes them; the boxes come back in the frame's pixels.
    const frame = { width: 100, height: 80, channels: 3, pixels: Uint8Array.from({ length: 100 * 80 * 3 }, (_, i) => (i * 37) % 256) };
    const coloured = (await verifyOnnx(detector, exported, [frame])) as ContractVerifyReport;
    assert.ok(coloured.passed, `colour frame: ${coloured.maxAbsDiff}, ${coloured.framesAgreeing}`);
    const boxes = coloured.onnxResults[0] as JetsonDetection[];
    assert.ok(boxes.length > 0 && boxes.every((b) => b.right <= 99 && b.bottom <= 79 && b.left >= 0 && b.top >= 0));
  });

  it("segmenter: input_0 → output_0 [1, 11, 64, 64]; segnet's argmax of onnxruntime's scores is tfjs's class map", async function () {
    const model = segmenter({ classNames: scenes.classNames, seed: 3 });
    const exported = toSegmenterOnnx(model);
    keepForChecker(exported.bytes, "segmenter");
    const proto = decodeModel(exported.bytes);
    assert.deepEqual(proto.graph.input.map((i) => [i.name, dims(i)]), [["input_0", [1, 3, 64, 64]]]);
    assert.deepEqual(proto.graph.output.map((o) => [o.name, dims(o)]), [["output_0", [1, 11, 64, 64]]]);
    assert.ok(proto.graph.node.some((n) => n.op_type === "Resize"), "the enlargement is a Resize node");
    const report = (await verifyOnnx(model, exported, scenes, { count: 6 })) as ContractVerifyReport;
    assert.ok(report.maxAbsDiff < 1e-4, `raw outputs differ by ${report.maxAbsDiff}`);
    assert.equal(report.framesAgreeing, 6);
    assert.equal(report.compared, 6 * 64 * 64);
  });

  it("bundles carry the model, the label files and the exact detectnet and segnet command lines", async function () {
    const detectorBundle = (await jetsonBundle(eagerDetector(scenes.classNames), join(dir, "detector-bundle"))) as ContractBundle;
    assert.deepEqual(detectorBundle.files.map((f) => f.name), ["model.onnx", "labels.txt", "README.md", "bundle.json"]);
    assert.deepEqual(readFileSync(join(detectorBundle.dir, "labels.txt"), "utf8").split("\n").slice(0, 3), ["BACKGROUND", "0", "1"]);
    const readme = readFileSync(join(detectorBundle.dir, "README.md"), "utf8");
    assert.ok(readme.includes("detectnet --model=model.onnx --labels=labels.txt --input-blob=input_0 --output-cvg=scores --output-bbox=boxes image.jpg output.jpg"));
    assert.ok(readme.includes("detectnet.py --model=model.onnx --labels=labels.txt --input-blob=input_0 --output-cvg=scores --output-bbox=boxes"));
    const manifest = JSON.parse(readFileSync(join(detectorBundle.dir, "bundle.json"), "utf8"));
    assert.equal(manifest.program, "detectnet");
    assert.deepEqual(manifest.preprocessing.device.mean, DETECTNET_PREPROCESSING.mean);

    const segmenterBundle = (await jetsonBundle(segmenter({ classNames: scenes.classNames, seed: 2 }), join(dir, "segmenter-bundle"))) as ContractBundle;
    assert.deepEqual(segmenterBundle.files.map((f) => f.name), ["model.onnx", "classes.txt", "colors.txt", "README.md", "bundle.json"]);
    assert.equal(readFileSync(join(segmenterBundle.dir, "classes.txt"), "utf8").split("\n")[0], "background");
    const colors = readFileSync(join(segmenterBundle.dir, "colors.txt"), "utf8").trim().split("\n");
    assert.equal(colors.length, 11);
    assert.match(colors[1], /^\d+ \d+ \d+$/);
    assert.ok(readFileSync(join(segmenterBundle.dir, "README.md"), "utf8").includes("segnet --model=model.onnx --labels=classes.txt --colors=colors.txt --input-blob=input_0 --output-blob=output_0 image.jpg output.jpg"));

    // deploy's bundle checker reads both READMEs, label files and tensor names as the Jetson would.
    for (const bundle of [detectorBundle, segmenterBundle]) {
      const check = checkJetsonBundle(bundle.dir, { jetpack: 6 });
      assert.ok(check.passed, `${bundle.exported.kind}: ${check.errors.map((e) => e.message).join("; ")}`);
    }
  });

  checkerTest();
});

describe("detectnet's reading of an SSD output (c/detectNet.cpp)", function () {
  // Three classes: BACKGROUND, a, b. Boxes normalised; a 100 × 50 frame.
  const scores = [
    [0.1, 0.8, 0.1], // box 0: a 0.8
    [0.2, 0.7, 0.1], // box 1: a 0.7, overlapping box 0 almost entirely: merged into it
    [0.3, 0.3, 0.4], // box 2: below the 0.5 confidence: dropped
    [0.0, 0.5, 0.5], // box 3: a tie at the threshold: the lower class (a) wins, and it is far from box 0
    [0.9, 0.05, 0.05], // box 4: background
    [0.1, 0.1, 0.8], // box 5: b, the same place as box 0: a different class is not merged
  ].flat();
  const boxes = [
    [0.1, 0.1, 0.5, 0.5],
    [0.12, 0.1, 0.5, 0.52],
    [0.6, 0.6, 0.7, 0.7],
    [0.7, 0.6, 1.2, 0.9],
    [0, 0, 1, 1],
    [0.1, 0.1, 0.5, 0.5],
  ].flat();

  it("keeps the best non-background class at or above the confidence, merges same-class overlaps, sorts by area and clamps", function () {
    const found = detectnetDetect(scores, boxes, 3, ["BACKGROUND", "a", "b"], 100, 50);
    const rounded = found.map((d) => ({ ...d, confidence: +d.confidence.toFixed(4), left: +d.left.toFixed(3), top: +d.top.toFixed(3), right: +d.right.toFixed(3), bottom: +d.bottom.toFixed(3) }));
    assert.deepEqual(rounded, [
      { classIndex: 1, label: "a", confidence: 0.8, left: 10, top: 5, right: 50, bottom: 26 }, // boxes 0 and 1 merged: area 40 × 21 = 840
      { classIndex: 2, label: "b", confidence: 0.8, left: 10, top: 5, right: 50, bottom: 25 }, // 800
      { classIndex: 1, label: "a", confidence: 0.5, left: 70, top: 30, right: 99, bottom: 45 }, // 50 × 15 = 750 before clamping the right edge to 99
    ]);
  });

  it('skips boxes whose label is "void" (c/detectNet.cpp, line 733)', function () {
    const found = detectnetDetect(scores, boxes, 3, ["BACKGROUND", "void", "b"], 100, 50);
    assert.deepEqual(found.map((d) => d.label), ["b"]);
  });

  it('segnet: the first of equal scores wins, and the "void" class is skipped (c/segNet.cpp, classify)', function () {
    // Two cells, three classes, planar: cell 0 ties classes 1 and 2; cell 1 is best at class 0.
    const planes = [0.1, 0.9, 0.7, 0.0, 0.7, 0.0];
    assert.deepEqual(Array.from(segnetClassify(planes, 3, 1, 2)), [1, 0]);
    assert.deepEqual(Array.from(segnetClassify(planes, 3, 1, 2, 0)), [1, 1]);
  });

  it("resamples frames as cudaTensorNormMeanRGB does: nearest pixel ⌊x · in/out⌋", function () {
    const frame = Uint8Array.from({ length: 10 * 4 }, (_, i) => i);
    assert.deepEqual(Array.from(resampleLikeJetson(frame, 10, 4, 1, 4, 2)), [0, 2, 5, 7, 20, 22, 25, 27]);
  });
});
