import { strict as assert } from "node:assert";
import * as tf from "@tensorflow/tfjs";
import * as ort from "onnxruntime-node";
import { SUPPORTED_LAYERS, exportOnnx, toOnnx } from "../../lib/deploy";
import { decodeModel } from "../../lib/deploy/onnx/proto";
import { batchNormNet, branchyNet, lenet, randomizeBatchNorm, smallAlexNet, useBackend } from "./fixtures";
import { checkerTest, randomInput, roundTrip } from "./helpers";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const TOLERANCE = 1e-4;

/** A one-layer model (plus Flatten when the layer's output is an image) on random input. */
function oneLayer(layer: tf.layers.Layer, inputShape: [number, number, number] = [9, 9, 3]): tf.LayersModel {
  const input = tf.input({ shape: inputShape });
  let out = layer.apply(input) as tf.SymbolicTensor;
  if (out.shape.length === 4) out = tf.layers.flatten().apply(out) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

function opsOf(bytes: Uint8Array): string[] {
  return decodeModel(bytes).graph.node.map((n) => n.op_type);
}

describe("deploy: exportOnnx round trips (onnxruntime vs tfjs, FP32, tolerance 1e-4)", function () {
  this.timeout(600000);
  before(async () => useBackend());

  const input = (shape: [number, number, number] = [9, 9, 3]) => randomInput([3, ...shape]);

  const cases: [string, () => tf.LayersModel, [number, number, number]?][] = [
    ["Conv2D valid", () => oneLayer(tf.layers.conv2d({ filters: 4, kernelSize: 3 }))],
    ["Conv2D same, stride 2, no bias", () => oneLayer(tf.layers.conv2d({ filters: 5, kernelSize: [3, 2], strides: 2, padding: "same", useBias: false }))],
    ["Conv2D same with even kernel and stride 2", () => oneLayer(tf.layers.conv2d({ filters: 3, kernelSize: 4, strides: 2, padding: "same" }), [10, 10, 2]), [10, 10, 2]],
    ["Conv2D dilated", () => oneLayer(tf.layers.conv2d({ filters: 4, kernelSize: 3, dilationRate: 2, padding: "same" }))],
    ["DepthwiseConv2D", () => oneLayer(tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: "same", useBias: true }))],
    ["Dense after Flatten (NHWC order)", () => tf.sequential({ layers: [tf.layers.flatten({ inputShape: [5, 4, 3] }), tf.layers.dense({ units: 7 })] }), [5, 4, 3]],
    ["Dense after Conv2D and Flatten", () => tf.sequential({ layers: [tf.layers.conv2d({ inputShape: [6, 5, 2], filters: 3, kernelSize: 2 }), tf.layers.flatten(), tf.layers.dense({ units: 4, activation: "relu" }), tf.layers.dense({ units: 3 })] }), [6, 5, 2]],
    ["MaxPooling2D valid", () => oneLayer(tf.layers.maxPooling2d({ poolSize: 2 }))],
    ["MaxPooling2D same, overlapping", () => oneLayer(tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: "same" }))],
    ["AveragePooling2D valid", () => oneLayer(tf.layers.averagePooling2d({ poolSize: 2, strides: 1 }))],
    ["AveragePooling2D same (padding left out of the average)", () => oneLayer(tf.layers.averagePooling2d({ poolSize: 3, strides: 2, padding: "same" }))],
    ["GlobalAveragePooling2D", () => oneLayer(tf.layers.globalAveragePooling2d({}))],
    ["GlobalMaxPooling2D", () => oneLayer(tf.layers.globalMaxPooling2d({}))],
    ["BatchNormalization on an image (not foldable)", () => oneLayer(tf.layers.batchNormalization({ epsilon: 0.01 }))],
    ["BatchNormalization folded into Conv2D", () => tf.sequential({ layers: [tf.layers.conv2d({ inputShape: [9, 9, 3], filters: 4, kernelSize: 3 }), tf.layers.batchNormalization(), tf.layers.flatten()] })],
    ["BatchNormalization folded into Dense", () => tf.sequential({ layers: [tf.layers.flatten({ inputShape: [9, 9, 3] }), tf.layers.dense({ units: 6 }), tf.layers.batchNormalization({ epsilon: 1e-5 })] })],
    ["BatchNormalization after Flatten", () => tf.sequential({ layers: [tf.layers.flatten({ inputShape: [4, 4, 3] }), tf.layers.batchNormalization({ center: false })] }), [4, 4, 3]],
    ["Dropout, GaussianNoise, GaussianDropout, AlphaDropout (identity)", () => tf.sequential({ layers: [tf.layers.flatten({ inputShape: [4, 4, 3] }), tf.layers.dropout({ rate: 0.5 }), tf.layers.gaussianNoise({ stddev: 1 }), tf.layers.gaussianDropout({ rate: 0.3 }), tf.layers.alphaDropout({ rate: 0.3 }), tf.layers.dense({ units: 3 })] }), [4, 4, 3]],
    ["Flatten followed by Softmax layer", () => tf.sequential({ layers: [tf.layers.flatten({ inputShape: [3, 2, 4] }), tf.layers.softmax()] }), [3, 2, 4]],
    ["ReLU layer and ReLU with maxValue", () => tf.sequential({ layers: [tf.layers.reLU({ inputShape: [4, 4, 3] }), tf.layers.conv2d({ filters: 3, kernelSize: 1 }), tf.layers.reLU({ maxValue: 0.5 }), tf.layers.flatten()] }), [4, 4, 3]],
    ["LeakyReLU and ELU layers", () => tf.sequential({ layers: [tf.layers.leakyReLU({ inputShape: [4, 4, 3], alpha: 0.2 }), tf.layers.elu(), tf.layers.flatten()] }), [4, 4, 3]],
    ["Softmax layer on an image (channels)", () => oneLayer(tf.layers.softmax({ axis: -1 }))],
    ["ZeroPadding2D", () => oneLayer(tf.layers.zeroPadding2d({ padding: [[1, 0], [2, 3]] }))],
    ["UpSampling2D nearest, 2 x 3", () => oneLayer(tf.layers.upSampling2d({ size: [2, 3] }), [4, 5, 3]), [4, 5, 3]],
    ["Rescaling", () => oneLayer(tf.layers.rescaling({ scale: 1 / 255, offset: -0.5 }))],
    ["Add, Multiply, Average, Maximum, Minimum", mergeModel],
    ["Concatenate on channels, height and after Flatten", concatModel],
    ["Functional residual + concatenate net", () => branchyNet(), [16, 16, 3]],
  ];
  for (const activation of ["relu", "relu6", "elu", "selu", "sigmoid", "hardSigmoid", "softplus", "softsign", "tanh", "softmax", "swish", "mish", "gelu", "linear"]) {
    cases.push([`Dense with activation ${activation}`, () => tf.sequential({ layers: [tf.layers.flatten({ inputShape: [3, 3, 2] }), tf.layers.dense({ units: 5, activation: activation as never })] }), [3, 3, 2]]);
    cases.push([`Activation layer ${activation} on an image`, () => oneLayer(tf.layers.activation({ activation: activation as never }), [3, 3, 4]), [3, 3, 4]]);
  }

  for (const [name, build, shape] of cases) {
    it(name, async () => {
      const model = build();
      randomizeBatchNorm(model);
      const x = input(shape);
      const { maxAbsDiff } = await roundTrip(model, x, { outputSoftmax: "never" });
      assert.ok(maxAbsDiff <= TOLERANCE, `max |onnx - tfjs| = ${maxAbsDiff}`);
      // Unfolded BatchNormalization (written with the model's epsilon) must match too.
      const unfolded = await roundTrip(model, x, { outputSoftmax: "never", foldBatchNorm: false });
      assert.ok(unfolded.maxAbsDiff <= TOLERANCE, `unfolded: max |onnx - tfjs| = ${unfolded.maxAbsDiff}`);
      x.dispose();
    });
  }

  it("every supported layer has a round-trip case above", () => {
    const tested = new Set<string>();
    for (const [, build] of cases) for (const l of build().layers) tested.add(l.getClassName());
    const missing = SUPPORTED_LAYERS.filter((l) => !tested.has(l));
    assert.deepEqual(missing, []);
  });

  for (const [name, build, shape] of [
    ["LeNet (DIGITS)", () => lenet(), [28, 28, 1]],
    ["small AlexNet-style net", () => smallAlexNet(), [32, 32, 3]],
    ["BatchNorm net", () => batchNormNet(), [28, 28, 1]],
  ] as [string, () => tf.LayersModel, [number, number, number]][]) {
    it(`${name}: probabilities match at batch 1 and dynamic batch`, async () => {
      const model = build();
      randomizeBatchNorm(model);
      const x = randomInput([8, ...shape], 11);
      const dynamic = await roundTrip(model, x);
      assert.ok(dynamic.maxAbsDiff <= TOLERANCE, `dynamic batch: ${dynamic.maxAbsDiff}`);
      assert.equal(dynamic.exported.appendedSoftmax, false);
      const single = await roundTrip(model, x.slice(0, 1), { dynamicBatch: false });
      assert.ok(single.maxAbsDiff <= TOLERANCE, `batch 1: ${single.maxAbsDiff}`);
      assert.deepEqual(single.exported.inputShape, [1, shape[2], shape[0], shape[1]]);
      // The softmax layer is not folded away: pre-softmax logits also agree when taken out.
      const unfolded = await roundTrip(model, x, { foldBatchNorm: false });
      assert.ok(unfolded.maxAbsDiff <= TOLERANCE, `unfolded BN: ${unfolded.maxAbsDiff}`);
    });
  }

  it("folds BatchNormalization into the preceding layer (no BatchNormalization node left)", () => {
    const model = batchNormNet();
    randomizeBatchNorm(model);
    assert.ok(!opsOf(toOnnx(model).bytes).includes("BatchNormalization"));
    assert.equal(opsOf(toOnnx(model, { foldBatchNorm: false }).bytes).filter((o) => o === "BatchNormalization").length, 3);
  });

  it("permutes the Dense weights after Flatten instead of transposing (no Transpose or Gather in LeNet)", () => {
    const ops = opsOf(toOnnx(lenet()).bytes);
    assert.ok(!ops.includes("Transpose") && !ops.includes("Gather"), ops.join(","));
  });

  it("appends a Softmax when the model ends in logits, so the output is probabilities", async () => {
    const model = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [4, 4, 1] }), tf.layers.dense({ units: 3 })] });
    const { exported, onnx, maxAbsDiff } = await roundTrip(model, randomInput([2, 4, 4, 1]));
    assert.equal(exported.appendedSoftmax, true);
    assert.ok(maxAbsDiff <= TOLERANCE);
    for (let i = 0; i < 2; i++) assert.ok(Math.abs(onnx[i * 3] + onnx[i * 3 + 1] + onnx[i * 3 + 2] - 1) < 1e-5);
  });

  it("names the graph input_0 / output_0, float32, NCHW, batch 1 by default, opset 13", () => {
    const model = lenet();
    const decoded = decodeModel(toOnnx(model).bytes);
    assert.equal(decoded.opset_import[0].version, 13);
    assert.equal(decoded.ir_version, 7);
    const input = decoded.graph.input[0];
    assert.equal(input.name, "input_0");
    assert.equal(input.type.tensor_type.elem_type, 1);
    assert.deepEqual(input.type.tensor_type.shape?.dim.map((d) => d.dim_value), [1, 1, 28, 28]);
    assert.equal(decoded.graph.output[0].name, "output_0");
    assert.deepEqual(decoded.graph.output[0].type.tensor_type.shape?.dim.map((d) => d.dim_value), [1, 10]);
  });

  it("writes the file with exportOnnx and onnxruntime loads it from disk", async () => {
    const dir = mkdtempSync(join(tmpdir(), "convlab-export-"));
    const path = join(dir, "sub", "lenet.onnx");
    const result = exportOnnx(lenet(), path, { labels: ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"] });
    assert.equal(result.path, path);
    assert.ok(Buffer.from(result.bytes).equals(readFileSync(path)));
    const session = await ort.InferenceSession.create(path);
    assert.deepEqual(session.inputNames, ["input_0"]);
    await session.release();
  });

  it("bakes a mean-image normalization into the graph (DIGITS style, 0–255 input)", async () => {
    const model = lenet();
    const meanImage = Float32Array.from({ length: 28 * 28 }, (_, i) => 30 + (i % 28) * 2);
    const exported = toOnnx(model, { normalization: { scale: 1, mean: meanImage, std: 64 }, dynamicBatch: true });
    const raw = tf.tidy(() => tf.randomUniform([2, 28, 28, 1], 0, 255, "float32", 5));
    const modelInput = tf.tidy(() => tf.div(tf.sub(raw, tf.tensor4d(meanImage, [1, 28, 28, 1])), 64));
    const expected = (model.predict(modelInput) as tf.Tensor).dataSync();
    const session = await ort.InferenceSession.create(exported.bytes);
    const nchw = Float32Array.from(raw.dataSync()); // one channel: NHWC = NCHW
    const out = (await session.run({ input_0: new ort.Tensor("float32", nchw, [2, 1, 28, 28]) })).output_0.data as Float32Array;
    for (let i = 0; i < out.length; i++) assert.ok(Math.abs(out[i] - expected[i]) < TOLERANCE, `element ${i}: ${out[i]} vs ${expected[i]}`);
  });

  it("bakes per-channel standardization into the graph (0–255 RGB input)", async () => {
    const model = smallAlexNet();
    const norm = { scale: 1 / 255, mean: [0.5, 0.4, 0.3], std: [0.2, 0.25, 0.3] };
    const exported = toOnnx(model, { normalization: norm, dynamicBatch: true });
    const raw = tf.tidy(() => tf.randomUniform([2, 32, 32, 3], 0, 255, "float32", 6));
    const modelInput = tf.tidy(() => tf.div(tf.sub(tf.mul(raw, 1 / 255), tf.tensor1d(norm.mean)), tf.tensor1d(norm.std)));
    const expected = (model.predict(modelInput) as tf.Tensor).dataSync();
    const session = await ort.InferenceSession.create(exported.bytes);
    const nchw = tf.tidy(() => Float32Array.from(tf.transpose(raw, [0, 3, 1, 2]).dataSync()));
    const out = (await session.run({ input_0: new ort.Tensor("float32", nchw, [2, 3, 32, 32]) })).output_0.data as Float32Array;
    for (let i = 0; i < out.length; i++) assert.ok(Math.abs(out[i] - expected[i]) < TOLERANCE, `element ${i}: ${out[i]} vs ${expected[i]}`);
  });

  describe("errors a learner can act on", () => {
    it("names an unsupported layer and lists the supported ones", () => {
      const model = tf.sequential({ layers: [tf.layers.cropping2D({ inputShape: [4, 4, 1], cropping: 1 }), tf.layers.flatten()] });
      assert.throws(() => toOnnx(model), (e: Error) => /cropping2d/i.test(e.message) && /Cropping2D/.test(e.message) && /Supported layers: .*Conv2D.*Dense/.test(e.message));
    });
    it("rejects bilinear UpSampling2D and says which interpolation is written", () => {
      const model = tf.sequential({ layers: [tf.layers.upSampling2d({ inputShape: [4, 4, 1], size: [2, 2], interpolation: "bilinear" }), tf.layers.flatten()] });
      assert.throws(() => toOnnx(model), /enlarges with "bilinear" interpolation; exportOnnx writes "nearest" only/);
    });
    it("rejects an unsupported activation by name", () => {
      const model = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [2, 2, 1] }), tf.layers.activation({ activation: "gelu_new" as never })] });
      assert.throws(() => toOnnx(model), /uses the activation "gelu_new".*Supported activations: .*relu/);
    });
    it("rejects labels that do not match the output size", () => {
      assert.throws(() => toOnnx(lenet(), { labels: ["a", "b"] }), /2 names but the model outputs 10 classes/);
    });
    it("rejects a normalization with the wrong number of channels", () => {
      assert.throws(() => toOnnx(smallAlexNet(), { normalization: { mean: [1, 2] } }), /mean has 2 values; the model has 3 channel/);
    });
    it("rejects models whose input size is not fixed", () => {
      const model = tf.sequential({ layers: [tf.layers.globalAveragePooling2d({ inputShape: [null, null, 3] as never }), tf.layers.dense({ units: 2 })] });
      assert.throws(() => toOnnx(model), /fixed size/);
    });
    it("rejects an opset below 13", () => {
      assert.throws(() => toOnnx(lenet(), { opset: 11 }), /opset must be an integer from 13/);
    });
  });

  checkerTest();
});

