/**
 * How good is a segmentation? Count, over every pixel of every scene, which
 * class it is and which class it was given (a confusion matrix of pixels).
 * A class's IoU is its correctly labelled pixels divided by the pixels that
 * are it or were called it: TP / (TP + FP + FN), the intersection over union
 * of the true and the predicted region. Mean IoU averages the classes that
 * occur (in the truth or the prediction), background included, as the
 * Pascal VOC and Cityscapes benchmarks do.
 */
import { DISPLAY, type MimeBundle } from "../../display";
import { checkSplitName, type SplitName } from "../../data";
import type { SceneSet } from "../../data/scenes";
import { annotatedImages, type Chart } from "../../charts";
import { escapeHtml, htmlTable } from "../../display/html";
import { formatSeconds } from "../detection-run";
import type { Segmenter } from "./segmenter";

export interface ClassIoU {
  className: string;
  /** Pixels of the class in the truth. */
  pixels: number;
  /** NaN when the class occurs neither in the truth nor in the prediction. */
  iou: number;
}

export class SegmentationEvaluation {
  constructor(
    /** counts[true][predicted], classes in output order (0 = background). */
    readonly counts: number[][],
    readonly classNames: string[],
    readonly images: number,
    readonly seconds: number,
    /** The predicted masks, one per scene, in order. */
    readonly predictions: Uint8Array[],
    readonly scenes: SceneSet | undefined,
    readonly indices: Int32Array | undefined,
  ) {}

  get classes(): ClassIoU[] {
    const n = this.counts.length;
    return this.counts.map((row, k) => {
      const tp = row[k];
      const truth = row.reduce((a, b) => a + b, 0);
      let predicted = 0;
      for (let t = 0; t < n; t++) predicted += this.counts[t][k];
      const union = truth + predicted - tp;
      return { className: this.classNames[k], pixels: truth, iou: union > 0 ? tp / union : NaN };
    });
  }

  /** Mean over the classes that occur. */
  get meanIoU(): number {
    const present = this.classes.filter((c) => !Number.isNaN(c.iou));
    return present.reduce((s, c) => s + c.iou, 0) / Math.max(1, present.length);
  }

  /** Share of all pixels given their true class. */
  get pixelAccuracy(): number {
    let right = 0;
    let all = 0;
    this.counts.forEach((row, k) => row.forEach((v, j) => ((all += v), j === k && (right += v))));
    return all > 0 ? right / all : NaN;
  }

  get imagesPerSecond(): number {
    return this.seconds > 0 ? this.images / this.seconds : Infinity;
  }

  /** Scenes with the true mask beside the predicted one. */
  async show(options: { count?: number; title?: string } = {}): Promise<Chart> {
    if (!this.scenes || !this.indices) throw new Error("This evaluation was not made from scenes, so there is nothing to show.");
    const count = Math.min(options.count ?? 4, this.images);
    const images = [];
    for (let i = 0; i < count; i++) {
      const scene = await this.scenes.sceneAt(this.indices[i]);
      const base = { pixels: scene.pixels, width: this.scenes.width, height: this.scenes.height };
      images.push({ ...base, classMap: scene.mask, caption: "truth" }, { ...base, classMap: this.predictions[i], caption: "prediction" });
    }
    return annotatedImages(images, {
      classNames: this.scenes.classNames,
      columns: 4,
      title: options.title ?? `Segmentation: true masks and predicted masks (mean IoU ${this.meanIoU.toFixed(3)})`,
    });
  }

  toJSON() {
    return { images: this.images, meanIoU: this.meanIoU, pixelAccuracy: this.pixelAccuracy, classes: this.classes };
  }

  private rows(): (string | number)[][] {
    return this.classes.map((c) => [c.className, c.pixels, Number.isNaN(c.iou) ? "–" : c.iou.toFixed(3)]);
  }

  toString(): string {
    return (
      `mean IoU ${this.meanIoU.toFixed(3)}, pixel accuracy ${(100 * this.pixelAccuracy).toFixed(1)}% on ${this.images} images, ` +
      `${formatSeconds(this.seconds / Math.max(1, this.images))} per image\n` +
      this.rows().map((r) => `  ${String(r[0]).padEnd(12)} pixels ${String(r[1]).padStart(7)}  IoU ${r[2]}`).join("\n")
    );
  }

  [DISPLAY](): MimeBundle {
    const head = `Mean IoU ${this.meanIoU.toFixed(3)}, pixel accuracy ${(100 * this.pixelAccuracy).toFixed(1)}% on ${this.images} images.`;
    return { "text/plain": this.toString(), "text/html": `<p><b>${escapeHtml(head)}</b></p>` + htmlTable(["class", "true pixels", "IoU"], this.rows()) };
  }
}

/** Counts true against predicted classes over pairs of masks. */
export function segmentationCounts(truth: readonly ArrayLike<number>[], predicted: readonly ArrayLike<number>[], numClasses: number): number[][] {
  const counts = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  truth.forEach((t, i) => {
    const p = predicted[i];
    if (p.length !== t.length) throw new Error(`Mask ${i}: the prediction has ${p.length} pixels, the truth ${t.length}.`);
    for (let j = 0; j < t.length; j++) counts[t[j]][p[j]]++;
  });
  return counts;
}

/** Segments the scenes of a split and measures per-class IoU and mean IoU. */
export async function evaluateSegmentation(
  model: Segmenter,
  scenes: SceneSet,
  options: { split?: SplitName; count?: number } = {},
): Promise<SegmentationEvaluation> {
  const split = checkSplitName(options.split ?? "test");
  if (!scenes.masks) throw new Error(`${scenes.name} has no masks to compare with.`);
  const indices = scenes.indices(split).slice(0, options.count ?? Infinity);
  if (indices.length === 0) throw new Error(`The ${split} split of ${scenes.name} has no scenes.`);
  const pixels = await scenes.dataset.readImages(indices);
  const area = scenes.height * scenes.width * scenes.channels;
  const predictions: Uint8Array[] = [];
  let seconds = 0;
  for (let i = 0; i < indices.length; i++) {
    const t0 = performance.now();
    predictions.push(model.segmentPixels(pixels.subarray(i * area, (i + 1) * area)));
    seconds += (performance.now() - t0) / 1000;
  }
  const truth = Array.from(indices, (index) => scenes.maskOf(index)!);
  const classNames = ["background", ...scenes.classNames];
  return new SegmentationEvaluation(segmentationCounts(truth, predictions, classNames.length), classNames, indices.length, seconds, predictions, scenes, indices);
}
