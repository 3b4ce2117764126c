/**
 * Boxes and what is measured between them. A box is { x1, y1, x2, y2 }:
 * left, top, right and bottom edges (see lib/data/scenes/types.ts), so its
 * width is x2 − x1. A detection is a box with a class and a score.
 */
import type { BoxLike } from "../data/scenes";

export type { BoxLike };

/** What a detector reports: where, what, and how sure. */
export interface Detection extends BoxLike {
  /** Index into the detector's classNames (background not counted). */
  classIndex: number;
  /** The detector's confidence, 0 to 1. */
  score: number;
}

export function area(box: BoxLike): number {
  return Math.max(0, box.x2 - box.x1) * Math.max(0, box.y2 - box.y1);
}

export function intersectionArea(a: BoxLike, b: BoxLike): number {
  const w = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
  const h = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
  return w > 0 && h > 0 ? w * h : 0;
}

/** Intersection over union: the shared area divided by the area either box covers. 0 when they do not meet. */
export function iou(a: BoxLike, b: BoxLike): number {
  const inter = intersectionArea(a, b);
  if (inter === 0) return 0;
  return inter / (area(a) + area(b) - inter);
}

/** The box scaled: pixel boxes to normalised ones with (1 / width, 1 / height), and back. */
export function scaleBox<B extends BoxLike>(box: B, sx: number, sy: number): B {
  return { ...box, x1: box.x1 * sx, y1: box.y1 * sy, x2: box.x2 * sx, y2: box.y2 * sy };
}

/** A square box of side `side` centred on (cx, cy). */
export function squareAround(cx: number, cy: number, side: number): BoxLike {
  return { x1: cx - side / 2, y1: cy - side / 2, x2: cx + side / 2, y2: cy + side / 2 };
}

export function centre(box: BoxLike): { x: number; y: number } {
  return { x: (box.x1 + box.x2) / 2, y: (box.y1 + box.y2) / 2 };
}
