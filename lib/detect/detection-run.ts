/**
 * DetectionRun: what a detector found in the scenes of a split, how long it
 * took, and (on demand) how good that is. Every detector in lib/detect
 * returns one, so approaches compare line by line:
 *
 *     const run = await slidingWindowDetect(classifier, scenes, { count: 20 });
 *     run.secondsPerImage, run.regionsPerImage, run.evaluate().mAP
 */
import { DISPLAY, type MimeBundle } from "../display";
import { checkSplitName, ProgressLine, type SplitName } from "../data";
import type { SceneObject, SceneSet } from "../data/scenes";
import { annotatedImages, type Chart } from "../charts";
import { wasInterrupted } from "../display";
import type { Detection } from "./boxes";
import { evaluateDetections, type DetectionEvaluation, type EvaluateDetectionsOptions } from "./evaluate-detections";
import type { ImageBytes } from "./regions";

/** Which scenes a detector runs on. */
export interface SceneRunOptions {
  /** Default "test". */
  split?: SplitName;
  /** The first `count` scenes of the split. Default: all of them. */
  count?: number;
  /** Detections scoring below this are dropped. Default 0.05 (low, so the precision–recall curve is complete). */
  minScore?: number;
}

export interface DetectionRunInit {
  /** "sliding windows", "proposals + classifier", ... */
  method: string;
  scenes: SceneSet;
  split: SplitName;
  /** Store indices of the scenes, in order. */
  indices: Int32Array;
  detections: Detection[][];
  /** Wall-clock seconds of detection (finding regions, classifying, suppression), excluding reading the scenes. */
  seconds: number;
  /** Regions classified per scene (windows, proposals), when the method has any. */
  regions?: number[];
  /** Facts about the method worth showing: "3 window sizes, stride 4". */
  details?: string;
}

export class DetectionRun {
  readonly method!: string;
  readonly scenes!: SceneSet;
  readonly split!: SplitName;
  readonly indices!: Int32Array;
  readonly detections!: Detection[][];
  readonly seconds!: number;
  readonly regions!: number[] | undefined;
  readonly details!: string | undefined;
  private cached: DetectionEvaluation | undefined;

  constructor(init: DetectionRunInit) {
    Object.assign(this, init);
  }

  get images(): number {
    return this.indices.length;
  }
  get secondsPerImage(): number {
    return this.seconds / Math.max(1, this.images);
  }
  get imagesPerSecond(): number {
    return this.seconds > 0 ? this.images / this.seconds : Infinity;
  }
  /** Mean number of regions classified per scene (undefined for methods without regions). */
  get regionsPerImage(): number | undefined {
    return this.regions ? this.regions.reduce((a, b) => a + b, 0) / Math.max(1, this.regions.length) : undefined;
  }
  /** The true objects of the same scenes. */
  get truth(): (readonly SceneObject[])[] {
    return Array.from(this.indices, (i) => this.scenes.objects[i]);
  }

  /** AP per class, mAP, precision and recall (IoU 0.5 and score 0.5 unless told otherwise). */
  evaluate(options: Partial<EvaluateDetectionsOptions> = {}): DetectionEvaluation {
    const custom = options.iouThreshold !== undefined || options.scoreThreshold !== undefined;
    if (!custom && this.cached) return this.cached;
    const result = evaluateDetections(this.truth, this.detections, { classNames: this.scenes.classNames, ...options });
    if (!custom) this.cached = result;
    return result;
  }

  /** mAP at IoU 0.5. */
  get mAP(): number {
    return this.evaluate().mAP;
  }

