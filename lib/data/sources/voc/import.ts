/**
 * importVocFolder: labelled photos in Pascal VOC's layout, as jetson-
 * inference's camera-capture tool writes them in Detection mode and its
 * train_ssd.py reads them (dusty-nv/camera-capture controlDetection.cpp,
 * saveFrame; dusty-nv/pytorch-ssd vision/datasets/voc_dataset.py):
 *
 *     labels.txt                 one class name per line (no BACKGROUND line)
 *     Annotations/<id>.xml       <size>, then one <object> per box: <name>, <bndbox> xmin ymin xmax ymax
 *     JPEGImages/<id>.jpg        (or .png, .bmp, .tif, as voc_dataset.py accepts)
 *     ImageSets/Main/train.txt   image ids, one per line; also val.txt, test.txt, trainval.txt
 *     SegmentationClass/<id>.png optional: the class of every pixel (0 background, k + 1 class k)
 *
 * VOC boxes count pixels from 1 and include both ends (MATLAB's
 * convention, which voc_dataset.py undoes by subtracting 1), so a box
 * xmin..xmax becomes the edges x1 = xmin − 1, x2 = xmax here.
 *
 * Every image is squashed to width × height (detectnet squashes camera
 * frames to the network's size the same way) and its boxes scaled with it.
 * Bad annotations are reported and skipped, never fatal: a missing or
 * unreadable image or annotation, a box outside the image or empty, a class
 * not in labels.txt. An image with a bad object is left out whole: kept
 * without that object, it would teach the detector that the object is
 * background.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { loadSharp } from "../../../display/sharp";
import { Dataset, type SplitName } from "../../dataset";
import { MemoryPixelStore } from "../../pixel-store";
import { createRandom, shuffleInPlace } from "../../random";
import { SceneSet } from "../../scenes/scene-set";
import type { SceneObject } from "../../scenes/types";
import { decodeImage, SkipError } from "../image-folder/decode";
import { resolveImportOptions, type ResolvedImportOptions } from "../image-folder/options";
import { child, parseXml, XmlError, type XmlElement } from "./xml";
import { VocImportReport, type VocSkip } from "./report";

export interface ImportVocOptions {
  /** Width every image is squashed to. Default 64 (makeScenes's scenes, the lesson's detector). */
  width?: number;
  /** Height every image is squashed to. Default 64. */
  height?: number;
  /** "grayscale" (default, like the digit scenes) or "color". */
  imageType?: "grayscale" | "color";
  /** Percent of trainval held out for validation when the folder has no val.txt (or no image sets at all). Default 20. */
  validationPercent?: number;
  /** Seed of that split. Default 0. */
  seed?: number;
  /** The scene set's name. Default: the folder's name. */
  name?: string;
}

/** Image extensions tried for an id, in pytorch-ssd's order (voc_dataset.py, _find_image). */
export const VOC_IMAGE_EXTENSIONS = [".jpg", ".JPG", ".jpeg", ".JPEG", ".png", ".PNG", ".bmp", ".BMP", ".tif", ".TIF", ".tiff", ".TIFF"];
const SET_FILES: Record<string, SplitName> = { train: "train", val: "validation", test: "test" };

interface Entry {
  id: string;
  splits: SplitName[];
}

/** An image of the folder that passed every check, before the class names are known. */
interface KeptImage {
  id: string;
  splits: SplitName[];
  pixels: Buffer;
  objects: SceneObject[];
  mask?: Uint8Array;
  /** Each object's class name (its classIndex is set once the classes are known). */
  names: string[];
  /** Objects marked difficult. */
  difficult: number;
}

/** What reading one image needs. */
interface VocReader {
  root: string;
  width: number;
  height: number;
  decodeOptions: ResolvedImportOptions;
  /** From labels.txt; undefined when the folder has none. */
  classNames: string[] | undefined;
  notes: string[];
}

type Skip = Omit<VocSkip, "id">;

