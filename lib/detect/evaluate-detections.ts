/**
 * How good is a detector? Its detections are matched to the true objects,
 * class by class, surest first (Pascal VOC's rule):
 *
 * - a detection is a true positive when some unmatched true object of its
 *   class in the same image overlaps it with IoU ≥ the threshold (0.5): it is
 *   matched to the one it overlaps most, if that one is still unmatched;
 * - otherwise it is a false positive (a wrong place, a wrong class, or a
 *   second detection of an object already found);
 * - true objects never matched are misses (false negatives).
 *
 * Going down the list, each detection adds a point (recall, precision). The
 * average precision (AP) of a class is the area under that curve after
 * making precision never rise with recall (each precision replaced by the
 * best at that recall or beyond): the all-point AP of Pascal VOC 2010 and
 * later, which pytorch-ssd's eval_ssd reports too. mAP is the mean over the
 * classes that have at least one true object.
 *
 * tests/detect/fixtures/make_detection_fixtures.py computes the same from the
 * formulas with numpy, on fixed inputs; the tests compare.
 */
import { DISPLAY, type MimeBundle } from "../display";
import { prCurveChart, type Chart, type ChartOptions } from "../charts";
import { escapeHtml, htmlTable } from "../display/html";
import type { SceneObject } from "../data/scenes";
import { iou, type Detection } from "./boxes";

export interface EvaluateDetectionsOptions {
  /** Class names (background not counted); their number sets the classes. */
  classNames: readonly string[];
  /** Minimum IoU for a detection to count as finding an object. Default 0.5. */
  iouThreshold?: number;
  /** The score a detection needs to be reported, for the precision and recall at one operating point. Default 0.5. */
  scoreThreshold?: number;
}

export interface ClassDetectionResult {
  className: string;
  /** True objects of the class. */
  objects: number;
  /** Detections of the class (any score). */
  detections: number;
  /** Average precision; NaN when the class has no true object. */
  ap: number;
  /** At the score threshold. */
  precision: number;
  recall: number;
  truePositives: number;
  falsePositives: number;
  /** The curve: one point per detection, surest first. */
  curve: { recall: number; precision: number; score: number }[];
}

export class DetectionEvaluation {
  constructor(
    readonly classes: ClassDetectionResult[],
    readonly iouThreshold: number,
    readonly scoreThreshold: number,
    readonly images: number,
  ) {}

  /** Mean AP over the classes with at least one true object. */
  get mAP(): number {
    const scored = this.classes.filter((c) => c.objects > 0);
    return scored.length ? scored.reduce((sum, c) => sum + c.ap, 0) / scored.length : NaN;
  }

  /** Precision over all classes at the score threshold: true positives / detections reported. */
  get precision(): number {
    const tp = this.sum("truePositives");
    const fp = this.sum("falsePositives");
    return tp + fp > 0 ? tp / (tp + fp) : 0;
  }

  /** Recall over all classes at the score threshold: objects found / objects. */
  get recall(): number {
    const objects = this.sum("objects");
    return objects > 0 ? this.sum("truePositives") / objects : 0;
  }

  private sum(key: "truePositives" | "falsePositives" | "objects"): number {
    return this.classes.reduce((s, c) => s + c[key], 0);
  }

  /** The precision–recall curve of each class (or of the named ones), with its AP. */
  prChart(options: ChartOptions & { classes?: string[] } = {}): Chart {
    const wanted = this.classes.filter((c) => c.objects > 0 && (!options.classes || options.classes.includes(c.className)));
    return prCurveChart(
      wanted.map((c) => ({ className: c.className, points: [{ recall: 0, precision: 1 }, ...c.curve], averagePrecision: c.ap })),
      { title: `Detection precision–recall at IoU ${this.iouThreshold} (mAP ${this.mAP.toFixed(3)})`, ...options },
    );
  }

  /** Plain numbers, e.g. for JSON. */
  toJSON() {
    return {
      images: this.images,
      iouThreshold: this.iouThreshold,
      scoreThreshold: this.scoreThreshold,
      mAP: this.mAP,
      precision: this.precision,
      recall: this.recall,
      classes: this.classes.map(({ curve: _curve, ...rest }) => rest),
    };
  }

  private rows(): (string | number)[][] {
    const f = (v: number) => (Number.isNaN(v) ? "–" : v.toFixed(3));
    return this.classes.map((c) => [c.className, c.objects, c.detections, f(c.ap), f(c.precision), f(c.recall)]);
  }

