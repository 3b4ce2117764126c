/**
 * `npm run bench -- lenet [options]`: DIGITS LeNet training and inference
 * throughput on convlab's default backend, side by side with the PyTorch
 * peer (shared/bench/torch_lenet.py, 1 thread) in the same run.
 *
 * Same work as the peer: batch 64, plain SGD (lr 0.01), 8192 random 28x28x1
 * images, one warm-up epoch, then timed epochs; inference in batches of 256.
 * The machine is shared and noisy, so each of `--rounds` rounds times one
 * epoch of ours and one run of the peer back to back, and the JSON reports
 * the medians (and every round).
 *
 * Options: see `options` below (`npm run bench -- lenet --help`).
 */
import { spawnSync } from "node:child_process";
import * as tf from "@tensorflow/tfjs";
import type { Benchmark } from "./run";
import { backendInfo, useBackend, unregisterWasmTrainingKernels } from "../lib/backend";
import { parseBackendChoice } from "../lib/backend/plan";
import { conv2DBackpropFilterConfig } from "../lib/backend/wasm/conv2d-backprop-filter";
import { disabled as simdDisabled } from "../lib/backend/wasm/simd/runtime";
import { findTorchPeer, lenet, peakRssMb, randomData, trainStep } from "./support/lenet";
import { Flags, numberFlag, OptionError, textFlag } from "./support/options";
import { profileSteps } from "./support/profile";
import { median } from "./support/median";

interface PeerResult {
  peer: string;
  trainImgPerSec: number;
  inferImgPerSec: number;
}


function runPeer(script: string, images: number, batch: number): PeerResult | { error: string } {
  const python = process.env.CONVLAB_PYTHON ?? "/usr/bin/python3";
  const run = spawnSync(python, [script, "--threads", "1", "--images", String(images), "--batch", String(batch)], {
    encoding: "utf8",
    timeout: 600_000,
  });
  if (run.status !== 0) {
    return { error: `${python} ${script} failed: ${(run.stderr || run.error?.message || "").trim().split("\n").pop()}` };
  }
  const last = run.stdout.trim().split("\n").pop() ?? "";
  return JSON.parse(last) as PeerResult;
}