export async function importVocFolder(dir: string, options: ImportVocOptions = {}): Promise<SceneSet> {
  const root = resolve(dir);
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new Error(`importVocFolder: ${root} is not a folder.`);
  if (!existsSync(join(root, "Annotations"))) {
    throw new Error(`importVocFolder: ${root} has no Annotations folder; a Pascal VOC folder holds Annotations/, JPEGImages/, ImageSets/Main/ and labels.txt.`);
  }
  const started = performance.now();
  const width = options.width ?? 64;
  const height = options.height ?? 64;
  const imageType = options.imageType ?? "grayscale";
  const decodeOptions = resolveImportOptions({ width, height, imageType, resizeMode: "squash", minImageSide: 1 }).resolved;
  const notes: string[] = [];
  const skipped: VocSkip[] = [];
  const reader: VocReader = { root, width, height, decodeOptions, classNames: readLabels(root, notes), notes };
  const entries = listEntries(root, options, notes);

  const kept: KeptImage[] = [];
  for (const entry of entries) {
    const read = await readImage(reader, entry);
    if ("reason" in read) skipped.push({ id: entry.id, ...read });
    else kept.push(read);
  }

  const classNames = reader.classNames ?? [...new Set(kept.flatMap((k) => k.names))].sort();
  if (!reader.classNames) notes.push(`There is no labels.txt; the classes are the object names found, sorted: ${classNames.join(", ") || "none"}.`);
  const difficult = kept.reduce((sum, k) => sum + k.difficult, 0);
  if (difficult) notes.push(`${difficult} object(s) are marked difficult; they are kept as ordinary objects.`);
  const masked = kept.filter((k) => k.mask).length;
  if (masked > 0 && masked < kept.length) notes.push(`Only ${masked} of ${kept.length} images have a SegmentationClass mask, so the scene set has no masks.`);
  for (const k of kept) k.objects.forEach((o, i) => (o.classIndex = classNames.indexOf(k.names[i])));
  const shared = kept.filter((k) => new Set(k.splits).size > 1).length;
  if (shared) notes.push(`${shared} image(s) are in more than one of train, val and test (camera-capture's "Merge Sets"): results on their test split are not on unseen images.`);

  const name = options.name ?? basename(root);
  const store = storeScenes(kept, width, height, imageType === "grayscale" ? 1 : 3);
  const report = new VocImportReport({
    name,
    folder: root,
    width,
    height,
    imageType,
    classNames,
    splitSizes: { train: store.splits.train.length, validation: store.splits.validation.length, test: store.splits.test.length },
    objects: kept.reduce((s, k) => s + k.objects.length * k.splits.length, 0),
    skipped,
    notes,
    seconds: (performance.now() - started) / 1000,
  });
  const dataset = new Dataset({ name, ...store.dataset, source: { description: `Pascal VOC folder ${root}` }, report });
  return new SceneSet({
    dataset,
    classNames: classNames.length ? classNames : ["object"],
    objects: store.objects,
    masks: store.masks,
    report,
    description: `Imported from the Pascal VOC folder ${root}, squashed to ${width}×${height} ${imageType}.`,
  });
}

/** labels.txt's classes (without a leading BACKGROUND, which convlab adds itself), or undefined when there is none. */
function readLabels(root: string, notes: string[]): string[] | undefined {
  const labelsFile = join(root, "labels.txt");
  if (!existsSync(labelsFile)) return undefined;
  const classNames = readFileSync(labelsFile, "utf8").split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  if (classNames[0]?.toUpperCase() !== "BACKGROUND") return classNames;
  notes.push("labels.txt starts with BACKGROUND (a model folder's labels.txt, written by train_ssd.py); it is left out: convlab adds background itself.");
  return classNames.slice(1);
}

