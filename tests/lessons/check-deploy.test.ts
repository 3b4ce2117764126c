/**
 * The expectations of lessons 12 and 13: a batch chosen within a latency
 * budget (from a made-up sweep, so every answer is known), INT8 on every
 * layer but the worst, a bundle that passes for a given Jetson, and labels in
 * the dataset's order.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { check, defineExercise, expectations } from "../../lib/check";
import { BatchSweep, JetsonBundle, LayerErrors, checkJetsonBundle, jetsonBundle, quantizeInt8, toOnnx } from "../../lib/deploy";
import { Dataset, MemoryPixelStore } from "../../lib/data";
import { useBackend } from "../../lib/backend";

defineExercise({ id: "98-batch", title: "batch", answers: ["batch", "sweep"], expectations: [expectations.batchWithinBudget("batch", { sweep: "sweep", budgetMs: 10 })] });
defineExercise({ id: "98-mixed", title: "mixed", answers: ["mixed", "errors"], expectations: [expectations.allButWorstLayerInt8("mixed", { errors: "errors" })] });
defineExercise({ id: "98-nano", title: "nano", answers: ["nanoCheck"], expectations: [expectations.bundlePasses("nanoCheck", { module: "Jetson Nano", tensorrt: "8.2.1", target: "a Jetson Nano on JetPack 4.6.1" })] });
defineExercise({ id: "98-labels", title: "labels", answers: ["bundle", "data"], expectations: [expectations.bundleLabelsMatch("bundle", { data: "data" })] });

const text = async (id: string, answers: Record<string, unknown>) => {
  const record = (await check(id, answers)).toJSON();
  return { passed: record.passed, message: record.findings.map((f) => f.message).join(" / ") };
};

describe("check: lessons 12 and 13 (deploy)", function () {
  this.timeout(120_000);
  let dir: string;
  let model: tf.Sequential;

  before(async () => {
    await useBackend();
    dir = mkdtempSync(join(tmpdir(), "convlab-check-deploy-"));
    model = tf.sequential({
      layers: [
        tf.layers.conv2d({ name: "conv", inputShape: [4, 4, 1], filters: 2, kernelSize: 3, kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
        tf.layers.flatten(),
        tf.layers.dense({ name: "dense", units: 3, activation: "softmax", kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
      ],
    });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("12-batch-budget: the fastest batch within the budget passes; over it, a slower one, or an unmeasured one do not", async () => {
    const sweep = new BatchSweep(
      [
        { batch: 1, latencyMs: 1, latencyP99Ms: 2, imagesPerSecond: 1000 },
        { batch: 8, latencyMs: 4, latencyP99Ms: 5, imagesPerSecond: 2000 },
        { batch: 16, latencyMs: 9, latencyP99Ms: 12, imagesPerSecond: 1800 },
        { batch: 32, latencyMs: 15, latencyP99Ms: 20, imagesPerSecond: 2100 },
      ],
      "FP32",
    );
    assert.equal((await text("98-batch", { batch: 8, sweep })).passed, true);
    let result = await text("98-batch", { batch: 32, sweep });
    assert.equal(result.passed, false);
    assert.match(result.message, /batch 32 takes 15\.00 ms, over the 10 ms budget/);
    result = await text("98-batch", { batch: 16, sweep });
    assert.match(result.message, /batch 16 fits the budget .* but another batch that fits gets more images through per second/);
    assert.doesNotMatch(result.message, /batch 8/, "the answer is not given away");
    result = await text("98-batch", { batch: 0, sweep });
    assert.match(result.message, /0 is not one of the batch sizes measured \(1, 8, 16, 32\)/);
    assert.match((await text("98-batch", { batch: 8, sweep: { points: [] } })).message, /should be what measureBatchSizes returns/);
  });

  it("12-mixed-precision: every layer INT8 but the worst passes; all layers, or too few, do not", async () => {
    const exported = toOnnx(model, { dynamicBatch: true });
    const calibration = { x: tf.randomUniform([8, 4, 4, 1], 0, 1, "float32", 3) };
    const errors = new LayerErrors(
      [
        { layer: "conv", op: "Conv", meanAbsDiff: 1e-3, maxAbsDiff: 1e-2, top1Agreement: 1, accuracy: undefined },
        { layer: "dense", op: "Gemm", meanAbsDiff: 2e-3, maxAbsDiff: 1e-2, top1Agreement: 1, accuracy: undefined },
      ],
      { meanAbsDiff: 3e-3, maxAbsDiff: 2e-2, top1Agreement: 1, accuracy: undefined },
      undefined,
      8,
    );
    let result = await text("98-mixed", { mixed: await quantizeInt8(exported, calibration), errors });
    assert.equal(result.passed, false);
    assert.match(result.message, /quantizes 2 of the 2 layers, the one that hurts most among them/);
    result = await text("98-mixed", { mixed: await quantizeInt8(exported, calibration, { layers: ["conv"] }), errors });
    assert.equal(result.passed, true, result.message);
    // Keeping the conv instead: the worst (dense) is still quantized.
    result = await text("98-mixed", { mixed: await quantizeInt8(exported, calibration, { layers: ["dense"] }), errors });
    assert.equal(result.passed, false);
    calibration.x.dispose();
  });

  it("13-nano-bundle: passes only a check that passed, for the Nano and TensorRT 8.2.1", async () => {
    const bundleDir = join(dir, "nano");
    await jetsonBundle(model, bundleDir, { labels: ["a", "b", "c"], normalization: { scale: 1 / 255 }, opset: 17 });
    let result = await text("98-nano", { nanoCheck: checkJetsonBundle(bundleDir, { jetpack: "4.6.1", module: "nano" }) });
    assert.equal(result.passed, false);
    assert.match(result.message, /the check still finds 1 problem\(s\)\. The first: model\.onnx uses ONNX opset 17/);
    result = await text("98-nano", { nanoCheck: checkJetsonBundle(bundleDir, { jetpack: "6.0" }) });
    assert.match(result.message, /checks the bundle for no module, JetPack 6\.0 \(TensorRT 8\.6\.2\); the exercise's Jetson is a Jetson Nano on JetPack 4\.6\.1/);
    await jetsonBundle(model, bundleDir, { labels: ["a", "b", "c"], normalization: { scale: 1 / 255 } });
    assert.equal((await text("98-nano", { nanoCheck: checkJetsonBundle(bundleDir, { jetpack: "4.6.4", module: "Jetson Nano" }) })).passed, true);
  });

  it("13-labels-order: labels.txt must name each output as the dataset's class of that index", async () => {
    const data = new Dataset({
      name: "three",
      shape: [4, 4, 1],
      classNames: ["apple", "banana", "cherry"],
      pixels: new MemoryPixelStore(new Uint8Array(3 * 16), 16),
      labels: Int32Array.from([0, 1, 2]),
      splits: { train: Int32Array.from([0, 1, 2]) },
    });
    const typed: JetsonBundle = await jetsonBundle(model, join(dir, "typed"), { labels: ["banana", "apple", "cherry"], normalization: { scale: 1 / 255 } });
    const result = await text("98-labels", { bundle: typed, data });
    assert.equal(result.passed, false);
    assert.match(result.message, /the network's output 0 is the class "apple", but labels\.txt calls it "banana", and 1 more output\(s\) are misnamed/);
    const right = await jetsonBundle(model, join(dir, "right"), { labels: [...data.classNames], normalization: { scale: 1 / 255 } });
    assert.equal((await text("98-labels", { bundle: right, data })).passed, true);
    writeFileSync(join(right.dir, "labels.txt"), "apple\nbanana\n");
    assert.match((await text("98-labels", { bundle: right, data })).message, /output 2 is the class "cherry", but labels\.txt calls it "\(nothing\)"/);
  });
});
