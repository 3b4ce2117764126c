/**
 * The networks, data and training step the speed benchmarks and the
 * backend's tests share: DIGITS' LeNet, random images, one SGD step.
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import * as tf from "@tensorflow/tfjs";

/**
 * DIGITS' LeNet as the PyTorch peer (shared/bench/torch_lenet.py) builds it:
 * conv 20@5x5 → ReLU → max-pool 2 → conv 50@5x5 → ReLU → max-pool 2 →
 * dense 500 ReLU → dense 10 (logits). The peer has the ReLUs after the
 * convolutions, so this does too, to compare like with like.
 */
export function lenet(seed?: number): tf.Sequential {
  const init = (offset: number) =>
    seed === undefined ? undefined : tf.initializers.glorotUniform({ seed: seed * 100 + offset });
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 20, kernelSize: 5, activation: "relu", kernelInitializer: init(1) }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 50, kernelSize: 5, activation: "relu", kernelInitializer: init(2) }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 500, activation: "relu", kernelInitializer: init(3) }),
      tf.layers.dense({ units: 10, kernelInitializer: init(4) }),
    ],
  });
}

/** One SGD step on a batch; returns the loss (a scalar the caller disposes). */
export function trainStep(model: tf.LayersModel, optimizer: tf.Optimizer, x: tf.Tensor, labels: tf.Tensor): tf.Scalar {
  return optimizer.minimize(
    () => tf.losses.softmaxCrossEntropy(labels, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar,
    true,
  )!;
}

/** A small deterministic generator (mulberry32) for data and shuffles. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random normal pixels (as torch.randn) and labels, made once. */
export function randomData(images: number, pixelsPerImage: number): { pixels: Float32Array; labels: Int32Array } {
  const random = seededRandom(1);
  const pixels = new Float32Array(images * pixelsPerImage);
  for (let i = 0; i < pixels.length; i += 2) {
    // Box-Muller: two normal values from two uniform ones.
    const r = Math.sqrt(-2 * Math.log(1 - random()));
    const a = 2 * Math.PI * random();
    pixels[i] = r * Math.cos(a);
    if (i + 1 < pixels.length) pixels[i + 1] = r * Math.sin(a);
  }
  const labels = Int32Array.from({ length: images }, () => Math.floor(random() * 10));
  return { pixels, labels };
}

/** Where the PyTorch peer script is: CONVLAB_TORCH_PEER, else shared/bench beside the repository (or an ancestor). */
export function findTorchPeer(): string | null {
  const fromEnv = process.env.CONVLAB_TORCH_PEER;
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : null;
  let dir = resolve(__dirname, "..", "..");
  for (;;) {
    const candidate = join(dir, "shared", "bench", "torch_lenet.py");
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

export function peakRssMb(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}
