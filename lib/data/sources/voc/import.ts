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
import { resolveImportOptions } from "../image-folder/options";
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
  const channels = imageType === "grayscale" ? 1 : 3;
  const notes: string[] = [];
  const skipped: VocSkip[] = [];

  const labelsFile = join(root, "labels.txt");
  let classNames: string[] | undefined;
  if (existsSync(labelsFile)) {
    classNames = readFileSync(labelsFile, "utf8").split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
    if (classNames[0]?.toUpperCase() === "BACKGROUND") {
      classNames = classNames.slice(1);
      notes.push("labels.txt starts with BACKGROUND (a model folder's labels.txt, written by train_ssd.py); it is left out: convlab adds background itself.");
    }
  }
  const entries = listEntries(root, options, notes);

  const kept: { id: string; splits: SplitName[]; pixels: Buffer; objects: SceneObject[]; mask?: Uint8Array; names: string[] }[] = [];
  let difficult = 0;
  for (const entry of entries) {
    const skip = (reason: VocSkip["reason"], detail: string) => skipped.push({ id: entry.id, reason, detail });
    const xmlPath = join(root, "Annotations", `${entry.id}.xml`);
    if (!existsSync(xmlPath)) {
      skip("missing annotation", `Annotations/${entry.id}.xml does not exist`);
      continue;
    }
    let annotation: XmlElement;
    try {
      annotation = parseXml(readFileSync(xmlPath, "utf8"));
    } catch (error) {
      skip("unreadable annotation", `Annotations/${entry.id}.xml: ${error instanceof XmlError ? error.message : (error as Error).message}`);
      continue;
    }
    const imageFile = VOC_IMAGE_EXTENSIONS.map((ext) => join(root, "JPEGImages", entry.id + ext)).find((p) => existsSync(p));
    if (!imageFile) {
      skip("missing image", `no JPEGImages/${entry.id}.jpg (nor .png, .bmp, .tif)`);
      continue;
    }
    let decoded;
    try {
      decoded = await decodeImage(readFileSync(imageFile), decodeOptions, 0);
    } catch (error) {
      skip("unreadable image", `JPEGImages/${basename(imageFile)}: ${error instanceof SkipError ? error.message : (error as Error).message}`);
      continue;
    }
    const { sourceWidth, sourceHeight } = decoded;
    const size = child(annotation, "size");
    const declared = size ? [Number(child(size, "width")?.text), Number(child(size, "height")?.text)] : undefined;
    if (declared && declared.every((v) => v > 0) && (declared[0] !== sourceWidth || declared[1] !== sourceHeight)) {
      skip("size mismatch", `the annotation says ${declared[0]}×${declared[1]}, JPEGImages/${basename(imageFile)} is ${sourceWidth}×${sourceHeight}`);
      continue;
    }
    const objects: SceneObject[] = [];
    const names: string[] = [];
    let problem: { reason: VocSkip["reason"]; detail: string } | undefined;
    annotation.children.filter((c) => c.name === "object").forEach((object, n) => {
      if (problem) return;
      const name = child(object, "name")?.text ?? "";
      const box = child(object, "bndbox");
      const [xmin, ymin, xmax, ymax] = ["xmin", "ymin", "xmax", "ymax"].map((k) => (box ? Number(child(box, k)?.text) : NaN));
      const what = `object ${n + 1} ("${name}")`;
      if (classNames && !classNames.includes(name)) {
        problem = { reason: "unknown class", detail: `${what} is not a class of labels.txt (${classNames.join(", ")})` };
      } else if (![xmin, ymin, xmax, ymax].every(Number.isFinite)) {
        problem = { reason: "bad box", detail: `${what} has no complete <bndbox> with numeric xmin, ymin, xmax, ymax` };
      } else if (xmin < 1 || ymin < 1 || xmax > sourceWidth || ymax > sourceHeight) {
        problem = { reason: "box outside the image", detail: `${what}: box ${xmin},${ymin} to ${xmax},${ymax} reaches outside the ${sourceWidth}×${sourceHeight} image (VOC counts pixels from 1)` };
      } else if (xmax < xmin || ymax < ymin) {
        problem = { reason: "bad box", detail: `${what}: box ${xmin},${ymin} to ${xmax},${ymax} is empty (xmax < xmin or ymax < ymin)` };
      } else {
        if (child(object, "difficult")?.text === "1") difficult++;
        names.push(name);
        const sx = width / sourceWidth;
        const sy = height / sourceHeight;
        objects.push({ x1: (xmin - 1) * sx, y1: (ymin - 1) * sy, x2: xmax * sx, y2: ymax * sy, classIndex: -1 });
      }
    });
    if (problem) {
      skip(problem.reason, `${problem.detail}; the image is left out`);
      continue;
    }
    let mask: Uint8Array | undefined;
    const maskFile = join(root, "SegmentationClass", `${entry.id}.png`);
    if (existsSync(maskFile)) {
      try {
        mask = await readMask(maskFile, width, height);
      } catch (error) {
        notes.push(`SegmentationClass/${entry.id}.png could not be read (${(error as Error).message}); that image has no mask.`);
      }
    }
    kept.push({ id: entry.id, splits: entry.splits, pixels: decoded.pixels, objects, mask, names });
  }

  if (!classNames) {
    classNames = [...new Set(kept.flatMap((k) => k.names))].sort();
    notes.push(`There is no labels.txt; the classes are the object names found, sorted: ${classNames.join(", ") || "none"}.`);
  }
  if (difficult) notes.push(`${difficult} object(s) are marked difficult; they are kept as ordinary objects.`);
  const masked = kept.filter((k) => k.mask).length;
  if (masked > 0 && masked < kept.length) notes.push(`Only ${masked} of ${kept.length} images have a SegmentationClass mask, so the scene set has no masks.`);
  const names = classNames;
  for (const k of kept) k.objects.forEach((o, i) => (o.classIndex = names.indexOf(k.names[i])));

  // A scene in several sets (camera-capture's "Merge Sets") is stored once per set.
  const rows = kept.flatMap((k) => k.splits.map((split) => ({ k, split })));
  const area = width * height * channels;
  const pixels = new Uint8Array(rows.length * area);
  const masks = masked === kept.length && kept.length > 0 ? new Uint8Array(rows.length * width * height) : undefined;
  const splits: Record<SplitName, number[]> = { train: [], validation: [], test: [] };
  rows.forEach(({ k, split }, i) => {
    pixels.set(k.pixels, i * area);
    if (masks) masks.set(k.mask!, i * width * height);
    splits[split].push(i);
  });
  const shared = kept.filter((k) => new Set(k.splits).size > 1).length;
  if (shared) notes.push(`${shared} image(s) are in more than one of train, val and test (camera-capture's "Merge Sets"): results on their test split are not on unseen images.`);
  const name = options.name ?? basename(root);
  const report = new VocImportReport({
    name,
    folder: root,
    width,
    height,
    imageType,
    classNames: names,
    splitSizes: { train: splits.train.length, validation: splits.validation.length, test: splits.test.length },
    objects: kept.reduce((s, k) => s + k.objects.length * k.splits.length, 0),
    skipped,
    notes,
    seconds: (performance.now() - started) / 1000,
  });
  const dataset = new Dataset({
    name,
    shape: [height, width, channels],
    classNames: Array.from({ length: Math.max(0, ...rows.map((r) => r.k.objects.length)) + 1 }, (_, n) => `${n} object${n === 1 ? "" : "s"}`),
    pixels: new MemoryPixelStore(pixels, area),
    labels: Int32Array.from(rows, (r) => r.k.objects.length),
    splits: { train: Int32Array.from(splits.train), validation: Int32Array.from(splits.validation), test: Int32Array.from(splits.test) },
    source: { description: `Pascal VOC folder ${root}` },
    report,
  });
  return new SceneSet({
    dataset,
    classNames: names.length ? names : ["object"],
    objects: rows.map((r) => r.k.objects),
    masks,
    report,
    description: `Imported from the Pascal VOC folder ${root}, squashed to ${width}×${height} ${imageType}.`,
  });
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