/** One id's annotation, image, objects and mask; or why the image is left out. */
async function readImage(reader: VocReader, entry: Entry): Promise<KeptImage | Skip> {
  const { root } = reader;
  const xmlPath = join(root, "Annotations", `${entry.id}.xml`);
  if (!existsSync(xmlPath)) return { reason: "missing annotation", detail: `Annotations/${entry.id}.xml does not exist` };
  let annotation: XmlElement;
  try {
    annotation = parseXml(readFileSync(xmlPath, "utf8"));
  } catch (error) {
    return { reason: "unreadable annotation", detail: `Annotations/${entry.id}.xml: ${error instanceof XmlError ? error.message : (error as Error).message}` };
  }
  const imageFile = VOC_IMAGE_EXTENSIONS.map((ext) => join(root, "JPEGImages", entry.id + ext)).find((p) => existsSync(p));
  if (!imageFile) return { reason: "missing image", detail: `no JPEGImages/${entry.id}.jpg (nor .png, .bmp, .tif)` };
  let decoded;
  try {
    decoded = await decodeImage(readFileSync(imageFile), reader.decodeOptions, 0);
  } catch (error) {
    return { reason: "unreadable image", detail: `JPEGImages/${basename(imageFile)}: ${error instanceof SkipError ? error.message : (error as Error).message}` };
  }
  const { sourceWidth, sourceHeight } = decoded;
  const size = child(annotation, "size");
  const declared = size ? [Number(child(size, "width")?.text), Number(child(size, "height")?.text)] : undefined;
  if (declared && declared.every((v) => v > 0) && (declared[0] !== sourceWidth || declared[1] !== sourceHeight)) {
    return { reason: "size mismatch", detail: `the annotation says ${declared[0]}×${declared[1]}, JPEGImages/${basename(imageFile)} is ${sourceWidth}×${sourceHeight}` };
  }
  const found = readObjects(reader, annotation, sourceWidth, sourceHeight);
  if ("reason" in found) return { reason: found.reason, detail: `${found.detail}; the image is left out` };
  const mask = await readOptionalMask(reader, entry.id);
  return { id: entry.id, splits: entry.splits, pixels: decoded.pixels, mask, ...found };
}

/** An annotation's objects, boxes scaled to the imported size; or the first object that makes the image unusable. */
function readObjects(
  reader: VocReader,
  annotation: XmlElement,
  sourceWidth: number,
  sourceHeight: number,
): Pick<KeptImage, "objects" | "names" | "difficult"> | Skip {
  const { classNames, width, height } = reader;
  const objects: SceneObject[] = [];
  const names: string[] = [];
  let difficult = 0;
  for (const [n, object] of annotation.children.filter((c) => c.name === "object").entries()) {
    const name = child(object, "name")?.text ?? "";
    const box = child(object, "bndbox");
    const [xmin, ymin, xmax, ymax] = ["xmin", "ymin", "xmax", "ymax"].map((k) => (box ? Number(child(box, k)?.text) : NaN));
    const what = `object ${n + 1} ("${name}")`;
    if (classNames && !classNames.includes(name)) {
      return { reason: "unknown class", detail: `${what} is not a class of labels.txt (${classNames.join(", ")})` };
    } else if (![xmin, ymin, xmax, ymax].every(Number.isFinite)) {
      return { reason: "bad box", detail: `${what} has no complete <bndbox> with numeric xmin, ymin, xmax, ymax` };
    } else if (xmin < 1 || ymin < 1 || xmax > sourceWidth || ymax > sourceHeight) {
      return { reason: "box outside the image", detail: `${what}: box ${xmin},${ymin} to ${xmax},${ymax} reaches outside the ${sourceWidth}×${sourceHeight} image (VOC counts pixels from 1)` };
    } else if (xmax < xmin || ymax < ymin) {
      return { reason: "bad box", detail: `${what}: box ${xmin},${ymin} to ${xmax},${ymax} is empty (xmax < xmin or ymax < ymin)` };
    }
    if (child(object, "difficult")?.text === "1") difficult++;
    names.push(name);
    const sx = width / sourceWidth;
    const sy = height / sourceHeight;
    objects.push({ x1: (xmin - 1) * sx, y1: (ymin - 1) * sy, x2: xmax * sx, y2: ymax * sy, classIndex: -1 });
  }
  return { objects, names, difficult };
}

/** SegmentationClass/<id>.png when there is one; a mask that cannot be read is a note, not a skip. */
async function readOptionalMask(reader: VocReader, id: string): Promise<Uint8Array | undefined> {
  const maskFile = join(reader.root, "SegmentationClass", `${id}.png`);
  if (!existsSync(maskFile)) return undefined;
  try {
    return await readMask(maskFile, reader.width, reader.height);
  } catch (error) {
    reader.notes.push(`SegmentationClass/${id}.png could not be read (${(error as Error).message}); that image has no mask.`);
    return undefined;
  }
}

/**
 * The kept images as stored scenes: one row per (image, split), since a scene
 * in several sets (camera-capture's "Merge Sets") is stored once per set.
 * Masks only when every image has one. The Dataset's label is the number of
 * objects in the scene.
 */
