/**
 * Views of lesson 11's results that no single result class owns: boxes on
 * one image (proposals, say), class heat maps over an image, and the
 * side-by-side table of detectors. Detections on scenes are
 * DetectionRun.show(); masks are SegmentationEvaluation.show(); the
 * detection precision–recall curve is DetectionEvaluation.prChart().
 */
import { DISPLAY, type MimeBundle } from "../display";
import type { BoxLike } from "../data/scenes";
import { type AnnotatedBox, annotatedImages, type Chart } from "../charts";
import { escapeHtml, htmlTable } from "../display/html";
import type { DetectionRun } from "./detection-run";
import { formatSeconds } from "./detection-run";
import type { ClassMap } from "./fully-convolutional";
import type { ImageBytes } from "./regions";

/** An image with boxes on it, e.g. the proposals of one scene (drawn as predictions, labelled `label`). */
export function showBoxes(image: ImageBytes, boxes: readonly BoxLike[], options: { label?: string; title?: string; classIndex?: number } = {}): Promise<Chart> {
  const drawn: AnnotatedBox[] = boxes.map((b) => ({ ...b, classIndex: options.classIndex ?? 0, kind: "prediction", label: options.label ?? "" }));
  return annotatedImages([{ ...image, boxes: drawn }], { title: options.title ?? `${boxes.length} boxes`, columns: 1 });
}

/**
 * The image once per class, each with that class's heat map over it: how
 * sure the network is, window by window, that the class is there.
 */
export function showHeatMaps(image: ImageBytes, map: ClassMap, classNames: readonly string[], options: { classes?: number[]; title?: string; columns?: number } = {}): Promise<Chart> {
  const classes = options.classes ?? Array.from({ length: map.numClasses }, (_, k) => k);
  return annotatedImages(
    classes.map((k) => ({ ...image, heat: { values: map.classValues(k), width: map.columns, height: map.rows }, caption: `"${classNames[k] ?? k}"` })),
    { title: options.title ?? `Class heat maps (${map.rows}×${map.columns} cells)`, columns: options.columns ?? Math.min(4, classes.length) },
  );
}

/** Detectors side by side: regions classified, time per scene, scenes per second, mAP. */
export class DetectorComparison {
  constructor(readonly runs: readonly DetectionRun[]) {}

  rows(): (string | number)[][] {
    return this.runs.map((r) => [
      r.method,
      r.regionsPerImage === undefined ? "–" : Math.round(r.regionsPerImage),
      formatSeconds(r.secondsPerImage),
      r.imagesPerSecond.toFixed(1),
      r.mAP.toFixed(3),
      r.images,
    ]);
  }

  toString(): string {
    return this.rows().map((r) => `${String(r[0]).padEnd(24)} regions ${String(r[1]).padStart(5)}  ${String(r[2]).padStart(7)}/scene  ${String(r[3]).padStart(7)} scenes/s  mAP ${r[4]}  (${r[5]} scenes)`).join("\n");
  }

  [DISPLAY](): MimeBundle {
    return {
      "text/plain": this.toString(),
      "text/html": htmlTable(["method", "regions classified per scene", "time per scene", "scenes per second", "mAP@0.5", "scenes"], this.rows()) + `<p>${escapeHtml("Times include everything from the scene's pixels to the final boxes.")}</p>`,
    };
  }
}

export function compareDetectors(runs: readonly DetectionRun[]): DetectorComparison {
  return new DetectorComparison(runs);
}
