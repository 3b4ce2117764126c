/** Small models and datasets for the evaluation tests: seeded, so every run sees the same numbers. */
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../../lib/backend";
import { Dataset, MemoryPixelStore } from "../../lib/data";
import { HOST, type DisplayOptions, type MimeBundle, type NotebookHost } from "../../lib/display";

export async function useTestBackend(): Promise<void> {
  await ensureBackend();
  await tf.ready();
}

/**
 * `perClass` images of 8×8×1 per class; class c is a bright horizontal bar
 * at row 2c (plus seeded noise), so a tiny conv net can tell them apart.
 * Splits: the first half of each class is train, the rest test.
 */
export function barsDataset(classes = 3, perClass = 20, seed = 1): Dataset {
  const size = 8;
  const count = classes * perClass;
  const pixels = new Uint8Array(count * size * size);
  let state = seed >>> 0;
  const random = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const labels = new Int32Array(count);
  const train: number[] = [];
  const test: number[] = [];
  for (let i = 0; i < count; i++) {
    const label = i % classes;
    labels[i] = label;
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const bar = y === (2 * label) % size ? 200 : 0;
        pixels[i * 64 + y * size + x] = Math.min(255, bar + Math.floor(random() * 60));
      }
    }
    (Math.floor(i / classes) < perClass / 2 ? train : test).push(i);
  }
  return new Dataset({
    name: "bars",
    shape: [size, size, 1],
    classNames: Array.from({ length: classes }, (_, c) => `bar${c}`),
    pixels: new MemoryPixelStore(pixels, size * size),
    labels,
    splits: { train: Int32Array.from(train), test: Int32Array.from(test) },
  });
}

/** A tiny conv net for 8×8×1 inputs with seeded weights. */
export function tinyConvNet(classes = 3, options: { activation?: "softmax" | "linear"; seed?: number } = {}): tf.Sequential {
  const seed = options.seed ?? 7;
  return tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape: [8, 8, 1],
        filters: 4,
        kernelSize: 3,
        activation: "relu",
        name: "conv1",
        kernelInitializer: tf.initializers.glorotUniform({ seed }),
        biasInitializer: tf.initializers.constant({ value: 0.01 }),
      }),
      tf.layers.maxPooling2d({ poolSize: 2, name: "pool1" }),
      tf.layers.flatten({ name: "flatten" }),
      tf.layers.dense({
        units: classes,
        activation: options.activation ?? "softmax",
        name: "scores",
        kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }),
      }),
    ],
  });
}

/** A recording NotebookHost whose interrupt signal can be fired. */
export class RecordingHost implements NotebookHost {
  readonly outputs: { bundle: MimeBundle; options?: DisplayOptions }[] = [];
  readonly controller = new AbortController();
  readonly headless = false;
  get signal(): AbortSignal {
    return this.controller.signal;
  }
  display(bundle: MimeBundle, options?: DisplayOptions): void {
    this.outputs.push({ bundle, options });
  }
  clearOutput(): void {}
  input(): Promise<string> {
    return Promise.resolve("");
  }
  install(): this {
    (globalThis as Record<symbol, unknown>)[HOST] = this;
    return this;
  }
  static uninstall(): void {
    delete (globalThis as Record<symbol, unknown>)[HOST];
  }
}

/** The PNG inside an <img src="data:image/png;base64,..."> of some HTML. */
export function embeddedImages(html: string, type: "png" | "svg+xml"): Buffer[] {
  const pattern = new RegExp(`data:image/${type.replace("+", "\\+")};base64,([A-Za-z0-9+/=]+)`, "g");
  return [...html.matchAll(pattern)].map((m) => Buffer.from(m[1], "base64"));
}
