/**
 * Every kernel convlab registers for wasm, against the cpu backend, on random
 * inputs, to 1e-4 relative error.
 *
 * Dilation: tfjs itself refuses gradients of dilated convolutions (its Conv2D
 * gradient asserts dilations of 1), and its backprop kernels take no
 * dilation, so no replaced kernel ever sees one; the dilated forward
 * convolution is the wasm backend's own kernel. Explicit padding, which the
 * kernels do see, is covered instead.
 */
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { conv2DBackpropFilterMethod } from "../../lib/backend/wasm/conv2d-backprop-filter";
import { conv2DBackpropInputMethod } from "../../lib/backend/wasm/conv2d-backprop-input";
import { maxPoolGradMethod } from "../../lib/backend/wasm/max-pool-grad";
import { sumMethod } from "../../lib/backend/wasm/sum";
import { conv2DMethod } from "../../lib/backend/wasm/conv2d";
import { addMethod } from "../../lib/backend/wasm/add";
import { reluMethod } from "../../lib/backend/wasm/relu";
import { winogradApplies, winogradSettings } from "../../lib/backend/wasm/winograd";
import { simdKernels } from "../../lib/backend/wasm/simd/runtime";
import { jobCounts } from "../../lib/backend/wasm/simd/parallel";
import type { WasmBackend } from "../../lib/backend/wasm/kernel-calls";
import { trainingKernels } from "../../lib/backend/wasm/register";
import { assertMatchesCpu, randomValues, runKernelOn, sizeOf, startBothBackends } from "./compare-with-cpu";

type Pad = "same" | "valid" | tf.backend_util.ExplicitPadding;

interface ConvCase {
  batch: number;
  height: number;
  width: number;
  inChannels: number;
  outChannels: number;
  kernel: number;
  stride: number;
  pad: Pad;
}

function convCases(): ConvCase[] {
  const cases: ConvCase[] = [];
  for (const stride of [1, 2]) {
    for (const pad of ["same", "valid"] as const) {
      for (const kernel of [1, 3, 5]) {
        for (const batch of [1, 4]) {
          for (const [inChannels, outChannels] of [
            [1, 1],
            [1, 6],
            [5, 1],
            [5, 7],
          ]) {
            cases.push({ batch, height: 9, width: 8, inChannels, outChannels, kernel, stride, pad });
          }
        }
      }
    }
  }
  // Explicit, uneven and wider-than-the-filter padding.
  cases.push({ batch: 2, height: 7, width: 6, inChannels: 3, outChannels: 4, kernel: 3, stride: 1, pad: [[0, 0], [2, 0], [0, 1], [0, 0]] });
  cases.push({ batch: 2, height: 7, width: 6, inChannels: 3, outChannels: 4, kernel: 3, stride: 2, pad: [[0, 0], [1, 3], [3, 1], [0, 0]] });
  cases.push({ batch: 2, height: 6, width: 6, inChannels: 2, outChannels: 3, kernel: 1, stride: 1, pad: [[0, 0], [2, 2], [1, 1], [0, 0]] });
  // A LeNet-sized layer.
  cases.push({ batch: 8, height: 12, width: 12, inChannels: 20, outChannels: 50, kernel: 5, stride: 1, pad: "valid" });
  return cases;
}

function describeCase(c: ConvCase): string {
  return `x ${c.batch}x${c.height}x${c.width}x${c.inChannels}, ${c.kernel}x${c.kernel}x${c.outChannels}, stride ${c.stride}, pad ${JSON.stringify(c.pad)}`;
}

function outputShape(c: ConvCase): [number, number, number, number] {
  const info = tf.backend_util.computeConv2DInfo(
    [c.batch, c.height, c.width, c.inChannels],
    [c.kernel, c.kernel, c.inChannels, c.outChannels],
    c.stride,
    1,
    c.pad,
  );
  return info.outShape;
}

