/**
 * What a scene holds besides its pixels: the objects in it, each a class and
 * a box. Boxes are in pixels of the scene, edges not centres: an object that
 * covers columns 3 to 10 has x1 = 3 and x2 = 11 (width 8), so a box's width
 * is x2 − x1 and boxes of touching objects do not overlap.
 */

/** A rectangle in pixel (or normalised) coordinates: left, top, right, bottom edges. */
export interface BoxLike {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

/** One labelled object of a scene. */
export interface SceneObject extends BoxLike {
  /** Index into the scene set's classNames (not counting background). */
  classIndex: number;
}

/** One scene with everything known about it. */
export interface Scene {
  /** Index of the scene in the set's pixel store. */
  index: number;
  /** height × width × channels bytes. */
  pixels: Uint8Array;
  objects: readonly SceneObject[];
  /** height × width class indices: 0 is background, k + 1 is class k. Absent when the set has no masks. */
  mask?: Uint8Array;
}

export function boxWidth(box: BoxLike): number {
  return box.x2 - box.x1;
}

export function boxHeight(box: BoxLike): number {
  return box.y2 - box.y1;
}
