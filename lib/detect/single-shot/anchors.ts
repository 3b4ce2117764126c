/**
 * Anchors (SSD's "default boxes"): fixed boxes laid on a grid over the
 * image, a few shapes per cell. The detector does not search for objects;
 * for every anchor it answers two questions at once: which class (or
 * background) is here, and how must this anchor move and stretch to fit it.
 *
 * Coordinates are normalised: 0 to 1 across the image. Anchor n is at grid
 * cell (row, column) = (⌊n / A⌋ / columns, ⌊n / A⌋ mod columns), shape n mod A,
 * the order of the network's output read row by row, channels last.
 *
 * Box offsets are encoded as in SSD and pytorch-ssd (box_utils.py,
 * convert_boxes_to_locations), with its variances 0.1 and 0.2:
 *   tx = (cx − acx) / (aw · 0.1),  ty = (cy − acy) / (ah · 0.1),
 *   tw = ln(w / aw) / 0.2,          th = ln(h / ah) / 0.2.
 */
import type { BoxLike } from "../../data/scenes";
import { iou } from "../boxes";

export interface AnchorConfig {
  /** Grid rows and columns (the network's output map). */
  grid: [number, number];
  /** Anchor shapes per cell, as [width, height] fractions of the image. */
  shapes: [number, number][];
  /** SSD's centre and size variances. */
  variances: [number, number];
}

/** One anchor: centre and size, normalised. */
export interface Anchor {
  cx: number;
  cy: number;
  w: number;
  h: number;
}

export function makeAnchors(config: AnchorConfig): Anchor[] {
  const [rows, columns] = config.grid;
  const anchors: Anchor[] = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) {
      for (const [w, h] of config.shapes) anchors.push({ cx: (c + 0.5) / columns, cy: (r + 0.5) / rows, w, h });
    }
  }
  return anchors;
}

export function anchorBox(a: Anchor): BoxLike {
  return { x1: a.cx - a.w / 2, y1: a.cy - a.h / 2, x2: a.cx + a.w / 2, y2: a.cy + a.h / 2 };
}

/** The offsets that move `anchor` onto `box` (normalised). */
export function encodeBox(box: BoxLike, anchor: Anchor, [cv, sv]: [number, number]): [number, number, number, number] {
  const w = box.x2 - box.x1;
  const h = box.y2 - box.y1;
  return [((box.x1 + w / 2 - anchor.cx) / anchor.w) / cv, ((box.y1 + h / 2 - anchor.cy) / anchor.h) / cv, Math.log(w / anchor.w) / sv, Math.log(h / anchor.h) / sv];
}

/** The box `offsets` make of `anchor` (normalised), the inverse of encodeBox. */
export function decodeBox(offsets: ArrayLike<number>, anchor: Anchor, [cv, sv]: [number, number], at = 0): BoxLike {
  const cx = offsets[at] * cv * anchor.w + anchor.cx;
  const cy = offsets[at + 1] * cv * anchor.h + anchor.cy;
  const w = Math.exp(offsets[at + 2] * sv) * anchor.w;
  const h = Math.exp(offsets[at + 3] * sv) * anchor.h;
  return { x1: cx - w / 2, y1: cy - h / 2, x2: cx + w / 2, y2: cy + h / 2 };
}

/** An anchor overlapping an object at least this much is a positive for it (SSD's threshold). */
export const MATCH_IOU = 0.5;
/** An anchor overlapping every object less than this is plainly background (used for the scene accuracy). */
export const FAR_IOU = 0.3;

/** What each anchor should answer for one image. */
export interface AnchorTargets {
  /** 0 for background, k + 1 for object class k. */
  classes: Int32Array;
  /** Encoded offsets, 4 per anchor (zero for background). */
  offsets: Float32Array;
  /** 1 where the anchor is the best one for some object (each object has exactly one). */
  best: Uint8Array;
  /** 1 where the anchor overlaps every object by less than FAR_IOU. */
  far: Uint8Array;
}

/**
 * SSD's matching: each object takes the anchor that overlaps it most;
 * every other anchor overlapping some object by MATCH_IOU or more takes the
 * object it overlaps most; all others are background.
 */
export function matchAnchors(anchors: readonly Anchor[], objects: readonly (BoxLike & { classIndex: number })[], variances: [number, number]): AnchorTargets {
  const n = anchors.length;
  const classes = new Int32Array(n);
  const offsets = new Float32Array(n * 4);
  const best = new Uint8Array(n);
  const far = new Uint8Array(n).fill(1);
  const boxes = anchors.map(anchorBox);
  const owner = new Int32Array(n).fill(-1);
  const ownerIou = new Float32Array(n);
  objects.forEach((o, j) => {
    let bestAnchor = 0;
    let bestIou = -1;
    for (let i = 0; i < n; i++) {
      const overlap = iou(boxes[i], o);
      if (overlap >= FAR_IOU) far[i] = 0;
      if (overlap > ownerIou[i]) {
        ownerIou[i] = overlap;
        if (overlap >= MATCH_IOU) owner[i] = j;
      }
      if (overlap > bestIou) {
        bestIou = overlap;
        bestAnchor = i;
      }
    }
    best[bestAnchor] = 1;
    owner[bestAnchor] = j;
    ownerIou[bestAnchor] = 2; // forced: no later object takes it by overlapping more
    far[bestAnchor] = 0;
  });
  for (let i = 0; i < n; i++) {
    const j = owner[i];
    if (j < 0) continue;
    classes[i] = objects[j].classIndex + 1;
    offsets.set(encodeBox(objects[j], anchors[i], variances), i * 4);
  }
  return { classes, offsets, best, far };
}
