/**
 * SceneSet: images in which objects are to be found, with the truth about
 * each one: every object's class and box, and (when known) the class of
 * every pixel. makeScenes() builds one from real digits, importVocFolder()
 * from a folder of labelled photos.
 *
 * The images are an ordinary Dataset (`scenes.dataset`), so splits, batches
 * and normalization work as for classification. A scene has no single class,
 * so the dataset's labels count the objects in each scene ("2 objects"):
 * its class counts show how crowded the scenes are.
 */
import { DISPLAY, type MimeBundle } from "../../display";
import { type AnnotatedImage, annotatedImages } from "../../charts";
import type { Dataset, SplitName } from "../dataset";
import type { Scene, SceneObject } from "./types";

export interface SceneSetInit {
  dataset: Dataset;
  /** The object classes, without background. */
  classNames: readonly string[];
  /** The objects of every stored image, by store index. */
  objects: readonly (readonly SceneObject[])[];
  /** count × height × width class indices (0 background, k + 1 class k), or undefined. */
  masks?: Uint8Array;
  /** What an import read and skipped (importVocFolder). */
  report?: unknown;
  /** How the scenes were made, for summaries. */
  description: string;
}

export class SceneSet {
  readonly dataset: Dataset;
  readonly classNames: readonly string[];
  readonly objects: readonly (readonly SceneObject[])[];
  readonly masks: Uint8Array | undefined;
  readonly report: unknown;
  readonly description: string;

  constructor(init: SceneSetInit) {
    const { dataset, classNames, objects, masks } = init;
    const count = dataset.pixels.count;
    if (objects.length !== count) throw new Error(`A scene set needs the objects of each of its ${count} images; got ${objects.length} lists.`);
    if (classNames.length < 1) throw new Error("A scene set needs at least one object class.");
    if (masks && masks.length !== count * dataset.height * dataset.width) {
      throw new Error(`The masks hold ${masks.length} values; ${count} images of ${dataset.height}×${dataset.width} need ${count * dataset.height * dataset.width}.`);
    }
    objects.forEach((list, i) =>
      list.forEach((o) => {
        if (!(o.classIndex >= 0 && o.classIndex < classNames.length && Number.isInteger(o.classIndex))) {
          throw new Error(`Object ${JSON.stringify(o)} of image ${i} has no class (there are ${classNames.length} classes).`);
        }
      }),
    );
    this.dataset = dataset;
    this.classNames = Object.freeze([...classNames]);
    this.objects = objects;
    this.masks = masks;
    this.report = init.report;
    this.description = init.description;
  }

  get name(): string {
    return this.dataset.name;
  }
  get height(): number {
    return this.dataset.height;
  }
  get width(): number {
    return this.dataset.width;
  }
  get channels(): number {
    return this.dataset.channels;
  }
  get numClasses(): number {
    return this.classNames.length;
  }

  /** Scenes in a split, or in all splits together. */
  size(split?: SplitName): number {
    return this.dataset.size(split);
  }

  /** Store indices of a split's scenes, in split order. */
  indices(split: SplitName): Int32Array {
    return this.dataset.indices(split);
  }

  /** The class of every pixel of one stored scene (0 background, k + 1 class k). */
  maskOf(index: number): Uint8Array | undefined {
    if (!this.masks) return undefined;
    const area = this.height * this.width;
    return this.masks.subarray(index * area, (index + 1) * area);
  }

  /** The scene at `position` in a split. */
  async scene(split: SplitName, position: number): Promise<Scene> {
    const indices = this.indices(split);
    if (!Number.isInteger(position) || position < 0 || position >= indices.length) {
      throw new RangeError(`The ${split} split has ${indices.length} scenes; there is no scene ${position}.`);
    }
    return this.sceneAt(indices[position]);
  }

  /** The scene stored at `index`. */
  async sceneAt(index: number): Promise<Scene> {
    const pixels = await this.dataset.readImages([index]);
    return { index, pixels, objects: this.objects[index], mask: this.maskOf(index) };
  }

  /** Objects per class over a split (or all splits). */
  objectCounts(split?: SplitName): number[] {
    const counts = new Array<number>(this.numClasses).fill(0);
    const splits: SplitName[] = split ? [split] : this.dataset.splitNames;
    for (const s of splits) for (const index of this.indices(s)) for (const o of this.objects[index]) counts[o.classIndex]++;
    return counts;
  }

  /** "digit-scenes: 1,000 scenes 64×64×1, 10 classes, 2,012 objects (train 600 / validation 200 / test 200)" */
  toString(): string {
    const splits = this.dataset.splitNames.map((s) => `${s} ${this.size(s).toLocaleString("en-US")}`).join(" / ");
    const objects = this.objectCounts().reduce((a, b) => a + b, 0);
    return (
      `${this.name}: ${this.size().toLocaleString("en-US")} scenes ${this.height}×${this.width}×${this.channels}, ` +
      `${this.numClasses} classes, ${objects.toLocaleString("en-US")} objects (${splits || "no splits"})`
    );
  }

  /** The first scenes of a split with their boxes (and masks), as a chart. */
  async show(options: { split?: SplitName; count?: number; masks?: boolean; columns?: number } = {}) {
    const split = options.split ?? this.dataset.splitNames[0] ?? "train";
    const count = Math.min(options.count ?? 8, this.size(split));
    const images: AnnotatedImage[] = [];
    for (let i = 0; i < count; i++) {
      const scene = await this.scene(split, i);
      images.push({
        pixels: scene.pixels,
        width: this.width,
        height: this.height,
        channels: this.channels,
        boxes: scene.objects.map((o) => ({ ...o, label: this.classNames[o.classIndex], kind: "truth" as const })),
        classMap: options.masks && scene.mask ? scene.mask : undefined,
      });
    }
    return annotatedImages(images, { classNames: this.classNames, columns: options.columns, title: `${this.name}: ${split} scenes and their boxes` });
  }

  async [DISPLAY](): Promise<MimeBundle> {
    const chart = await this.show();
    const bundle = await chart[DISPLAY]();
    return { ...bundle, "text/plain": `${this.toString()}\n${this.description}` };
  }
}
