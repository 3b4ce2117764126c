import { strict as assert } from "node:assert";
import * as tf from "@tensorflow/tfjs";
import {
  OnnxRunner,
  compareQuantized,
  quantizeFp16,
  quantizeInt8,
  toOnnx,
  verifyOnnx,
  benchmarkInference,
  OnnxExport,
  VerifyReport,
} from "../../lib/deploy";
import { DISPLAY } from "../../lib/display";
import { decodeModel } from "../../lib/deploy/onnx/proto";
import { float16ToFloat32, float32ToFloat16, toFloat16Bits } from "../../lib/deploy/onnx/float16";
import { chooseThreshold, collectStatistics } from "../../lib/deploy/calibration";
import { quantizationTargets } from "../../lib/deploy/quantize-int8";
import { asSamples, batchNormNet, mnistDigits, randomizeBatchNorm, smallAlexNet, trainedModel, useBackend } from "./fixtures";
import { checkerTest, keepForChecker } from "./helpers";

describe("deploy: quantization on the trained LeNet and the MNIST held-out digits", function () {
  this.timeout(900000);
  let model: tf.LayersModel;
  let fp32: OnnxExport;
  let heldOut: { x: tf.Tensor4D; y: Int32Array };
  let calibration: { x: tf.Tensor4D; y: Int32Array };
  let fp32Report: VerifyReport;

  before(async () => {
    await useBackend();
    const trained = await trainedModel();
    model = trained.model;
    // A model that barely learned would make every comparison below meaningless.
    assert.ok(trained.heldOutAccuracy > 0.9, `fixture accuracy ${trained.heldOutAccuracy}`);
    const digits = mnistDigits();
    heldOut = asSamples(digits.heldOut);
    calibration = asSamples(digits.train, 500);
    fp32 = toOnnx(model, { dynamicBatch: true });
    keepForChecker(fp32, "lenet-fp32");
    fp32Report = await verifyOnnx(model, fp32, heldOut);
  });

  it("FP32 export matches tfjs on all held-out digits to 1e-4", () => {
    assert.ok(fp32Report.samples >= 2500, `held-out set has ${fp32Report.samples} images`);
    assert.ok(fp32Report.passed, `max diff ${fp32Report.maxAbsDiff}`);
    assert.equal(fp32Report.top1Agreement, 1);
    assert.equal(fp32Report.onnxAccuracy, fp32Report.tfjsAccuracy);
  });

  function assertCloseToFp32(report: VerifyReport, what: string) {
    assert.ok(report.top1Agreement >= 0.99, `${what}: top-1 agreement with FP32 ${report.top1Agreement}`);
    const drop = 100 * ((fp32Report.onnxAccuracy as number) - (report.onnxAccuracy as number));
    assert.ok(drop <= 1, `${what}: accuracy drop ${drop.toFixed(2)} points`);
  }

  it("FP16 (FP32 I/O): ≥ 99% top-1 agreement, ≤ 1 point accuracy drop, about half the size", async () => {
    const fp16 = quantizeFp16(fp32);
    keepForChecker(fp16.bytes, "lenet-fp16");
    const report = await verifyOnnx(model, fp16.bytes, heldOut, { tolerance: 1e-2 });
    assertCloseToFp32(report, "FP16");
    assert.ok(report.passed, `FP16 probabilities within 1e-2 of tfjs: ${report.maxAbsDiff}`);
    assert.ok(fp16.sizeBytes < 0.55 * fp32.sizeBytes, `${fp16.sizeBytes} vs ${fp32.sizeBytes}`);
    const decoded = decodeModel(fp16.bytes);
    assert.equal(decoded.graph.input[0].type.tensor_type.elem_type, 1);
    assert.equal(decoded.graph.output[0].type.tensor_type.elem_type, 1);
    assert.ok(decoded.graph.initializer.filter((t) => t.data_type === 1).length === 0, "no FP32 weights left");
  });

  it("FP16 with FP16 input and output runs and agrees", async () => {
    const fp16 = quantizeFp16(fp32, { keepIoFloat32: false });
    keepForChecker(fp16.bytes, "lenet-fp16-io");
    const runner = await OnnxRunner.load(fp16.bytes);
    assert.equal(runner.float16Input, true);
    assert.equal(runner.float16Output, true);
    await runner.release();
    const report = await verifyOnnx(model, fp16.bytes, heldOut, { tolerance: 1e-2 });
    assertCloseToFp32(report, "FP16 I/O");
  });

  for (const method of ["percentile", "max"] as const) {
    for (const weightStorage of ["float", "int8"] as const) {
      it(`INT8 (${method} calibration, ${weightStorage} weight storage): ≥ 99% agreement, ≤ 1 point drop`, async () => {
        const int8 = await quantizeInt8(fp32, calibration, { method, weightStorage });
        keepForChecker(int8.bytes, `lenet-int8-${method}-${weightStorage}`);
        const report = await verifyOnnx(model, int8.bytes, heldOut, { tolerance: 1 });
        assertCloseToFp32(report, `INT8 ${method}`);
        if (weightStorage === "int8") assert.ok(int8.sizeBytes < 0.3 * fp32.sizeBytes, `${int8.sizeBytes} vs ${fp32.sizeBytes}`);
      });
    }
  }

  it("INT8 with entropy (KL) calibration clips ranges and stays close to FP32", async () => {
    const int8 = await quantizeInt8(fp32, calibration, { method: "entropy" });
    keepForChecker(int8.bytes, "lenet-int8-entropy");
    assert.ok(int8.activationRanges.some((r) => r.threshold < r.absMax), "entropy calibration should clip at least one range");
    const report = await verifyOnnx(model, int8.bytes, heldOut, { tolerance: 1 });
    // Entropy calibration clips this model's bimodal pixel inputs harder than max/percentile (see report); bound it loosely.
    assert.ok(report.top1Agreement >= 0.97, `agreement ${report.top1Agreement}`);
    assert.ok(100 * ((fp32Report.onnxAccuracy as number) - (report.onnxAccuracy as number)) <= 1.5);
  });

  it("writes TensorRT's explicit-quantization form: symmetric int8, zero-point 0, per-channel weights on axis 0", async () => {
    const int8 = await quantizeInt8(fp32, calibration);
    const graph = decodeModel(int8.bytes).graph;
    const convs = graph.node.filter((n) => n.op_type === "Conv" || n.op_type === "Gemm");
    for (const node of convs) {
      const dqInput = graph.node.find((n) => n.output.includes(node.input[0]));
      const dqWeight = graph.node.find((n) => n.output.includes(node.input[1]));
      assert.equal(dqInput?.op_type, "DequantizeLinear", `${node.name} input`);
      assert.equal(dqWeight?.op_type, "DequantizeLinear", `${node.name} weight`);
      assert.equal(Number(dqWeight?.attribute.find((a) => a.name === "axis")?.i), 0);
      const weight = graph.initializer.find((t) => t.name === graph.node.find((n) => n.output.includes(dqWeight!.input[0]))?.input[0]);
      const scale = graph.initializer.find((t) => t.name === dqWeight!.input[1]);
      const outChannels = Number(weight?.dims[0]);
      assert.deepEqual(scale?.dims.map(Number), [outChannels], "one scale per output channel");
    }
    for (const t of graph.initializer.filter((t) => t.name.includes("zero_point"))) {
      assert.equal(t.data_type, 3, `${t.name} is int8`);
      assert.ok(new Int8Array(t.raw_data!.buffer, t.raw_data!.byteOffset, t.raw_data!.length).every((v) => v === 0), `${t.name} is zero`);
    }
    const q = graph.node.filter((n) => n.op_type === "QuantizeLinear").length;
    assert.ok(q >= convs.length * 2, "Q on every quantized activation and weight");
  });

  it("runs the calibration images through a model once: the same model and images reuse the histograms", async () => {
    const [input, hidden] = quantizationTargets(decodeModel(fp32.bytes).graph).map((n) => n.input[0]);
    const first = await collectStatistics(fp32.bytes, [input], calibration);
    // The same content in another array, with one more tensor: the first tensor's histogram is reused.
    const again = await collectStatistics(fp32.bytes.slice(), [input, hidden], calibration);
    assert.equal(again.get(input), first.get(input));
    // Other images (equal values, another tensor) or another bin count are collected anew, with the same result.
    const copy = { x: calibration.x.clone() };
    const fresh = await collectStatistics(fp32.bytes, [input, hidden], copy);
    assert.notEqual(fresh.get(input), first.get(input));
    assert.deepEqual(fresh.get(input), first.get(input));
    assert.deepEqual(fresh.get(hidden), again.get(hidden));
    const coarse = await collectStatistics(fp32.bytes, [input], calibration, { bins: 256 });
    assert.equal(coarse.get(input)!.histogram.length, 256);
    copy.x.dispose();
  });

  it("rejects a calibration set of the wrong image size with a clear message", async () => {
    const wrong = { x: tf.zeros([4, 32, 32, 1]) as tf.Tensor4D };
    await assert.rejects(quantizeInt8(fp32, wrong), /calibration|\[32, 32, 1\]|size/i);
  });

  it("compareQuantized: one table of FP32, FP16 and INT8 on the same validation set", async () => {
    const comparison = await compareQuantized(model, {
      validation: asSamples(mnistDigits().heldOut, 1000),
      calibration,
      int8Methods: ["max", "percentile", "entropy"],
      seconds: 0.6,
    });
    assert.deepEqual(comparison.rows.map((r) => r.label), ["FP32", "FP16", "INT8 (max)", "INT8 (percentile)", "INT8 (entropy)"]);
    assert.equal(comparison.rows[0].accuracyDropPoints, 0);
    assert.equal(comparison.rows[0].top1AgreementWithFp32, 1);
    for (const row of comparison.rows) {
      assert.ok(row.imagesPerSecond > 0 && row.sizeBytes > 0 && row.accuracy > 0.8, JSON.stringify(row));
    }
    assert.ok(comparison.rows[1].sizeBytes < comparison.rows[0].sizeBytes);
    assert.equal(comparison.chartData().length, 15);
    const bundle = await comparison[DISPLAY]();
    assert.match(String(bundle["text/html"]), /<table[^>]*>.*FP16.*INT8 \(entropy\)/s);
    assert.match(String(bundle["text/plain"]), /FP32/);
  });

  it("benchmarkInference: tfjs and onnxruntime FP32/FP16/INT8 at batch 1 and 32, with latency percentiles", async () => {
    const bench = await benchmarkInference(model, { calibration, seconds: 0.6, rounds: 2 });
    assert.equal(bench.rows.length, 8);
    for (const row of bench.rows) {
      assert.ok(row.imagesPerSecond > 0 && row.latencyP50Ms > 0 && row.latencyP99Ms >= row.latencyP50Ms, JSON.stringify(row));
    }
    assert.ok(bench.find("onnxruntime", "int8", 32));
    assert.ok(Number.isFinite(bench.speedup("fp32", 32)));
    assert.match(String(bench[DISPLAY]()["text/plain"]), /onnxruntime/);
  });

  after(() => {
    heldOut?.x.dispose();
    calibration?.x.dispose();
  });
  checkerTest();
});