const benchmark: Benchmark = {
  description: "LeNet training/inference img/s on the default backend, with PyTorch (1 thread) side by side",
  options: {
    backend: "auto|wasm|cpu|node|gpu (default CONVLAB_BACKEND, else auto)",
    threads: "N: wasm kernel threads (default CONVLAB_THREADS, else 1)",
    images: "N: training images (default 8192)",
    batch: "N: batch size (default 64)",
    rounds: "N: rounds of ours and the peer's back to back (default 3)",
    "no-peer": "skip PyTorch",
    profile: "per-kernel ms per training step",
    kernels: "stock: the wasm backend's own kernels plus only the missing Conv2DBackpropFilter (the \"before\" of convlab's kernels); xnnpack: convlab's kernels without the generated SIMD ones",
  },
  async run(flags: Flags): Promise<Record<string, unknown>> {
    const images = numberFlag(flags, "images", 8192);
    const batch = numberFlag(flags, "batch", 64);
    const rounds = numberFlag(flags, "rounds", 3);
    const threadsFlag = flags.get("threads");
    const choice = parseBackendChoice(
      textFlag(flags, "backend") ?? process.env.CONVLAB_BACKEND,
      "--backend",
    );
    await useBackend(choice, threadsFlag === undefined ? {} : { threads: numberFlag(flags, "threads", 1) });
    const kernelsFlag = textFlag(flags, "kernels");
    if (kernelsFlag !== undefined && kernelsFlag !== "stock" && kernelsFlag !== "xnnpack") {
      throw new OptionError(`--kernels takes stock or xnnpack, got ${String(kernelsFlag)}.`);
    }
    const stock = kernelsFlag === "stock";
    simdDisabled.value = kernelsFlag === "xnnpack";
    if (stock) {
      unregisterWasmTrainingKernels();
      tf.registerKernel(conv2DBackpropFilterConfig);
    }
    const info = backendInfo();

    // Random data, made once (like the peer's tensors in memory).
    const { pixels, labels } = randomData(images, 784);

    const model = lenet(1);
    const optimizer = tf.train.sgd(0.01);
    const steps = Math.floor(images / batch);

    const epoch = (): number => {
      const start = performance.now();
      let last: tf.Scalar | undefined;
      for (let s = 0; s < steps; s++) {
        const x = tf.tensor4d(pixels.subarray(s * batch * 784, (s + 1) * batch * 784), [batch, 28, 28, 1]);
        const y = tf.tidy(() => tf.oneHot(tf.tensor1d(labels.subarray(s * batch, (s + 1) * batch), "int32"), 10));
        last?.dispose();
        last = trainStep(model, optimizer, x, y);
        x.dispose();
        y.dispose();
      }
      last?.dataSync();
      last?.dispose();
      return (steps * batch) / ((performance.now() - start) / 1000);
    };

    const infer = (): number => {
      const inferBatch = 256;
      const start = performance.now();
      for (let i = 0; i < images; i += inferBatch) {
        const n = Math.min(inferBatch, images - i);
        tf.tidy(() => {
          const x = tf.tensor4d(pixels.subarray(i * 784, (i + n) * 784), [n, 28, 28, 1]);
          (model.predict(x) as tf.Tensor).dataSync();
        });
      }
      return images / ((performance.now() - start) / 1000);
    };

    epoch(); // warm-up (XNNPACK set-up, JIT)
    infer();
    const tensorsAfter: number[] = [tf.memory().numTensors];
    const peerScript = flags.has("no-peer") ? null : findTorchPeer();
    const perRound: Record<string, unknown>[] = [];
    const ours: { train: number; infer: number }[] = [];
    const peers: PeerResult[] = [];
    let peerError: string | undefined;
    for (let r = 0; r < rounds; r++) {
      const train = epoch();
      tensorsAfter.push(tf.memory().numTensors);
      const inference = infer();
      ours.push({ train, infer: inference });
      const round: Record<string, unknown> = { trainImgPerSec: Math.round(train), inferImgPerSec: Math.round(inference) };
      if (peerScript) {
        const peer = runPeer(peerScript, images, batch);
        if ("error" in peer) peerError = peer.error;
        else {
          peers.push(peer);
          round.peerTrainImgPerSec = peer.trainImgPerSec;
          round.peerInferImgPerSec = peer.inferImgPerSec;
          round.trainRatio = +(train / peer.trainImgPerSec).toFixed(3);
        }
      }
      perRound.push(round);
    }
    const leaks = tensorsAfter.slice(1).map((n, i) => n - tensorsAfter[i]);

    const result: Record<string, unknown> = {
      backend: info.backend,
      threads: info.threads,
      simd: info.simd,
      kernels: stock ? "stock wasm + Conv2DBackpropFilter" : simdDisabled.value ? "convlab without generated SIMD kernels" : "convlab",
      trainImgPerSec: Math.round(median(ours.map((o) => o.train))),
      inferImgPerSec: Math.round(median(ours.map((o) => o.infer))),
      peakRssMb: peakRssMb(),
      tensorsLeakedPerEpoch: Math.max(...leaks),
      batch,
      images,
      rounds: perRound,
    };
    if (peers.length > 0) {
      const peerTrain = median(peers.map((p) => p.trainImgPerSec));
      const peerInfer = median(peers.map((p) => p.inferImgPerSec));
      result.peer = { name: peers[0].peer, threads: 1, trainImgPerSec: peerTrain, inferImgPerSec: peerInfer };
      result.trainRatio = +((result.trainImgPerSec as number) / peerTrain).toFixed(3);
      result.inferRatio = +((result.inferImgPerSec as number) / peerInfer).toFixed(3);
    } else {
      result.peer = peerError ?? (flags.has("no-peer") ? "skipped (--no-peer)" : "shared/bench/torch_lenet.py not found");
    }
    if (flags.has("profile")) result.kernelMsPerStep = await profileStep(model, optimizer, pixels, labels, batch);
    model.dispose();
    optimizer.dispose();
    return result;
  },
};

/** Milliseconds per training step in each kernel (support/profile), on the first batch. */
async function profileStep(
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  pixels: Float32Array,
  labels: Int32Array,
  batch: number,
): Promise<Record<string, number>> {
  const x = tf.tensor4d(pixels.subarray(0, batch * 784), [batch, 28, 28, 1]);
  const y = tf.tidy(() => tf.oneHot(tf.tensor1d(labels.subarray(0, batch), "int32"), 10));
  try {
    return await profileSteps(() => trainStep(model, optimizer, x, y));
  } finally {
    x.dispose();
    y.dispose();
  }
}

export default benchmark;
