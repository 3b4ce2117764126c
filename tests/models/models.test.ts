/**
 * The model builders: DIGITS's LeNet layer by layer, the small AlexNet and
 * the MLP, the typed layer list, seeded initial weights, the refusal of zero
 * kernels, summary(), and export to ONNX of what they build.
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import * as ort from "onnxruntime-node";
import { DISPLAY } from "../../lib/display";
import { useBackend } from "../../lib/backend";
import { toOnnx } from "../../lib/deploy";
import {
  avgPool,
  batchNorm,
  conv,
  dense,
  dropout,
  lenet,
  maxPool,
  mlp,
  modelInfo,
  relu,
  sequential,
  smallAlexNet,
  softmax,
  summary,
  ZeroInitializationError,
  checkKernelsNotConstant,
} from "../../lib/models";

const shapes = (model: tf.LayersModel) => model.layers.map((l) => `${l.name}:${(l.outputShape as number[]).slice(1).join("x")}`);
const firstValues = (model: tf.LayersModel) => Array.from(model.getWeights()[0].dataSync().slice(0, 8));

describe("models", function () {
  this.timeout(60_000);

  before(async () => {
    await useBackend();
  });

  describe("lenet", () => {
    it("is DIGITS's LeNet: conv 20@5x5, pool 2, conv 50@5x5, pool 2, dense 500 + ReLU, dense 10, softmax", () => {
      const model = lenet({ seed: 1 });
      assert.deepEqual(shapes(model), [
        "conv1:24x24x20",
        "pool1:12x12x20",
        "conv2:8x8x50",
        "pool2:4x4x50",
        "flatten:800",
        "ip1:500",
        "relu1:500",
        "ip2:10",
        "prob:10",
      ]);
      // 20·25+20, 50·20·25+50, 800·500+500, 500·10+10: DIGITS's LeNet has 431,080 parameters.
      assert.equal(model.countParams(), 431_080);
      const conv1 = model.getLayer("conv1").getConfig();
      assert.equal(conv1.activation, "linear", "DIGITS's convolutions have no activation of their own");
      assert.equal((conv1.kernelInitializer as { className: string }).className, "VarianceScaling");
      assert.equal((conv1.kernelInitializer as { config: { distribution: string; mode: string } }).config.mode, "fanIn");
      assert.equal(model.name, "lenet");
      model.dispose();
    });

    it("takes the classes and input size of other datasets, and an in-model 1/256 scaling on request", () => {
      const model = lenet({ inputShape: [32, 32, 3], numClasses: 5, inputScale: 1 / 256, seed: 2 });
      assert.equal(model.layers[0].getClassName(), "Rescaling");
      assert.deepEqual(model.outputs[0].shape, [null, 5]);
      assert.match(modelInfo(model)!.inputNote!, /0.003906/);
      model.dispose();
    });

    it("gives the same initial weights for the same seed and different ones for another seed", () => {
      const [a, b, c] = [lenet({ seed: 7 }), lenet({ seed: 7 }), lenet({ seed: 8 })];
      assert.deepEqual(firstValues(a), firstValues(b));
      assert.notDeepEqual(firstValues(a), firstValues(c));
      // Every layer gets its own stream: conv2's kernel is not conv1's, reshaped.
      assert.notDeepEqual(Array.from(a.getWeights()[2].dataSync().slice(0, 8)), firstValues(a));
      const unseeded = lenet();
      assert.equal(typeof modelInfo(unseeded)!.seed, "number", "a model built without a seed records the one it drew");
      const rebuilt = lenet({ seed: modelInfo(unseeded)!.seed });
      assert.deepEqual(firstValues(rebuilt), firstValues(unseeded));
      for (const m of [a, b, c, unseeded, rebuilt]) m.dispose();
    });
  });

  describe("smallAlexNet and mlp", () => {
    it("builds an AlexNet-style net for 28 and 64 pixel images at a CPU-friendly cost", () => {
      const small = smallAlexNet({ seed: 1 });
      assert.deepEqual(shapes(small).slice(0, 8), [
        "conv1:28x28x32",
        "pool1:13x13x32",
        "conv2:13x13x64",
        "pool2:6x6x64",
        "conv3:6x6x96",
        "conv4:6x6x96",
        "conv5:6x6x64",
        "pool5:2x2x64",
      ]);
      assert.equal(small.layers.filter((l) => l.getClassName() === "Dropout").length, 2);
      const large = smallAlexNet({ inputShape: [64, 64, 3], numClasses: 7, seed: 1 });
      assert.equal(shapes(large)[0], "conv1:32x32x32", "conv1 strides by 2 above 32 pixels");
      assert.deepEqual(large.outputs[0].shape, [null, 7]);
      assert.ok(summary(large).multAdds < 40e6, `64×64 costs ${summary(large).multAdds} multiply-adds`);
      small.dispose();
      large.dispose();
    });

    it("builds an MLP baseline and a plain linear classifier", () => {
      const model = mlp({ hidden: [64, 32], dropout: 0.2, seed: 1 });
      assert.deepEqual(shapes(model), ["flatten:784", "fc1:64", "drop1:64", "fc2:32", "drop2:32", "output:10", "prob:10"]);
      const linear = mlp({ hidden: [], seed: 1 });
      assert.equal(linear.countParams(), 784 * 10 + 10);
      assert.equal(modelInfo(linear)!.architecture, "linear classifier");
      model.dispose();
      linear.dispose();
    });
  });

  describe("sequential", () => {
    it("builds the brief's example with automatic names and a flatten before the first dense layer", () => {
      const model = sequential(
        [conv({ filters: 20, kernel: 5 }), maxPool(2), conv({ filters: 50, kernel: 5, activation: "relu" }), maxPool(2), dense({ units: 500, activation: "relu" }), dense({ units: 10 }), softmax()],
        { inputShape: [28, 28, 1], seed: 3 },
      );
      assert.deepEqual(
        model.layers.map((l) => l.name),
        ["conv1", "pool1", "conv2", "pool2", "flatten", "fc1", "fc2", "act1"],
      );
      assert.equal(model.countParams(), 431_080);
      assert.deepEqual(modelInfo(model)!.layers.slice(0, 3), ["conv1: conv 20@5×5", "pool1: max-pool 2", "conv2: conv 50@5×5 relu"]);
      model.dispose();
    });

    it("accepts every layer kind, and tfjs layers mixed in", () => {
      const model = sequential(
        [
          conv({ filters: 4, kernel: 3, padding: "same", stride: 1 }),
          batchNorm(),
          relu(),
          avgPool({ size: 2 }),
          tf.layers.conv2d({ filters: 4, kernelSize: 3, name: "raw" }),
          dropout(0.3),
          dense({ units: 3 }),
        ],
        { inputShape: [10, 10, 2], seed: 1 },
      );
      assert.deepEqual(shapes(model), ["conv1:10x10x4", "bn1:10x10x4", "act1:10x10x4", "pool1:5x5x4", "raw:3x3x4", "drop1:3x3x4", "flatten:36", "fc1:3"]);
      model.dispose();
    });

    it("explains shapes that do not fit, bad options and duplicate names", () => {
      assert.throws(
        () => sequential([conv({ filters: 2, kernel: 5 }), maxPool(2), conv({ filters: 2, kernel: 5 })], { inputShape: [8, 8, 1] }),
        /layer 3 \("conv2", conv 2@5×5\) does not fit its input of 2×2×2.*padding: "same"/s,
      );
      assert.throws(() => conv({ filters: 0, kernel: 3 }), /filters must be a whole number of at least 1/);
      assert.throws(() => conv({ filters: 3 } as never), /kernel \(the kernel size\) is required/);
      assert.throws(() => dense({ units: 10, activation: "rleu" as never }), /unknown activation "rleu"/);
      assert.throws(() => conv({ filters: 2, kernel: 3, strides: 2 } as never), /unknown option "strides"/);
      assert.throws(() => dropout(1), /fraction from 0/);
      assert.throws(() => sequential([dense({ units: 2, name: "a" }), dense({ units: 2, name: "a" })], { inputShape: [4] }), /two layers are named "a"/);
      assert.throws(() => sequential([dense({ units: 2 })], { inputShape: [28, 28] as never, seed: -1 }), /seed must be a whole number/);
      assert.throws(() => sequential([], { inputShape: [4] }), /non-empty list of layers/);
      assert.throws(() => lenet({ numClasses: 1 }), /numClasses must be a whole number of at least 2/);
    });
  });

  describe("zero initialization", () => {
    it("is refused in a layer spec, with the reason (symmetry)", () => {
      for (const init of ["zeros", "ones", "constant"]) {
        assert.throws(
          () => conv({ filters: 8, kernel: 3, kernelInitializer: init }),
          (error: Error) =>
            error instanceof ZeroInitializationError &&
            /Do not initialize a kernel to 0/.test(error.message) &&
            /same gradient/.test(error.message) &&
            /glorotUniform/.test(error.message),
        );
      }
      assert.throws(() => dense({ units: 4, kernelInitializer: "zeros" }), ZeroInitializationError);
      assert.throws(() => dense({ units: 4, kernelInitializer: "heNorml" }), /unknown kernel initializer "heNorml"/);
    });

    it("is refused for tfjs layers with a constant kernel initializer", () => {
      assert.throws(
        () => sequential([tf.layers.dense({ units: 3, kernelInitializer: "zeros", name: "zeroed" })], { inputShape: [4] }),
        /Layer "zeroed": its kernelInitializer is Zeros/,
      );
      assert.throws(
        () => sequential([tf.layers.dense({ units: 3, kernelInitializer: tf.initializers.constant({ value: 0.5 }) })], { inputShape: [4] }),
        /Constant \(value 0.5\)/,
      );
    });

    it("is detected in a model's actual weights (checked again by train())", () => {
      const model = lenet({ seed: 1 });
      checkKernelsNotConstant(model);
      model.getLayer("ip1").setWeights([tf.zeros([800, 500]), tf.zeros([500])]);
      assert.throws(() => checkKernelsNotConstant(model), /Layer "ip1": every weight of its kernel is 0/);
      model.dispose();
    });
  });

  describe("summary", () => {
    it("lists layers, output shapes, parameters and multiply-adds, as text and as an HTML table", () => {
      const model = lenet({ seed: 5 });
      const s = summary(model);
      assert.equal(s.totalParams, 431_080);
      assert.equal(s.trainableParams, 431_080);
      assert.equal(s.nonTrainableParams, 0);
      // conv1: 24·24·20·25; conv2: 8·8·50·500; ip1: 800·500; ip2: 500·10
      assert.equal(s.multAdds, 288_000 + 1_600_000 + 400_000 + 5_000);
      assert.deepEqual(s.layers[1], { name: "pool1", type: "MaxPooling2D", details: "2×2, stride 2", outputShape: [12, 12, 20], params: 0, trainableParams: 0, multAdds: 0, frozen: false });
      const text = s.toString();
      assert.match(text, /Model "lenet" \(DIGITS LeNet, seed 5\): input 28×28×1/);
      assert.match(text, /conv2\s+Conv2D\s+50 filters 5×5\s+8×8×50\s+25,050\s+1,600,000/);
      assert.match(text, /431,080 parameters \(1.72 MB as float32\)/);
      const bundle = s[DISPLAY]();
      assert.match(String(bundle["text/html"]), /<table[\s\S]*<td[^>]*>ip1<\/td><td[^>]*>Dense<\/td>[\s\S]*400,500/);
      assert.equal(bundle["text/plain"], text);
      const bn = sequential([conv({ filters: 4, kernel: 3 }), batchNorm()], { inputShape: [6, 6, 1], seed: 1 });
      assert.equal(summary(bn).nonTrainableParams, 8, "batch norm's moving mean and variance are not trained");
      assert.throws(() => summary({} as never), /takes a tfjs Layers model/);
      model.dispose();
      bn.dispose();
    });
  });

  describe("export", () => {
    it("gives plain tfjs models that lib/deploy exports to ONNX with the same outputs", async () => {
      for (const model of [lenet({ seed: 1 }), smallAlexNet({ seed: 1 }), mlp({ seed: 1 })]) {
        const exported = toOnnx(model, { dynamicBatch: true });
        const session = await ort.InferenceSession.create(exported.bytes);
        const x = tf.randomUniform([2, 28, 28, 1], 0, 1, "float32", 3) as tf.Tensor4D;
        const nchw = tf.tidy(() => tf.transpose(x, [0, 3, 1, 2]).dataSync() as Float32Array);
        const out = await session.run({ [exported.inputName]: new ort.Tensor("float32", Float32Array.from(nchw), [2, 1, 28, 28]) });
        const onnx = out[exported.outputName].data as Float32Array;
        const tfjs = tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync());
        assert.equal(exported.appendedSoftmax, false, `${model.name} already ends in softmax`);
        const diff = Math.max(...Array.from(tfjs, (v, i) => Math.abs(v - onnx[i])));
        assert.ok(diff < 1e-5, `${model.name}: ONNX and tfjs differ by ${diff}`);
        await session.release();
        x.dispose();
        model.dispose();
      }
    });
  });
});