describe("deploy: quantizing the AlexNet-style and BatchNorm nets (random weights, structural checks)", function () {
  this.timeout(300000);
  before(async () => useBackend());
  for (const [name, build, shape] of [
    ["small AlexNet-style net", smallAlexNet, [32, 32, 3]],
    ["BatchNorm net", batchNormNet, [28, 28, 1]],
  ] as const) {
    it(`${name}: FP16 and INT8 exports run and stay near FP32`, async () => {
      const model = build();
      randomizeBatchNorm(model);
      const x = tf.tidy(() => tf.randomUniform([64, ...shape], 0, 1, "float32", 9)) as tf.Tensor4D;
      const fp32 = toOnnx(model, { dynamicBatch: true });
      const fp16 = quantizeFp16(fp32);
      const int8 = await quantizeInt8(fp32, { x }, { method: "max" });
      keepForChecker(fp16.bytes, `${name}-fp16`);
      keepForChecker(int8.bytes, `${name}-int8`);
      const f16 = await verifyOnnx(model, fp16.bytes, { x }, { tolerance: 1e-2 });
      const i8 = await verifyOnnx(model, int8.bytes, { x }, { tolerance: 0.1 });
      assert.ok(f16.passed, `fp16 max diff ${f16.maxAbsDiff}`);
      assert.ok(i8.passed, `int8 max diff ${i8.maxAbsDiff}`);
      x.dispose();
    });
  }
  checkerTest();
});

