/**
 * makeScenes: detection and segmentation data from real images. No
 * detection data set ships with npm or Debian, so convlab builds scenes the
 * honest way: real MNIST (or Fashion-MNIST) images placed on larger black
 * canvases, at random places and sizes, with bits of other images as
 * clutter. Because convlab drew every scene it knows the exact truth: each
 * object's class and box, and the class of every pixel.
 *
 *     const scenes = await makeScenes({ count: 1000, seed: 1 });
 *
 * The same options and seed give the same scenes, byte for byte. Each split
 * of the scenes uses only images of the same split of the source, so the
 * test scenes hold digits no model trained on the train scenes has seen.
 */
import { Dataset, SPLIT_NAMES, type SplitName } from "../dataset";
import { MemoryPixelStore } from "../pixel-store";
import { createRandom, mixSeeds, type Random } from "../random";
import { loadFashionMnist } from "../sources/fashion-mnist";
import { loadMnist } from "../sources/mnist";
import { boxesTouch, cropSprite, inkBox, paste, resizeBilinear, type Sprite } from "./draw";
import { SceneSet } from "./scene-set";
import type { BoxLike, SceneObject } from "./types";

export interface MakeScenesOptions {
  /** Where the objects come from: "mnist" (default), "fashion-mnist", or a one-channel Dataset. */
  source?: "mnist" | "fashion-mnist" | Dataset;
  /**
   * How many scenes: a number is dealt 60/20/20 into train, validation and
   * test; or give each split's count, e.g. { test: 500 }. Default 1000.
   */
  count?: number | Partial<Record<SplitName, number>>;
  /** Canvas side in pixels, or [height, width]. Default 64. */
  size?: number | [number, number];
  /** Objects per scene, or [fewest, most]. Default [1, 3]. */
  objectsPerImage?: number | [number, number];
  /** Each object's size as a multiple of the source image's (28 px), or [smallest, largest]. Default [0.8, 1.2]. */
  scale?: number | [number, number];
  /**
   * Distractors per scene, or [fewest, most]: small pieces cut from other
   * source images, which are not objects (their boxes are not in the truth,
   * their pixels are background in the masks). Default [0, 2].
   */
  clutter?: number | [number, number];
  /** Default 0. */
  seed?: number;
  /** The scene set's name. Default: the source's name + "-scenes". */
  name?: string;
}

/** Pixels at or above this value are the object in its mask; its box is the box of those pixels. */
export const MASK_THRESHOLD = 128;
/** Pixels apart that objects (and clutter) are kept, so no two touch and every pixel has one class. */
const MIN_GAP = 2;
const PLACEMENT_TRIES = 100;
/** Side of a clutter piece, in source pixels. */
const CLUTTER_SIDE: [number, number] = [5, 9];
/** A clutter piece must hold at least this many pixels at MASK_THRESHOLD, or it is too faint to distract. */
const CLUTTER_MIN_INK = 6;

interface ResolvedSceneOptions {
  counts: Record<SplitName, number>;
  height: number;
  width: number;
  objects: [number, number];
  scale: [number, number];
  clutter: [number, number];
  seed: number;
}

