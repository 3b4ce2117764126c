/**
 * exportVoc: scenes written as a Pascal VOC folder, the layout jetson-
 * inference's camera-capture writes and train_ssd.py --dataset-type=voc
 * reads (see import.ts), so the same data can train pytorch-ssd on a Jetson
 * or come back with importVocFolder. Annotations follow camera-capture's
 * (controlDetection.cpp, saveFrame): filename, folder, source, size,
 * segmented, then per object name, pose, truncated, difficult and an integer
 * bndbox counted from 1.
 *
 * Images are PNG by default (lossless, so a round trip gives the same
 * pixels; voc_dataset.py accepts .png in JPEGImages/), or JPEG. Masks go to
 * SegmentationClass/ as gray PNGs of class indices (0 background, k + 1
 * class k).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { loadSharp } from "../../../display/sharp";
import { SPLIT_NAMES, type SplitName } from "../../dataset";
import type { SceneSet } from "../../scenes/scene-set";
import { escapeXml } from "./xml";

export interface ExportVocOptions {
  /** "png" (default, lossless) or "jpg" (what camera-capture writes; lossy). */
  format?: "png" | "jpg";
  /** JPEG quality. Default 95. */
  quality?: number;
}

export interface VocExport {
  dir: string;
  images: number;
  objects: number;
  /** Image ids per VOC image set. */
  sets: Record<"train" | "val" | "test", string[]>;
  masks: boolean;
}

/** VOC's name for each convlab split. */
const SET_NAME: Record<SplitName, "train" | "val" | "test"> = { train: "train", validation: "val", test: "test" };

export async function exportVoc(scenes: SceneSet, dir: string, options: ExportVocOptions = {}): Promise<VocExport> {
  const sharp = await loadSharp();
  const root = resolve(dir);
  const format = options.format ?? "png";
  if (format !== "png" && format !== "jpg") throw new Error(`exportVoc: format must be "png" or "jpg" (got ${JSON.stringify(format)}).`);
  for (const sub of ["Annotations", "JPEGImages", join("ImageSets", "Main"), ...(scenes.masks ? ["SegmentationClass", join("ImageSets", "Segmentation")] : [])]) {
    mkdirSync(join(root, sub), { recursive: true });
  }
  const bad = scenes.classNames.find((n) => /[\r\n]/.test(n) || n.trim() !== n || n.length === 0);
  if (bad !== undefined) throw new Error(`exportVoc: class name ${JSON.stringify(bad)} cannot be a line of labels.txt.`);
  writeFileSync(join(root, "labels.txt"), scenes.classNames.join("\n") + "\n");
  const sets: VocExport["sets"] = { train: [], val: [], test: [] };
  const digits = String(Math.max(1, scenes.dataset.pixels.count - 1)).length;
  let objects = 0;
  const { width, height, channels } = scenes;
  for (const split of SPLIT_NAMES) {
    for (const index of scenes.indices(split)) {
      const id = String(index).padStart(Math.max(6, digits), "0");
      const scene = await scenes.sceneAt(index);
      const image = sharp(Buffer.from(scene.pixels), { raw: { width, height, channels: channels as 1 | 3 } });
      const file = `${id}.${format}`;
      await (format === "png" ? image.png() : image.jpeg({ quality: options.quality ?? 95 })).toFile(join(root, "JPEGImages", file));
      if (scene.mask) await sharp(Buffer.from(scene.mask), { raw: { width, height, channels: 1 } }).png().toFile(join(root, "SegmentationClass", `${id}.png`));
      writeFileSync(join(root, "Annotations", `${id}.xml`), annotationXml(scenes, scene.objects, file, basename(root)));
      objects += scene.objects.length;
      sets[SET_NAME[split]].push(id);
    }
  }
  const writeSet = (folder: string, name: string, ids: string[]) => writeFileSync(join(root, "ImageSets", folder, `${name}.txt`), ids.map((id) => id + "\n").join(""));
  for (const folder of ["Main", ...(scenes.masks ? ["Segmentation"] : [])]) {
    writeSet(folder, "train", sets.train);
    writeSet(folder, "val", sets.val);
    writeSet(folder, "test", sets.test);
    writeSet(folder, "trainval", [...sets.train, ...sets.val]);
  }
  return { dir: root, images: sets.train.length + sets.val.length + sets.test.length, objects, sets, masks: scenes.masks !== undefined };
}

function annotationXml(scenes: SceneSet, objects: SceneSet["objects"][number], file: string, folder: string): string {
  const lines = [
    "<annotation>",
    `\t<filename>${escapeXml(file)}</filename>`,
    `\t<folder>${escapeXml(folder)}</folder>`,
    "\t<source>",
    `\t\t<database>${escapeXml(folder)}</database>`,
    "\t\t<annotation>custom</annotation>",
    "\t\t<image>custom</image>",
    "\t</source>",
    "\t<size>",
    `\t\t<width>${scenes.width}</width>`,
    `\t\t<height>${scenes.height}</height>`,
    `\t\t<depth>${scenes.channels}</depth>`,
    "\t</size>",
    `\t<segmented>${scenes.masks ? 1 : 0}</segmented>`,
  ];
  for (const o of objects) {
    // Edges to VOC's 1-based inclusive pixels: the first pixel is x1 + 1, the last x2.
    const xmin = Math.max(1, Math.round(o.x1) + 1);
    const ymin = Math.max(1, Math.round(o.y1) + 1);
    const xmax = Math.min(scenes.width, Math.round(o.x2));
    const ymax = Math.min(scenes.height, Math.round(o.y2));
    lines.push(
      "\t<object>",
      `\t\t<name>${escapeXml(scenes.classNames[o.classIndex])}</name>`,
      "\t\t<pose>unspecified</pose>",
      "\t\t<truncated>0</truncated>",
      "\t\t<difficult>0</difficult>",
      "\t\t<bndbox>",
      `\t\t\t<xmin>${xmin}</xmin>`,
      `\t\t\t<ymin>${ymin}</ymin>`,
      `\t\t\t<xmax>${xmax}</xmax>`,
      `\t\t\t<ymax>${ymax}</ymax>`,
      "\t\t</bndbox>",
      "\t</object>",
    );
  }
  lines.push("</annotation>", "");
  return lines.join("\n");
}