describe("wasm training kernels match the cpu backend", function () {
  this.timeout(300_000);

  before(startBothBackends);
  afterEach(() => {
    conv2DBackpropInputMethod.use = "auto";
    conv2DBackpropInputMethod.maxColumnFloats = 1 << 23;
    conv2DBackpropInputMethod.simdChunkBytes = 48 * 1024;
    conv2DBackpropFilterMethod.use = "auto";
    conv2DBackpropFilterMethod.chunkBytes = 48 * 1024;
    maxPoolGradMethod.use = "auto";
    sumMethod.use = "auto";
    addMethod.use = "auto";
    reluMethod.use = "auto";
    conv2DMethod.use = "auto";
    winogradSettings.use = "auto";
    winogradSettings.minChannels = 8;
    winogradSettings.chunkFloats = 8192;
    winogradSettings.fiveByFive = ["forward", "input", "filter"];
    winogradSettings.threeByThreeTile = 4;
  });

  it("has its generated SIMD kernels on the single-threaded wasm backend", async () => {
    await tf.setBackend("wasm");
    assert.ok(simdKernels(tf.backend() as unknown as WasmBackend), "the SIMD kernels could not be bound to the wasm memory");
  });

  it("registers every kernel it claims, for wasm", () => {
    for (const config of trainingKernels) {
      const registered = tf.getKernel(config.kernelName, "wasm");
      assert.equal(registered?.kernelFunc, config.kernelFunc, `${config.kernelName} is convlab's`);
    }
  });

  for (const [method, chunkBytes] of [["simd", 48 * 1024], ["simd", 1], ["xnnpack", 0]] as const) {
    const chunked = chunkBytes === 1 ? ", one image at a time" : "";
    it(`Conv2DBackpropFilter (${method}${chunked}): strides 1/2, same/valid/explicit padding, kernels 1/3/5, batches 1/N, channels 1/many`, async () => {
      conv2DBackpropFilterMethod.use = method;
      if (chunkBytes) conv2DBackpropFilterMethod.chunkBytes = chunkBytes;
      let seed = 1;
      for (const c of convCases()) {
        const xShape = [c.batch, c.height, c.width, c.inChannels];
        const dyShape = outputShape(c);
        await assertMatchesCpu(
          tf.Conv2DBackpropFilter,
          {
            x: { shape: xShape, values: randomValues(sizeOf(xShape), seed++) },
            dy: { shape: dyShape, values: randomValues(sizeOf(dyShape), seed++) },
          },
          { strides: c.stride, pad: c.pad, dataFormat: "NHWC", filterShape: [c.kernel, c.kernel, c.inChannels, c.outChannels] },
          `Conv2DBackpropFilter/${method} ${describeCase(c)}`,
        );
      }
    });
  }

  for (const method of ["auto", "xnnpack"] as const) {
    it(`Conv2D (${method === "auto" ? "SIMD" : "XNNPACK"}): the same cases, and dilated ones (XNNPACK either way)`, async () => {
      conv2DMethod.use = method;
      let seed = 2000;
      const cases = convCases().map((c) => ({ ...c, dilation: 1 }));
      cases.push({ batch: 2, height: 9, width: 8, inChannels: 3, outChannels: 5, kernel: 3, stride: 1, pad: "same", dilation: 2 });
      cases.push({ batch: 2, height: 9, width: 8, inChannels: 3, outChannels: 5, kernel: 3, stride: 1, pad: "valid", dilation: 2 });
      for (const c of cases) {
        const xShape = [c.batch, c.height, c.width, c.inChannels];
        const filterShape = [c.kernel, c.kernel, c.inChannels, c.outChannels];
        await assertMatchesCpu(
          tf.Conv2D,
          {
            x: { shape: xShape, values: randomValues(sizeOf(xShape), seed++) },
            filter: { shape: filterShape, values: randomValues(sizeOf(filterShape), seed++) },
          },
          { strides: c.stride, pad: c.pad, dataFormat: "NHWC", dilations: c.dilation },
          `Conv2D/${method} ${describeCase(c)} dilation ${c.dilation}`,
        );
      }
    });
  }

  it("Conv2DBackpropInput (simd, one image at a time): the same cases", async () => {
    conv2DBackpropInputMethod.use = "simd";
    conv2DBackpropInputMethod.simdChunkBytes = 1;
    let seed = 3000;
    for (const c of convCases()) {
      const filterShape = [c.kernel, c.kernel, c.inChannels, c.outChannels];
      const dyShape = outputShape(c);
      await assertMatchesCpu(
        tf.Conv2DBackpropInput,
        {
          dy: { shape: dyShape, values: randomValues(sizeOf(dyShape), seed++) },
          filter: { shape: filterShape, values: randomValues(sizeOf(filterShape), seed++) },
        },
        { strides: c.stride, pad: c.pad, dataFormat: "NHWC", inputShape: [c.batch, c.height, c.width, c.inChannels] },
        `Conv2DBackpropInput/simd chunked ${describeCase(c)}`,
      );
    }
  });

  for (const method of ["simd", "columns", "full"] as const) {
    it(`Conv2DBackpropInput (${method} method): the same cases`, async () => {
      conv2DBackpropInputMethod.use = method;
      let seed = 1000;
      for (const c of convCases()) {
        const filterShape = [c.kernel, c.kernel, c.inChannels, c.outChannels];
        const dyShape = outputShape(c);
        await assertMatchesCpu(
          tf.Conv2DBackpropInput,
          {
            dy: { shape: dyShape, values: randomValues(sizeOf(dyShape), seed++) },
            filter: { shape: filterShape, values: randomValues(sizeOf(filterShape), seed++) },
          },
          { strides: c.stride, pad: c.pad, dataFormat: "NHWC", inputShape: [c.batch, c.height, c.width, c.inChannels] },
          `Conv2DBackpropInput/${method} ${describeCase(c)}`,
        );
      }
    });
  }

  it("Conv2DBackpropInput (columns) in batch chunks when the columns would be large", async () => {
    conv2DBackpropInputMethod.use = "columns";
    // 7 images of 6x6 positions x 3x3x4 columns: 1,296 floats an image, so 3 a chunk (and a last chunk of 1).
    conv2DBackpropInputMethod.maxColumnFloats = 4000;
    const c: ConvCase = { batch: 7, height: 8, width: 8, inChannels: 4, outChannels: 5, kernel: 3, stride: 1, pad: "valid" };
    const dyShape = outputShape(c);
    const filterShape = [3, 3, 4, 5];
    await assertMatchesCpu(
      tf.Conv2DBackpropInput,
      {
        dy: { shape: dyShape, values: randomValues(sizeOf(dyShape), 7) },
        filter: { shape: filterShape, values: randomValues(sizeOf(filterShape), 8) },
      },
      { strides: 1, pad: "valid", dataFormat: "NHWC", inputShape: [c.batch, c.height, c.width, c.inChannels] },
      "chunked Conv2DBackpropInput",
    );
  });

  /** kernel x kernel stride-1 convolutions with enough channels for Winograd: odd and even sizes, every padding, channels not a multiple of 4. */
  function winogradCases(kernel: 3 | 5, large: boolean): ConvCase[] {
    const cases: ConvCase[] = [];
    for (const pad of ["same", "valid", [[0, 0], [2, 0], [0, 1], [0, 0]]] as Pad[]) {
      for (const [height, width] of [[8, 8], [7, 9], [3, 2], ...(kernel === 5 ? [[5, 6]] : [])]) {
        // 5x5 input gradients take input channels in fours.
        for (const [inChannels, outChannels] of [[8, 8], [kernel === 5 ? 12 : 10, 13], [4, 6]]) {
          cases.push({ batch: 3, height, width, inChannels, outChannels, kernel, stride: 1, pad });
        }
      }
    }
    // A vgg-sized layer, or LeNet's second convolution: many chunks of tiles.
    if (large && kernel === 3) cases.push({ batch: 4, height: 16, width: 16, inChannels: 32, outChannels: 64, kernel: 3, stride: 1, pad: "same" });
    if (large && kernel === 5) cases.push({ batch: 6, height: 12, width: 12, inChannels: 20, outChannels: 50, kernel: 5, stride: 1, pad: "valid" });
    return cases;
  }

  const winogradVariants = [
    [3, 4, 8192],
    [3, 4, 16],
    [3, 2, 8192],
    [3, 2, 16],
    [5, 2, 8192],
    [5, 2, 16],
  ] as const;
  for (const [kernel, tile, chunkFloats] of winogradVariants) {
    const chunks = chunkFloats === 16 ? ", four tiles a chunk" : "";
    it(`Winograd F(${tile}x${tile}, ${kernel}x${kernel})${chunks}: Conv2D, Conv2DBackpropInput and Conv2DBackpropFilter for ${kernel}x${kernel} stride-1 convolutions`, async () => {
      winogradSettings.minChannels = 4;
      winogradSettings.chunkFloats = chunkFloats;
      if (kernel === 3) winogradSettings.threeByThreeTile = tile;
      let seed = 7000;
      for (const c of winogradCases(kernel, chunkFloats !== 16)) {
        const xShape = [c.batch, c.height, c.width, c.inChannels];
        const filterShape = [c.kernel, c.kernel, c.inChannels, c.outChannels];
        const info = tf.backend_util.computeConv2DInfo(xShape as never, filterShape as never, 1, 1, c.pad);
        if (info.outHeight < 1 || info.outWidth < 1) continue;
        for (const pass of ["forward", "input", "filter"] as const) assert.ok(winogradApplies(info, pass), `Winograd applies to ${pass} of ${describeCase(c)}`);
        const dyShape = outputShape(c);
        const x = randomValues(sizeOf(xShape), seed++);
        const filter = randomValues(sizeOf(filterShape), seed++);
        const dy = randomValues(sizeOf(dyShape), seed++);
        const label = `Winograd ${describeCase(c)}`;
        await assertMatchesCpu(tf.Conv2D, { x: { shape: xShape, values: x }, filter: { shape: filterShape, values: filter } }, { strides: 1, pad: c.pad, dataFormat: "NHWC", dilations: 1 }, `Conv2D ${label}`);
        await assertMatchesCpu(
          tf.Conv2DBackpropInput,
          { dy: { shape: dyShape, values: dy }, filter: { shape: filterShape, values: filter } },
          { strides: 1, pad: c.pad, dataFormat: "NHWC", inputShape: xShape },
          `Conv2DBackpropInput ${label}`,
        );
        await assertMatchesCpu(
          tf.Conv2DBackpropFilter,
          { x: { shape: xShape, values: x }, dy: { shape: dyShape, values: dy } },
          { strides: 1, pad: c.pad, dataFormat: "NHWC", filterShape },
          `Conv2DBackpropFilter ${label}`,
        );
      }
    });
  }

  it("FusedConv2D: bias and ReLU or none, Winograd and direct, and the wasm backend's kernel for other activations", async () => {
    let seed = 8000;
    const cases: (ConvCase & { activation: string; bias: boolean })[] = [
      { batch: 3, height: 7, width: 9, inChannels: 8, outChannels: 12, kernel: 3, stride: 1, pad: "same", activation: "relu", bias: true },
      { batch: 2, height: 8, width: 8, inChannels: 8, outChannels: 8, kernel: 3, stride: 1, pad: "valid", activation: "linear", bias: true },
      { batch: 2, height: 8, width: 8, inChannels: 8, outChannels: 8, kernel: 3, stride: 1, pad: "same", activation: "relu", bias: false },
      { batch: 3, height: 12, width: 12, inChannels: 20, outChannels: 50, kernel: 5, stride: 1, pad: "valid", activation: "linear", bias: true },
      { batch: 2, height: 9, width: 8, inChannels: 3, outChannels: 7, kernel: 5, stride: 2, pad: "same", activation: "relu", bias: true },
      { batch: 2, height: 9, width: 8, inChannels: 3, outChannels: 6, kernel: 3, stride: 1, pad: "same", activation: "relu", bias: false },
      { batch: 2, height: 9, width: 8, inChannels: 3, outChannels: 2, kernel: 3, stride: 1, pad: "same", activation: "relu", bias: true },
      { batch: 2, height: 9, width: 8, inChannels: 3, outChannels: 5, kernel: 3, stride: 1, pad: "same", activation: "elu", bias: true },
    ];
    for (const c of cases) {
      const xShape = [c.batch, c.height, c.width, c.inChannels];
      const filterShape = [c.kernel, c.kernel, c.inChannels, c.outChannels];
      const inputs: Record<string, { shape: number[]; values: Float32Array }> = {
        x: { shape: xShape, values: randomValues(sizeOf(xShape), seed++) },
        filter: { shape: filterShape, values: randomValues(sizeOf(filterShape), seed++) },
      };
      if (c.bias) inputs.bias = { shape: [c.outChannels], values: randomValues(c.outChannels, seed++) };
      await assertMatchesCpu(
        tf.FusedConv2D,
        inputs,
        { strides: c.stride, pad: c.pad, dataFormat: "NHWC", dilations: 1, activation: c.activation },
        `FusedConv2D ${describeCase(c)} ${c.activation}${c.bias ? " with bias" : ""}`,
      );
    }
  });

  it("Conv2D gradients through tf.grads, as training takes them", async () => {
    const xShape = [3, 10, 9, 4];
    const filterShape = [3, 3, 4, 6];
    const x = randomValues(sizeOf(xShape), 21);
    const w = randomValues(sizeOf(filterShape), 22);
    const results: Record<string, Float32Array[]> = {};
    for (const backend of ["cpu", "wasm"] as const) {
      await tf.setBackend(backend);
      results[backend] = tf.tidy(() => {
        const f = (xs: tf.Tensor, ws: tf.Tensor) =>
          tf.conv2d(xs as tf.Tensor4D, ws as tf.Tensor4D, 2, "same").square().sum();
        const grads = tf.grads(f)([tf.tensor(x, xShape), tf.tensor(w, filterShape)]);
        return grads.map((g) => g.dataSync() as Float32Array);
      });
    }
    for (let i = 0; i < 2; i++) {
      const expected = results.cpu[i];
      const actual = results.wasm[i];
      const scale = Math.max(...expected.map(Math.abs));
      const worst = Math.max(...actual.map((v, j) => Math.abs(v - expected[j])));
      assert.ok(worst / scale <= 1e-4, `gradient ${i}: relative error ${worst / scale}`);
    }
  });

  for (const method of ["auto", "javascript"] as const) {
    it(`MaxPoolGrad (${method === "auto" ? "SIMD for 2x2" : "JavaScript"}) and AvgPoolGrad: windows 1/2/3, strides 1/2, same/valid, odd and even sizes, batches 1/N, channels 1/many`, async () => {
      maxPoolGradMethod.use = method;
      let seed = 5000;
      for (const kernel of [1, 2, 3]) {
        for (const stride of [1, 2]) {
          for (const pad of ["same", "valid"] as const) {
            for (const batch of [1, 3]) {
              for (const [channels, height] of [[1, 9], [6, 9], [6, 8], [4, 7], [9, 10]]) {
                const xShape = [batch, height, 8, channels];
                const info = tf.backend_util.computePool2DInfo(xShape as [number, number, number, number], kernel, stride, 1, pad);
                const x = randomValues(sizeOf(xShape), seed++);
                const dy = randomValues(sizeOf(info.outShape), seed++);
                const label = `${kernel}x${kernel} stride ${stride} ${pad}, x ${xShape.join("x")}`;
                const y = await runKernelOn("cpu", tf.MaxPool, { x: { shape: xShape, values: x } }, { filterSize: kernel, strides: stride, pad });
                await assertMatchesCpu(
                  tf.MaxPoolGrad,
                  {
                    dy: { shape: info.outShape, values: dy },
                    input: { shape: xShape, values: x },
                    output: { shape: y.shape, values: y.values },
                  },
                  { filterSize: kernel, strides: stride, pad },
                  `MaxPoolGrad ${label}`,
                );
                await assertMatchesCpu(
                  tf.AvgPoolGrad,
                  { dy: { shape: info.outShape, values: dy }, input: { shape: xShape, values: x } },
                  { filterSize: kernel, strides: stride, pad },
                  `AvgPoolGrad ${label}`,
                );
              }
            }
          }
        }
      }
    });
  }

  for (const channels of [2, 5]) {
    it(`MaxPoolGrad gives a tied window's gradient to its first maximum, like the cpu backend (${channels} channels)`, async () => {
      // ReLU outputs are full of tied zeros.
      const xShape = [1, 4, 4, channels];
      const x = new Float32Array(sizeOf(xShape)); // all zeros: every window ties
      x[5] = 1;
      x[3 * channels + 1] = 2; // a maximum in a window's second position
      const y = await runKernelOn("cpu", tf.MaxPool, { x: { shape: xShape, values: x } }, { filterSize: 2, strides: 2, pad: "valid" });
      await assertMatchesCpu(
        tf.MaxPoolGrad,
        {
          dy: { shape: y.shape, values: randomValues(sizeOf(y.shape), 3) },
          input: { shape: xShape, values: x },
          output: y,
        },
        { filterSize: 2, strides: 2, pad: "valid" },
        "MaxPoolGrad with ties",
      );
    });
  }

  it("MaxPool and AvgPool give NaN for a window holding NaN (issue 18's repro), and the cpu backend's values elsewhere", async () => {
    await tf.setBackend("wasm");
    const repro = tf.tensor4d([NaN, 1, 2, 3], [1, 2, 2, 1]);
    const later = tf.tensor4d([1, 2, NaN, 3], [1, 2, 2, 1]);
    assert.ok(Number.isNaN(tf.maxPool(repro, 2, 2, "valid").dataSync()[0]), "maxPool of [NaN, 1, 2, 3]");
    assert.ok(Number.isNaN(tf.maxPool(later, 2, 2, "valid").dataSync()[0]), "maxPool of [1, 2, NaN, 3]");
    assert.ok(Number.isNaN(tf.avgPool(repro, 2, 2, "valid").dataSync()[0]), "avgPool of [NaN, 1, 2, 3]");
    tf.dispose([repro, later]);
    let seed = 6000;
    for (const [kernel, stride, pad] of [[2, 2, "valid"], [3, 1, "same"], [3, 2, "same"]] as const) {
      // 1, 3 and 6 channels: sizes that are and are not whole vectors of four.
      for (const channels of [1, 3, 6]) {
        for (const nans of [0, 1, 3]) {
          const xShape = [2, 7, 9, channels];
          const x = randomValues(sizeOf(xShape), seed++);
          // NaN at positions every window geometry here covers (rows 0-5, columns 0-7).
          for (let i = 0; i < nans; i++) x[(((i % 2) * 7 + ((2 * i) % 6)) * 9 + ((3 * i + 1) % 8)) * channels + (i % channels)] = NaN;
          const attrs = { filterSize: kernel, strides: stride, pad };
          const label = `${kernel}x${kernel} stride ${stride} ${pad}, x ${xShape.join("x")}, ${nans} NaN`;
          // The cpu backend's average is NaN exactly for the windows holding NaN (its max skips NaN).
          const cpuAvg = await runKernelOn("cpu", tf.AvgPool, { x: { shape: xShape, values: x } }, attrs);
          const cpuMax = await runKernelOn("cpu", tf.MaxPool, { x: { shape: xShape, values: x } }, attrs);
          const windowsWithNaN = cpuAvg.values.filter(Number.isNaN).length;
          assert.equal(windowsWithNaN > 0, nans > 0, `${label}: windows with NaN`);
          for (const [kind, cpu] of [[tf.AvgPool, cpuAvg], [tf.MaxPool, cpuMax]] as const) {
            const wasm = await runKernelOn("wasm", kind, { x: { shape: xShape, values: x } }, attrs);
            assert.deepEqual(wasm.shape, cpu.shape, `${kind} ${label}: shape`);
            cpuAvg.values.forEach((avg, i) => {
              const [got, want] = [wasm.values[i], Number.isNaN(avg) ? NaN : cpu.values[i]];
              const close = Number.isNaN(want) ? Number.isNaN(got) : Math.abs(got - want) <= 1e-5 * Math.max(1, Math.abs(want));
              assert.ok(close, `${kind} ${label}: output ${i} is ${got}, expected ${want}`);
            });
          }
        }
      }
    }
  });

  it("MaxPool 2x2 stride 2 on the generated kernel: channels 4/5/32, even and odd sizes, valid and same, NaN kept", async () => {
    let seed = 6500;
    for (const xShape of [[3, 8, 10, 4], [2, 7, 9, 5], [1, 6, 6, 32], [2, 3, 3, 4]]) {
      for (const pad of ["valid", "same"] as const) {
        for (const nans of [0, 2]) {
          const x = randomValues(sizeOf(xShape), seed++);
          for (let i = 0; i < nans; i++) x[(7 + 13 * i) % 24] = NaN;
          const attrs = { filterSize: 2, strides: 2, pad };
          const info = tf.backend_util.computePool2DInfo(xShape as [number, number, number, number], 2, 2, 1, pad);
          const label = `2x2 ${pad}, x ${xShape.join("x")}, ${nans} NaN`;
          const before = jobCounts.main + jobCounts.workers;
          const wasm = await runKernelOn("wasm", tf.MaxPool, { x: { shape: xShape, values: x } }, attrs);
          // The generated kernel takes the pools whose windows all lie inside the input (it runs as chunks).
          const generated = info.outHeight * 2 <= xShape[1] && info.outWidth * 2 <= xShape[2];
          assert.equal(jobCounts.main + jobCounts.workers > before, generated, `${label}: generated kernel used`);
          const cpuMax = await runKernelOn("cpu", tf.MaxPool, { x: { shape: xShape, values: x } }, attrs);
          const cpuAvg = await runKernelOn("cpu", tf.AvgPool, { x: { shape: xShape, values: x } }, attrs);
          assert.deepEqual(wasm.shape, cpuMax.shape, `${label}: shape`);
          assert.equal(cpuAvg.values.filter(Number.isNaN).length > 0, nans > 0, `${label}: windows with NaN`);
          cpuAvg.values.forEach((avg, i) => {
            const [got, want] = [wasm.values[i], Number.isNaN(avg) ? NaN : cpuMax.values[i]];
            assert.ok(Number.isNaN(want) ? Number.isNaN(got) : got === want, `${label}: output ${i} is ${got}, expected ${want}`);
          });
        }
      }
    }
  });

  it("BatchMatMul: every transpose combination, vectors and batched products", async () => {
    let seed = 9000;
    const shapes: [number, number, number][] = [
      [5, 7, 9],
      [64, 80, 50],
      [1, 30, 20],
      [30, 20, 1],
      [7, 1, 5],
      // LeNet's first dense layer (800 -> 500, batch 64): its forward pass and both gradients.
      [64, 800, 500],
      // A dense layer 1,100 wide: A·Bᵀ's tall result moved by batch-mat-mul's JavaScript (6 columns) or by the generated transpose (8).
      [6, 40, 1100],
      [8, 40, 1100],
      // Aᵀ·B with A 1,100 columns wide (moved first, by the generated transpose), and a reduction 1,100 long (in blocks).
      [1100, 64, 40],
      [8, 1100, 300],
    ];
    for (const [m, k, n] of shapes) {
      for (const transposeA of [false, true]) {
        for (const transposeB of [false, true]) {
          for (const batch of [1, 3]) {
            const aShape = batch === 1 ? (transposeA ? [k, m] : [m, k]) : transposeA ? [batch, k, m] : [batch, m, k];
            const bShape = batch === 1 ? (transposeB ? [n, k] : [k, n]) : transposeB ? [batch, n, k] : [batch, k, n];
            await assertMatchesCpu(
              tf.BatchMatMul,
              {
                a: { shape: aShape, values: randomValues(sizeOf(aShape), seed++) },
                b: { shape: bShape, values: randomValues(sizeOf(bShape), seed++) },
              },
              { transposeA, transposeB },
              `BatchMatMul ${aShape.join("x")}${transposeA ? "ᵀ" : ""} · ${bShape.join("x")}${transposeB ? "ᵀ" : ""}`,
            );
          }
        }
      }
    }
  });

  for (const method of ["auto", "javascript"] as const) {
    it(`Sum over leading axes (bias gradients, ${method === "auto" ? "SIMD" : "JavaScript"}), with and without keepDims, other axes, and LeNet's sizes`, async () => {
      sumMethod.use = method;
      let seed = 77;
      // 4x5x6x7: 7 columns (a last vector overlapping); 3 columns (JavaScript);
      // LeNet's conv1 bias gradient: 36,864 rows in many blocks.
      for (const shape of [[4, 5, 6, 7], [2, 9, 3], [64, 24, 24, 20], [130, 8]]) {
        const values = randomValues(sizeOf(shape), seed++);
        const axes = shape.length === 4 ? [[0], [0, 1], [0, 1, 2], [1, 0], [1], [3], [0, 2], [0, 1, 2, 3]] : [[0], [0, 1]];
        for (const axis of axes) {
          for (const keepDims of [false, true]) {
            await assertMatchesCpu(tf.Sum, { x: { shape, values } }, { axis, keepDims }, `Sum ${shape} axis ${axis} keepDims ${keepDims}`);
          }
        }
      }
    });
  }

  for (const method of ["auto", "wasm"] as const) {
    it(`Add: bias adds (${method === "auto" ? "SIMD" : "the wasm backend's"}) either way round, and other broadcasts`, async () => {
      addMethod.use = method;
      let seed = 88;
      const cases: [number[], number[]][] = [
        [[64, 24, 24, 20], [20]],
        [[5], [3, 4, 5]],
        [[2, 3, 7], [7]],
        [[6, 4], [4]],
        [[6, 3], [3]],
        [[2, 3, 4], [2, 3, 4]],
        [[2, 3, 4], [3, 1]],
        [[2, 3, 4], [1]],
      ];
      for (const [aShape, bShape] of cases) {
        await assertMatchesCpu(
          tf.Add,
          {
            a: { shape: aShape, values: randomValues(sizeOf(aShape), seed++) },
            b: { shape: bShape, values: randomValues(sizeOf(bShape), seed++) },
          },
          {},
          `Add ${aShape} + ${bShape}`,
        );
      }
    });
  }

  for (const method of ["auto", "wasm"] as const) {
    it(`Relu (${method === "auto" ? "SIMD" : "the wasm backend's"}): channels 1/3/4/7/32, and NaN stays NaN`, async () => {
      reluMethod.use = method;
      let seed = 95;
      for (const shape of [[64, 8, 8, 32], [2, 5, 7], [3, 4], [6, 3], [5, 1], [10]]) {
        const values = randomValues(sizeOf(shape), seed++);
        values[1] = NaN;
        values[values.length - 1] = -0;
        const expected = await runKernelOn("cpu", tf.Relu, { x: { shape, values } }, {});
        const actual = await runKernelOn("wasm", tf.Relu, { x: { shape, values } }, {});
        if (method === "auto") assert.ok(Number.isNaN(actual.values[1]), `Relu ${shape}: NaN stays NaN`);
        const finite = (v: Float32Array) => v.map((f) => (Number.isNaN(f) ? 0 : f));
        await assertMatchesCpu(tf.Relu, { x: { shape, values: finite(values) } }, {}, `Relu ${shape}`);
        assert.deepEqual(actual.shape, expected.shape);
      }
    });
  }

  it("Identity and same-type Cast share data safely: the copy survives its source", async () => {
    await tf.setBackend("wasm");
    const before = tf.memory().numTensors;
    const source = tf.tensor([1, 2, 3]);
    const copy = tf.engine().runKernel(tf.Identity, { x: source }) as tf.Tensor;
    const cast = tf.cast(source, "float32");
    const toInt = tf.cast(tf.tensor([1.7, -2.2]), "int32");
    source.dispose();
    assert.deepEqual(Array.from(copy.dataSync()), [1, 2, 3]);
    assert.deepEqual(Array.from(cast.dataSync()), [1, 2, 3]);
    assert.equal(toInt.dtype, "int32");
    assert.deepEqual(Array.from(toInt.dataSync()), [1, -2]);
    copy.dispose();
    cast.dispose();
    toInt.dispose();
    assert.equal(tf.memory().numTensors, before + 1, "only the int32 source of toInt is left"); // tf.tensor([1.7, -2.2])
  });
});
