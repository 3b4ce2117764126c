/**
 * What an inference engine does to a trained network, measured on the
 * trained LeNet: fusion per optimisation level (saved graphs, node counts,
 * what was fused), batch size against latency and throughput, calibration
 * thresholds and calibration-set size, per-layer INT8 error, memory reuse,
 * concurrent streams and tuning. Timings are only checked for being
 * measured (positive, one per configuration), never for their values.
 */
import { strict as assert } from "node:assert";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import {
  OnnxExport,
  calibrationSizeSweep,
  compareOptimizationLevels,
  diffGraphs,
  inspectCalibration,
  measureBatchSizes,
  measureStreams,
  planMemory,
  quantizationErrorByLayer,
  toOnnx,
  tuneSession,
} from "../../lib/deploy";
import { DISPLAY } from "../../lib/display";
import { decodeModel } from "../../lib/deploy/onnx/proto";
import { assertRendersCleanly } from "../charts/helpers";
import { asSamples, mnistDigits, trainedModel, useBackend } from "./fixtures";

describe("deploy: what an inference engine does, measured", function () {
  this.timeout(600000);
  let exported: OnnxExport;
  let calibration: { x: tf.Tensor4D; y: Int32Array };
  let validation: { x: tf.Tensor4D; y: Int32Array };
  let dir: string;

  before(async () => {
    await useBackend();
    const { model } = await trainedModel();
    exported = toOnnx(model, { dynamicBatch: true, normalization: { scale: 1 / 255 } });
    const digits = mnistDigits();
    // Samples are what the tfjs model takes (0–1 digits); the runner maps them to the graph's 0–255 input.
    calibration = asSamples(digits.train, 200);
    validation = asSamples(digits.heldOut, 500);
    dir = mkdtempSync(join(tmpdir(), "convlab-engine-"));
  });

  after(() => {
    tf.dispose([calibration.x, validation.x]);
    rmSync(dir, { recursive: true, force: true });
  });

  it("saves the graph of each optimisation level and names what each one fused", async () => {
    const comparison = await compareOptimizationLevels(exported, { saveDir: dir, seconds: 0.3, batchSizes: [1, 8] });
    assert.deepEqual(comparison.levels.map((l) => l.level), ["disabled", "basic", "extended", "layout", "all"]);
    for (const level of comparison.levels) {
      assert.ok(existsSync(join(dir, `${level.level}.onnx`)), `${level.level}.onnx saved`);
      assert.equal(level.nodes, decodeModel(new Uint8Array(require("node:fs").readFileSync(level.path))).graph.node.length);
      assert.deepEqual(level.timing.map((t) => t.batch), [1, 8]);
      for (const t of level.timing) assert.ok(t.imagesPerSecond > 0 && t.latencyP50Ms > 0);
    }
    assert.equal(comparison.original.nodes, decodeModel(exported.bytes).graph.node.length);
    assert.equal(comparison.level("disabled").nodes, comparison.original.nodes);
    // The exporter's normalization adds zero after scaling; "basic" removes that no-op.
    assert.deepEqual(comparison.level("basic").removed, ["Add input_normalize_shift (adds zero)"]);
    // "extended" fuses the dense layer's ReLU into its matrix multiply.
    const fused = comparison.level("extended").rewritten;
    // (Layer names depend on what the process built before the fixture, so only operators are compared.)
    assert.deepEqual(fused.map((r) => [r.op, r.replaces.map((x) => x.split(" ")[0])]), [["com.microsoft.FusedGemm", ["Gemm", "Relu"]]]);
    assert.equal(comparison.level("extended").nodes, comparison.original.nodes - 2);
    assert.match(String(comparison[DISPLAY]()["text/plain"]), /extended\s+9\s+Gemm \+ Relu → FusedGemm/);
  });

  it("groups new nodes joined by new tensors (a layout change) and walks back to the nodes they replace", () => {
    const node = (op_type: string, name: string, input: string[], output: string[], domain = "") => ({ op_type, name, input, output, attribute: [], domain });
    const graph = (nodes: ReturnType<typeof node>[]) => ({ ir_version: 7, opset_import: [], producer_name: "", producer_version: "", graph: { name: "g", node: nodes, initializer: [], input: [{ name: "x", type: { tensor_type: { elem_type: 1 } } }], output: [] } });
    const before = graph([node("Conv", "c", ["x", "w"], ["y"]), node("Relu", "r", ["y"], ["z"]), node("Identity", "i", ["z"], ["out"])]);
    const after = graph([node("ReorderInput", "ri", ["x"], ["x_b"], "com.microsoft.nchwc"), node("Conv", "cb", ["x_b", "w"], ["z_b"], "com.microsoft.nchwc"), node("ReorderOutput", "ro", ["z_b"], ["out"], "com.microsoft.nchwc")]);
    const diff = diffGraphs(before as never, after as never);
    assert.deepEqual(diff.rewritten.map((r) => [r.op, r.replaces]), [
      ["com.microsoft.nchwc.ReorderInput + com.microsoft.nchwc.Conv + com.microsoft.nchwc.ReorderOutput", ["Conv c", "Relu r", "Identity i"]],
    ]);
    assert.deepEqual(diff.removed, []);
  });

  it("measures latency and throughput at each batch size and draws both", async () => {
    const sweep = await measureBatchSizes(exported, { batchSizes: [1, 4, 16], seconds: 0.3 });
    assert.deepEqual(sweep.points.map((p) => p.batch), [1, 4, 16]);
    for (const p of sweep.points) assert.ok(p.latencyMs > 0 && p.imagesPerSecond > 0 && p.latencyP99Ms >= p.latencyMs);
    const fastest = sweep.points.reduce((a, b) => (b.imagesPerSecond > a.imagesPerSecond ? b : a));
    assert.equal(sweep.fastestWithin(Infinity), fastest);
    const budget = sweep.points[0].latencyMs;
    const chosen = sweep.fastestWithin(budget)!;
    assert.ok(chosen.latencyMs <= budget);
    for (const p of sweep.points) if (p.latencyMs <= budget) assert.ok(p.imagesPerSecond <= chosen.imagesPerSecond);
    assert.equal(sweep.fastestWithin(0), undefined);
    await assertRendersCleanly(sweep.chart({ latencyBudgetMs: 1 }));
  });

  it("shows each calibration method's clipping threshold on each quantized tensor", async () => {
    const inspection = await inspectCalibration(exported, calibration);
    assert.equal(inspection.tensors.length, 4, "the inputs of 2 Conv and 2 Gemm");
    for (const t of inspection.tensors) {
      assert.equal(t.thresholds.max, t.absMax);
      assert.equal(t.clipped.max, 0);
      assert.ok(t.thresholds.percentile! <= t.absMax && t.thresholds.entropy! <= t.absMax);
      assert.ok(t.readers.length >= 1);
    }
    // The first Conv reads the normalized image: 0–1, its largest value 1.
    assert.ok(Math.abs(inspection.tensors[0].absMax - 1) < 1e-5, String(inspection.tensors[0].absMax));
    await assertRendersCleanly(inspection.chart());
  });

  it("scores INT8 for each calibration-set size and method", async () => {
    // 200 is the whole set, which the sweep uses as it is (and leaves undisposed).
    const sweep = await calibrationSizeSweep(exported, calibration, validation, { sizes: [2, 200], methods: ["max", "entropy"] });
    assert.deepEqual(sweep.rows.map((r) => `${r.images} ${r.method}`), ["2 max", "2 entropy", "200 max", "200 entropy"]);
    assert.equal(calibration.x.isDisposed, false);
    for (const r of sweep.rows) {
      assert.ok(r.accuracy > 0.8, `${r.images} ${r.method}: ${r.accuracy}`);
      assert.ok(Math.abs(r.dropPoints - 100 * (sweep.fp32Accuracy - r.accuracy)) < 1e-9);
    }
    await assertRendersCleanly(sweep.chart());
  });

  it("quantizes one layer at a time to find the one that hurts most", async () => {
    const errors = await quantizationErrorByLayer(exported, calibration, validation);
    assert.deepEqual(errors.rows.map((r) => r.op), ["Conv", "Conv", "Gemm", "Gemm"]);
    for (const r of errors.rows) assert.ok(r.meanAbsDiff > 0 && r.meanAbsDiff <= errors.all.meanAbsDiff * 1.5, `${r.layer}: ${r.meanAbsDiff} vs all ${errors.all.meanAbsDiff}`);
    assert.equal(errors.worst.meanAbsDiff, Math.max(...errors.rows.map((r) => r.meanAbsDiff)));
    await assertRendersCleanly(errors.chart());
  });

  it("sizes every intermediate tensor and the memory reuse saves", async () => {
    const plan = await planMemory(exported);
    // conv1: 20 maps of 24×24 floats; pool1: 20 of 12×12; conv2: 50 of 8×8.
    const bytes = Object.fromEntries(plan.tensors.map((t) => [t.producer.split(" ")[0] + ":" + t.tensor, t.bytes]));
    assert.equal(plan.tensors.find((t) => t.producer.startsWith("Conv") && t.bytes === 20 * 24 * 24 * 4) !== undefined, true, JSON.stringify(bytes));
    assert.ok(plan.tensors.some((t) => t.bytes === 50 * 8 * 8 * 4));
    assert.ok(plan.withReuse < plan.withoutReuse);
    // The peak holds conv1's output and what the next node writes from it.
    assert.ok(plan.withReuse >= 20 * 24 * 24 * 4);
    assert.equal(plan.weightBytes, exported.model.graph.initializer.reduce((s, t) => s + (t.raw_data?.length ?? 0), 0));
    assert.match(String(plan[DISPLAY]()["text/plain"]), /KiB if every tensor keeps its own buffer/);
  });

  it("runs several streams at once in worker threads, and tunes session settings by timing them", async () => {
    const streams = await measureStreams(exported, { seconds: 0.3, rounds: 1, configurations: [{ streams: 1, threadsPerStream: 1 }, { streams: 2, threadsPerStream: 1 }] });
    assert.equal(streams.rows.length, 2);
    for (const r of streams.rows) assert.ok(r.imagesPerSecond > 0 && r.latencyMs > 0);
    const tuning = await tuneSession(exported, { seconds: 0.3, rounds: 1 });
    assert.ok(tuning.rows.length >= 2);
    assert.ok(tuning.rows.includes(tuning.best));
    assert.deepEqual(tuning.bestOptions, { optimization: tuning.best.optimization, threads: tuning.best.threads });
  });
});
