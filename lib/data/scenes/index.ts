/**
 * Scenes: images with objects to find, and the truth about them (boxes and
 * per-pixel classes). makeScenes() draws them from real digits; the VOC
 * importer (lib/data/sources/voc) reads labelled photos into the same form.
 */
export { makeScenes, MASK_THRESHOLD } from "./make-scenes";
export type { MakeScenesOptions } from "./make-scenes";
export { SceneSet } from "./scene-set";
export type { SceneSetInit } from "./scene-set";
export { boxWidth, boxHeight } from "./types";
export type { BoxLike, SceneObject, Scene } from "./types";