  /** Scenes with the truth (dashed) and the detections scoring at least `minScore` (solid). */
  async show(options: { count?: number; start?: number; minScore?: number; columns?: number; title?: string } = {}): Promise<Chart> {
    const start = options.start ?? 0;
    const count = Math.min(options.count ?? 8, this.images - start);
    if (count <= 0) throw new Error(`This run has ${this.images} scenes; there is nothing to show from scene ${start}.`);
    const minScore = options.minScore ?? 0.5;
    const images = [];
    for (let i = start; i < start + count; i++) {
      const scene = await this.scenes.sceneAt(this.indices[i]);
      images.push({
        pixels: scene.pixels,
        width: this.scenes.width,
        height: this.scenes.height,
        boxes: [
          ...scene.objects.map((o) => ({ ...o, kind: "truth" as const })),
          ...this.detections[i].filter((d) => d.score >= minScore).map((d) => ({ ...d, kind: "prediction" as const })),
        ],
      });
    }
    return annotatedImages(images, { classNames: this.scenes.classNames, columns: options.columns, title: options.title ?? `${this.method}: detections scoring ≥ ${minScore}` });
  }

  /** "sliding windows: 285 windows per scene, 0.21 s per scene (4.8 scenes/s), mAP@0.5 0.712 on 20 test scenes" */
  toString(): string {
    const regions = this.regionsPerImage;
    return (
      `${this.method}: ${regions !== undefined ? `${formatRegions(regions)} regions classified per scene, ` : ""}` +
      `${formatSeconds(this.secondsPerImage)} per scene (${this.imagesPerSecond.toFixed(1)} scenes/s), ` +
      `mAP@0.5 ${this.mAP.toFixed(3)} on ${this.images} ${this.split} scenes` +
      (this.details ? ` (${this.details})` : "")
    );
  }

  [DISPLAY](): MimeBundle {
    const evaluation = this.evaluate()[DISPLAY]();
    return { "text/plain": `${this.toString()}\n${evaluation["text/plain"]}`, "text/html": `<p>${escape(this.toString())}</p>${evaluation["text/html"]}` };
  }
}

function escape(text: string): string {
  return text.replace(/[&<>]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;" })[c]!);
}

function formatRegions(n: number): string {
  return n >= 10 ? Math.round(n).toString() : n.toFixed(1);
}

export function formatSeconds(seconds: number): string {
  return seconds >= 1 ? `${seconds.toFixed(2)} s` : `${(seconds * 1000).toFixed(seconds >= 0.01 ? 0 : 1)} ms`;
}

/**
 * Runs `detectOne` on the chosen scenes, timing only detection, with a
 * progress line for long runs and the interrupt button honoured.
 */
export async function runOverScenes(
  method: string,
  scenes: SceneSet,
  options: SceneRunOptions,
  detectOne: (image: ImageBytes) => Promise<{ detections: Detection[]; regions?: number }>,
  details?: string,
): Promise<DetectionRun> {
  const split = checkSplitName(options.split ?? "test");
  const all = scenes.indices(split);
  if (all.length === 0) throw new Error(`The ${split} split of ${scenes.name} has no scenes; its splits are ${scenes.dataset.splitNames.join(", ") || "none"}.`);
  const count = options.count ?? all.length;
  if (!Number.isInteger(count) || count < 1) throw new Error(`count must be a whole number ≥ 1 (got ${String(options.count)}).`);
  const indices = all.slice(0, count);
  const minScore = options.minScore ?? 0.05;
  const pixels = await scenes.dataset.readImages(indices);
  const area = scenes.height * scenes.width * scenes.channels;
  const detections: Detection[][] = [];
  const regions: number[] = [];
  let seconds = 0;
  let progress: ProgressLine | undefined;
  const started = performance.now();
  for (let i = 0; i < indices.length; i++) {
    if (wasInterrupted()) throw new Error(`${method} interrupted after ${i} of ${indices.length} scenes; nothing was kept.`);
    const image = { pixels: pixels.subarray(i * area, (i + 1) * area), width: scenes.width, height: scenes.height, channels: scenes.channels };
    const t0 = performance.now();
    const found = await detectOne(image);
    seconds += (performance.now() - t0) / 1000;
    detections.push(found.detections.filter((d) => d.score >= minScore));
    if (found.regions !== undefined) regions.push(found.regions);
    if (!progress && performance.now() - started > 2000) progress = new ProgressLine(`${method} on ${scenes.name} (${split})`, indices.length);
    progress?.update(i + 1);
  }
  return new DetectionRun({ method, scenes, split, indices, detections, seconds, regions: regions.length ? regions : undefined, details });
}