function storeScenes(kept: KeptImage[], width: number, height: number, channels: number) {
  const rows = kept.flatMap((k) => k.splits.map((split) => ({ k, split })));
  const area = width * height * channels;
  const pixels = new Uint8Array(rows.length * area);
  const everyMask = kept.length > 0 && kept.every((k) => k.mask);
  const masks = everyMask ? new Uint8Array(rows.length * width * height) : undefined;
  const splits: Record<SplitName, number[]> = { train: [], validation: [], test: [] };
  rows.forEach(({ k, split }, i) => {
    pixels.set(k.pixels, i * area);
    if (masks) masks.set(k.mask!, i * width * height);
    splits[split].push(i);
  });
  const dataset = {
    shape: [height, width, channels] as [number, number, number],
    classNames: Array.from({ length: Math.max(0, ...rows.map((r) => r.k.objects.length)) + 1 }, (_, n) => `${n} object${n === 1 ? "" : "s"}`),
    pixels: new MemoryPixelStore(pixels, area),
    labels: Int32Array.from(rows, (r) => r.k.objects.length),
    splits: { train: Int32Array.from(splits.train), validation: Int32Array.from(splits.validation), test: Int32Array.from(splits.test) },
  };
  return { splits, masks, objects: rows.map((r) => r.k.objects), dataset };
}

/** Which ids go to which split: ImageSets/Main's lists, else every annotation split by validationPercent. */
function listEntries(root: string, options: ImportVocOptions, notes: string[]): Entry[] {
  const setsDir = join(root, "ImageSets", "Main");
  const read = (file: string) =>
    existsSync(join(setsDir, file)) ? readFileSync(join(setsDir, file), "utf8").split(/\r?\n/).map((l) => l.trim().split(/\s+/)[0]).filter(Boolean) : undefined;
  const byId = new Map<string, Entry>();
  const add = (id: string, split: SplitName) => {
    const entry = byId.get(id) ?? { id, splits: [] };
    if (!entry.splits.includes(split)) entry.splits.push(split);
    byId.set(id, entry);
  };
  const lists = Object.fromEntries(Object.keys(SET_FILES).map((f) => [f, read(`${f}.txt`)]));
  const trainval = read("trainval.txt") ?? read("default.txt");
  let toDeal: string[] = [];
  if (lists.train) {
    lists.train.forEach((id) => add(id, "train"));
    lists.val?.forEach((id) => add(id, "validation"));
    if (!lists.val) notes.push("ImageSets/Main has train.txt but no val.txt: there is no validation split.");
  } else if (trainval) {
    toDeal = trainval;
    notes.push(`ImageSets/Main has no train.txt: trainval's images are dealt ${100 - (options.validationPercent ?? 20)}/${options.validationPercent ?? 20} into train and validation.`);
  } else if (!lists.test) {
    toDeal = readdirSync(join(root, "Annotations")).filter((f) => f.endsWith(".xml")).map((f) => f.slice(0, -4)).sort();
    notes.push(`There is no ImageSets/Main list: all ${toDeal.length} annotations are dealt into train and validation.`);
  }
  lists.test?.forEach((id) => add(id, "test"));
  if (toDeal.length) {
    const percent = options.validationPercent ?? 20;
    if (!(percent >= 0 && percent < 100)) throw new Error(`importVocFolder: validationPercent must be from 0 to below 100 (got ${percent}).`);
    const order = shuffleInPlace([...new Set(toDeal)], createRandom(options.seed ?? 0));
    const validation = Math.round((order.length * percent) / 100);
    order.forEach((id, i) => add(id, i < validation ? "validation" : "train"));
  }
  return [...byId.values()];
}

/**
 * A gray PNG of class indices squashed to width × height with nearest-neighbour
 * sampling. Palette PNGs (the original VOC masks) are refused: the image
 * decoder gives their colours, not their indices.
 */
async function readMask(file: string, width: number, height: number): Promise<Uint8Array> {
  const sharp = await loadSharp();
  if ((await sharp(file).metadata()).isPalette) throw new Error("it is a palette PNG; save the class indices as a gray PNG (as exportVoc does)");
  const { data, info } = await sharp(file).extractChannel(0).resize(width, height, { fit: "fill", kernel: "nearest" }).raw().toBuffer({ resolveWithObject: true });
  if (info.width !== width || info.height !== height) throw new Error(`resizing gave ${info.width}×${info.height}`);
  return new Uint8Array(data);
}