function mergeModel(): tf.LayersModel {
  const input = tf.input({ shape: [9, 9, 3] });
  const a = tf.layers.conv2d({ filters: 3, kernelSize: 1 }).apply(input) as tf.SymbolicTensor;
  const b = tf.layers.conv2d({ filters: 3, kernelSize: 1 }).apply(input) as tf.SymbolicTensor;
  const sum = tf.layers.add().apply([a, b, input]) as tf.SymbolicTensor;
  const product = tf.layers.multiply().apply([sum, b]) as tf.SymbolicTensor;
  const mean = tf.layers.average().apply([product, a]) as tf.SymbolicTensor;
  const max = tf.layers.maximum().apply([mean, b]) as tf.SymbolicTensor;
  const min = tf.layers.minimum().apply([max, a, input]) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: tf.layers.flatten().apply(min) as tf.SymbolicTensor });
}

function concatModel(): tf.LayersModel {
  const input = tf.input({ shape: [9, 9, 3] });
  const a = tf.layers.conv2d({ filters: 2, kernelSize: 1 }).apply(input) as tf.SymbolicTensor;
  const channels = tf.layers.concatenate({ axis: -1 }).apply([a, input]) as tf.SymbolicTensor;
  const height = tf.layers.concatenate({ axis: 1 }).apply([channels, channels]) as tf.SymbolicTensor;
  const width = tf.layers.concatenate({ axis: 2 }).apply([height, height]) as tf.SymbolicTensor;
  const flatA = tf.layers.flatten().apply(width) as tf.SymbolicTensor;
  const flatB = tf.layers.flatten().apply(input) as tf.SymbolicTensor;
  const joined = tf.layers.concatenate().apply([flatA, flatB]) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: tf.layers.dense({ units: 4 }).apply(joined) as tf.SymbolicTensor });
}