  toString(): string {
    const head = `mAP@${this.iouThreshold} ${this.mAP.toFixed(3)} on ${this.images} images; at score ≥ ${this.scoreThreshold}: precision ${this.precision.toFixed(3)}, recall ${this.recall.toFixed(3)}`;
    return [head, ...this.rows().map((r) => `  ${String(r[0]).padEnd(12)} objects ${String(r[1]).padStart(5)}  AP ${r[3]}  precision ${r[4]}  recall ${r[5]}`)].join("\n");
  }

  [DISPLAY](): MimeBundle {
    const head = `mAP@${this.iouThreshold}: ${this.mAP.toFixed(3)} on ${this.images} images. At score ≥ ${this.scoreThreshold}: precision ${this.precision.toFixed(3)}, recall ${this.recall.toFixed(3)}.`;
    return {
      "text/plain": this.toString(),
      "text/html": `<p><b>${escapeHtml(head)}</b></p>` + htmlTable(["class", "objects", "detections", "AP", "precision", "recall"], this.rows()),
    };
  }
}

/**
 * Matches `detections[i]` against `truth[i]` for every image i and measures
 * AP per class, mAP, and precision and recall at the score threshold.
 */
export function evaluateDetections(
  truth: readonly (readonly SceneObject[])[],
  detections: readonly (readonly Detection[])[],
  options: EvaluateDetectionsOptions,
): DetectionEvaluation {
  const classNames = options.classNames;
  if (!Array.isArray(classNames) || classNames.length === 0) throw new Error("evaluateDetections needs classNames: the object classes, in class-index order.");
  if (truth.length !== detections.length) {
    throw new Error(`evaluateDetections needs the detections of every image: there are ${truth.length} images of truth and ${detections.length} lists of detections.`);
  }
  const iouThreshold = options.iouThreshold ?? 0.5;
  const scoreThreshold = options.scoreThreshold ?? 0.5;
  const classes = classNames.map((className, k) => evaluateClass(k, className, truth, detections, iouThreshold, scoreThreshold));
  return new DetectionEvaluation(classes, iouThreshold, scoreThreshold, truth.length);
}

function evaluateClass(
  k: number,
  className: string,
  truth: readonly (readonly SceneObject[])[],
  detections: readonly (readonly Detection[])[],
  iouThreshold: number,
  scoreThreshold: number,
): ClassDetectionResult {
  const objects = truth.map((list) => list.filter((o) => o.classIndex === k));
  const total = objects.reduce((s, l) => s + l.length, 0);
  const found = objects.map((l) => new Uint8Array(l.length));
  // Surest first; equal scores keep image order, then list order (a stable sort).
  const ranked = detections.flatMap((list, image) => list.filter((d) => d.classIndex === k).map((d) => ({ d, image })));
  ranked.sort((a, b) => b.d.score - a.d.score);
  let tp = 0;
  let fp = 0;
  let tpAt = 0;
  let fpAt = 0;
  const curve: ClassDetectionResult["curve"] = [];
  for (const { d, image } of ranked) {
    let best = -1;
    let bestIou = 0;
    objects[image].forEach((o, j) => {
      const overlap = iou(d, o);
      if (overlap > bestIou) {
        bestIou = overlap;
        best = j;
      }
    });
    const hit = best >= 0 && bestIou >= iouThreshold && !found[image][best];
    if (hit) {
      found[image][best] = 1;
      tp++;
    } else fp++;
    if (d.score >= scoreThreshold) {
      if (hit) tpAt++;
      else fpAt++;
    }
    curve.push({ recall: total > 0 ? tp / total : 0, precision: tp / (tp + fp), score: d.score });
  }
  return {
    className,
    objects: total,
    detections: ranked.length,
    ap: total > 0 ? interpolatedAP(curve) : NaN,
    precision: tpAt + fpAt > 0 ? tpAt / (tpAt + fpAt) : 0,
    recall: total > 0 ? tpAt / total : 0,
    truePositives: tpAt,
    falsePositives: fpAt,
    curve,
  };
}

/** Area under the precision envelope: precision at each recall is the best at that recall or beyond. */
export function interpolatedAP(curve: readonly { recall: number; precision: number }[]): number {
  const recall = [0, ...curve.map((p) => p.recall), 1];
  const precision = [0, ...curve.map((p) => p.precision), 0];
  for (let i = precision.length - 2; i >= 0; i--) precision[i] = Math.max(precision[i], precision[i + 1]);
  let ap = 0;
  for (let i = 1; i < recall.length; i++) ap += (recall[i] - recall[i - 1]) * precision[i];
  return ap;
}