export async function makeScenes(options: MakeScenesOptions = {}): Promise<SceneSet> {
  const resolved = resolveOptions(options);
  const source = await loadSource(options.source ?? "mnist");
  if (source.channels !== 1) {
    throw new Error(`makeScenes places one-channel images (light on dark, like MNIST); ${source.name} has ${source.channels} channels.`);
  }
  const { counts, height, width } = resolved;
  const total = SPLIT_NAMES.reduce((sum, s) => sum + counts[s], 0);
  for (const s of SPLIT_NAMES) {
    if (counts[s] > 0 && source.size(s) === 0) {
      throw new Error(
        `makeScenes takes the objects of ${s} scenes from the source's ${s} split, and ${source.name} has none. ` +
          `Split the source first (split(dataset, { train: 0.6, validation: 0.2, test: 0.2 })) or ask only for ${source.splitNames.join(", ")} scenes.`,
      );
    }
  }
  const area = height * width;
  const pixels = new Uint8Array(total * area);
  const masks = new Uint8Array(total * area);
  const objects: SceneObject[][] = [];
  const splits: Partial<Record<SplitName, Int32Array>> = {};
  let next = 0;
  for (const [splitNumber, s] of SPLIT_NAMES.entries()) {
    const sourceIndices = source.indices(s);
    const sourcePixels = counts[s] > 0 ? await source.readImages(sourceIndices) : new Uint8Array(0);
    const sourceImage = (i: number): Sprite => ({
      pixels: sourcePixels.subarray(i * source.height * source.width, (i + 1) * source.height * source.width),
      width: source.width,
      height: source.height,
    });
    const indices = new Int32Array(counts[s]);
    for (let i = 0; i < counts[s]; i++) {
      const random = createRandom(mixSeeds(resolved.seed, splitNumber, i));
      const at = next++;
      indices[i] = at;
      objects.push(
        drawScene(random, resolved, {
          canvas: pixels.subarray(at * area, (at + 1) * area),
          mask: masks.subarray(at * area, (at + 1) * area),
          pick: () => {
            const k = random.int(sourceIndices.length);
            return { sprite: sourceImage(k), classIndex: source.labels[sourceIndices[k]] };
          },
        }),
      );
    }
    splits[s] = indices;
  }
  const most = Math.max(0, ...objects.map((o) => o.length));
  const name = options.name ?? `${source.name}-scenes`;
  const describeRange = ([a, b]: [number, number], unit = "") => (a === b ? `${a}${unit}` : `${a} to ${b}${unit}`);
  const description =
    `Scenes of ${height}×${width} pixels, each with ${describeRange(resolved.objects)} ${source.name} images ` +
    `(scaled ${describeRange(resolved.scale, "×")}) and ${describeRange(resolved.clutter)} clutter pieces, ` +
    `drawn with seed ${resolved.seed}; each split's objects come from the same split of ${source.name}.`;
  const dataset = new Dataset({
    name,
    shape: [height, width, 1],
    classNames: Array.from({ length: most + 1 }, (_, n) => `${n} object${n === 1 ? "" : "s"}`),
    pixels: new MemoryPixelStore(pixels, area),
    labels: Int32Array.from(objects, (o) => o.length),
    splits,
    splitOrigins: Object.fromEntries(SPLIT_NAMES.map((s) => [s, `scenes drawn from the ${s} split of ${source.name}`])),
    source: { description, license: source.source?.license },
  });
  return new SceneSet({ dataset, classNames: source.classNames, objects, masks, description });
}

function drawScene(
  random: Random,
  options: ResolvedSceneOptions,
  target: { canvas: Uint8Array; mask: Uint8Array; pick: () => { sprite: Sprite; classIndex: number } },
): SceneObject[] {
  const { height, width } = options;
  const taken: BoxLike[] = [];
  const objects: SceneObject[] = [];
  const place = (sprite: Sprite): { left: number; top: number } | undefined => {
    if (sprite.width > width || sprite.height > height) return undefined;
    for (let t = 0; t < PLACEMENT_TRIES; t++) {
      const left = random.int(width - sprite.width + 1);
      const top = random.int(height - sprite.height + 1);
      const box = { x1: left, y1: top, x2: left + sprite.width, y2: top + sprite.height };
      if (taken.every((other) => !boxesTouch(box, other, MIN_GAP))) {
        taken.push(box);
        return { left, top };
      }
    }
    return undefined;
  };

  const wanted = randomInt(random, options.objects);
  for (let n = 0; n < wanted; n++) {
    const { sprite: source, classIndex } = target.pick();
    const s = random.uniform(options.scale[0], options.scale[1]);
    const scaled = resizeBilinear(source, Math.max(1, Math.round(source.width * s)), Math.max(1, Math.round(source.height * s)));
    const ink = inkBox(scaled, 1);
    const solid = inkBox(scaled, MASK_THRESHOLD);
    if (!ink || !solid) continue; // an empty source image: nothing to find
    const sprite = cropSprite(scaled, ink);
    const at = place(sprite);
    if (!at) continue; // no room left on this canvas
    paste(target.canvas, width, sprite, at.left, at.top, { values: target.mask, threshold: MASK_THRESHOLD, value: classIndex + 1 });
    const dx = at.left - ink.x1;
    const dy = at.top - ink.y1;
    objects.push({ x1: solid.x1 + dx, y1: solid.y1 + dy, x2: solid.x2 + dx, y2: solid.y2 + dy, classIndex });
  }

  const pieces = randomInt(random, options.clutter);
  for (let n = 0; n < pieces; n++) {
    const piece = clutterPiece(random, target.pick().sprite, options.scale);
    if (!piece) continue;
    const at = place(piece);
    if (at) paste(target.canvas, width, piece, at.left, at.top);
  }
  return objects;
}

