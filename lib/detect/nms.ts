/**
 * Non-maximum suppression: a detector usually finds an object several times
 * (neighbouring windows, neighbouring anchors). Keep the surest detection,
 * drop the others of the same class that overlap it by more than the IoU
 * threshold, and repeat with the surest of those left.
 */
import { iou, type Detection } from "./boxes";

export interface NmsOptions {
  /** Detections of the same class overlapping a kept one by more than this IoU are dropped. Default 0.45 (pytorch-ssd's predictor). */
  iouThreshold?: number;
  /** Keep at most this many detections in all. Default: no limit. */
  maxDetections?: number;
  /** Suppress across classes too (one object, one class). Default false: each class on its own, as in SSD. */
  classAgnostic?: boolean;
}

/** The detections that survive, surest first. Ties keep the earlier detection first. */
export function nonMaxSuppression<D extends Detection>(detections: readonly D[], options: NmsOptions = {}): D[] {
  const threshold = options.iouThreshold ?? 0.45;
  if (!(threshold >= 0 && threshold <= 1)) throw new Error(`nonMaxSuppression: iouThreshold must be from 0 to 1 (got ${threshold}).`);
  const limit = options.maxDetections ?? Infinity;
  const order = detections.map((d, i) => ({ d, i })).sort((a, b) => b.d.score - a.d.score || a.i - b.i);
  const kept: D[] = [];
  const dropped = new Uint8Array(order.length);
  for (let i = 0; i < order.length && kept.length < limit; i++) {
    if (dropped[i]) continue;
    const best = order[i].d;
    kept.push(best);
    for (let j = i + 1; j < order.length; j++) {
      if (dropped[j]) continue;
      const other = order[j].d;
      if ((options.classAgnostic || other.classIndex === best.classIndex) && iou(best, other) > threshold) dropped[j] = 1;
    }
  }
  return kept;
}