describe("deploy: number formats and calibration rules", () => {
  it("converts float32 to float16 and back exactly where representable, rounding to nearest even", () => {
    const exact = [0, 1, -2, 0.5, 0.333251953125, 65504, -65504, 6.103515625e-5, 5.960464477539063e-8];
    assert.deepEqual(Array.from(float16ToFloat32(float32ToFloat16(exact))), exact);
    assert.equal(float16ToFloat32(float32ToFloat16([0.1]))[0], 0.0999755859375, "0.1 rounds to the nearest half");
    assert.equal(toFloat16Bits(1 + 2 ** -11), 0x3c00, "tie rounds to even (down)");
    assert.equal(toFloat16Bits(1 + 3 * 2 ** -11), 0x3c02, "tie rounds to even (up)");
    assert.equal(toFloat16Bits(70000), 0x7c00, "overflow is infinity");
    assert.equal(toFloat16Bits(1e-9), 0, "underflow is zero");
    assert.ok(Number.isNaN(float16ToFloat32([toFloat16Bits(NaN)])[0]));
  });

  it("max, percentile and entropy thresholds behave as documented on a known histogram", () => {
    // 10,000 values spread over [0, 1) plus one outlier at 100.
    const bins = 2048;
    const absMax = 100;
    const binWidth = absMax / bins;
    const histogram = new Float64Array(bins);
    for (let i = 0; i < 10000; i++) histogram[Math.floor(((i + 0.5) / 10000) / binWidth)]++;
    histogram[bins - 1]++;
    const stats = { absMax, histogram, binWidth };
    assert.equal(chooseThreshold(stats, { method: "max" }), 100);
    const p = chooseThreshold(stats, { method: "percentile", percentile: 99.9 });
    assert.ok(p > 0.9 && p < 1.1, `percentile threshold ${p}`);
    const e = chooseThreshold(stats, { method: "entropy" });
    assert.ok(e < 10, `entropy threshold ${e} should ignore the lone outlier`);
    assert.throws(() => chooseThreshold(stats, { method: "mean" as never }), /Unknown calibration method "mean"/);
  });
});