/** A small square cut from the inked part of an image, at a random scale; undefined if it came out too faint. */
function clutterPiece(random: Random, source: Sprite, scale: [number, number]): Sprite | undefined {
  const ink = inkBox(source, MASK_THRESHOLD);
  if (!ink) return undefined;
  for (let t = 0; t < 10; t++) {
    const side = randomInt(random, CLUTTER_SIDE);
    const x1 = ink.x1 + random.int(Math.max(1, ink.x2 - ink.x1 - side + 1));
    const y1 = ink.y1 + random.int(Math.max(1, ink.y2 - ink.y1 - side + 1));
    const box = { x1, y1, x2: Math.min(source.width, x1 + side), y2: Math.min(source.height, y1 + side) };
    const s = random.uniform(scale[0], scale[1]);
    const cut = cropSprite(source, box);
    const piece = resizeBilinear(cut, Math.max(1, Math.round(cut.width * s)), Math.max(1, Math.round(cut.height * s)));
    let solid = 0;
    for (const v of piece.pixels) if (v >= MASK_THRESHOLD) solid++;
    const inked = inkBox(piece, 1);
    if (solid >= CLUTTER_MIN_INK && inked) return cropSprite(piece, inked);
  }
  return undefined;
}

function randomInt(random: Random, [low, high]: [number, number]): number {
  return low + random.int(high - low + 1);
}

async function loadSource(source: MakeScenesOptions["source"]): Promise<Dataset> {
  if (source === "mnist") return loadMnist();
  if (source === "fashion-mnist") return loadFashionMnist();
  if (source instanceof Dataset) return source;
  throw new Error(`makeScenes: source must be "mnist", "fashion-mnist" or a Dataset (got ${JSON.stringify(source)}).`);
}

const KNOWN = ["source", "count", "size", "objectsPerImage", "scale", "clutter", "seed", "name"];

function resolveOptions(options: MakeScenesOptions): ResolvedSceneOptions {
  for (const key of Object.keys(options)) {
    if (!KNOWN.includes(key)) throw new Error(`makeScenes has no option "${key}". The options are: ${KNOWN.join(", ")}.`);
  }
  const [height, width] = range("size", options.size ?? 64, 8, 4096, true);
  const objects = range("objectsPerImage", options.objectsPerImage ?? [1, 3], 0, 100, true);
  const scale = range("scale", options.scale ?? [0.8, 1.2], 0.1, 20, false);
  const clutter = range("clutter", options.clutter ?? [0, 2], 0, 100, true);
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed) || seed < 0) throw new Error(`makeScenes: seed must be a whole number ≥ 0 (got ${String(seed)}).`);
  return { counts: resolveCounts(options.count ?? 1000), height, width, objects, scale, clutter, seed };
}

function range(name: string, value: number | [number, number], min: number, max: number, integer: boolean): [number, number] {
  const pair = Array.isArray(value) ? value : [value, value];
  const ok = (v: unknown) => typeof v === "number" && Number.isFinite(v) && v >= min && v <= max && (!integer || Number.isInteger(v));
  if (pair.length !== 2 || !ok(pair[0]) || !ok(pair[1]) || (name !== "size" && pair[0] > pair[1])) {
    const kind = integer ? "whole numbers" : "numbers";
    throw new Error(`makeScenes: ${name} must be one number or a pair [${name === "size" ? "height, width" : "low, high"}] of ${kind} from ${min} to ${max} (got ${JSON.stringify(value)}).`);
  }
  return [pair[0], pair[1]];
}

function resolveCounts(count: number | Partial<Record<SplitName, number>>): Record<SplitName, number> {
  const check = (what: string, n: unknown): number => {
    if (!(typeof n === "number" && Number.isInteger(n) && n >= 0)) throw new Error(`makeScenes: ${what} must be a whole number ≥ 0 (got ${JSON.stringify(n)}).`);
    return n;
  };
  if (typeof count === "number") {
    const n = check("count", count);
    const train = Math.round(0.6 * n);
    const validation = Math.round(0.2 * n);
    return { train, validation, test: n - train - validation };
  }
  if (typeof count !== "object" || count === null) throw new Error(`makeScenes: count must be a number or { train, validation, test } (got ${JSON.stringify(count)}).`);
  for (const key of Object.keys(count)) {
    if (!(SPLIT_NAMES as readonly string[]).includes(key)) throw new Error(`makeScenes: count has "${key}", which is not a split (train, validation, test).`);
  }
  return { train: check("count.train", count.train ?? 0), validation: check("count.validation", count.validation ?? 0), test: check("count.test", count.test ?? 0) };
}
