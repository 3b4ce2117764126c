/**
 * rehearseOnDevice: runs a Jetson bundle on image files exactly as
 * jetson-inference would, with onnxruntime standing in for TensorRT:
 *
 * 1. the file is read as jetson-utils' loadImage reads it (RGB8: alpha
 *    dropped, EXIF ignored; jetson-inference/load-image.ts);
 * 2. squashed to the network's input with nearest-neighbour sampling and
 *    normalized as imagenet or detectnet does for ONNX models
 *    (jetson-inference/preprocess.ts, from c/tensorConvert.cu);
 * 3. the network runs on that tensor (batch 1);
 * 4. the result is what imagenet prints (top-1 over the 0.01 threshold,
 *    confidence in percent) or what detectnet reports (boxes in the image's
 *    own pixels, clustered, sorted by area), per image.
 *
 * With `compare`, the same files also go through the notebook's pipeline
 * (the training preprocessing, then the tfjs model), so every difference
 * between notebook and device shows up here rather than on the Jetson.
 */
import { readFileSync, readdirSync, statSync } from "node:fs";
import { basename, dirname, extname, join, resolve } from "node:path";
import * as tf from "@tensorflow/tfjs";
import * as ort from "onnxruntime-node";
import { DISPLAY, MimeBundle } from "../display";
import { type Dataset, normalizePixels } from "../data";
import type { ImportReportData } from "../data/sources";
import { decodeImage } from "../data/sources/image-folder/decode";
import { escapeHtml, htmlTable, textTable } from "../display/html";
import type { ContractBundle } from "./contract-bundle";
import type { JetsonBundle } from "./jetson-bundle";
import { sessionOptions } from "./onnx-runner";
import { decodeModel } from "./onnx/proto";
import { readmeCommands } from "./jetson-inference/commands";
import { Detection, DetectnetOptions, detectnetDetect, detectnetLines } from "./jetson-inference/detectnet";
import { IMAGENET_DEFAULT_THRESHOLD, imagenetClassify } from "./jetson-inference/imagenet";
import { labelsForOutputs, parseLabelsLikeJetson } from "./jetson-inference/labels";
import { loadImageLikeJetson } from "./jetson-inference/load-image";
import { JetsonProgram, NetworkDescription, describeNetwork } from "./jetson-inference/network";
import { DETECTNET_PREPROCESSING, IMAGENET_PREPROCESSING, RgbImage, tensorNormMeanRGB } from "./jetson-inference/preprocess";
import { softmaxRows, tfjsPredict } from "./samples";
import { argMaxRows } from "../evaluate";

/** An image given directly instead of as a file. */
export interface NamedRgbImage extends RgbImage {
  name: string;
}

export interface RehearseOptions {
  /** imagenet's --threshold (default 0.01) or detectnet's (default 0.5). */
  threshold?: number;
  /** detectnet's --clustering. Default 0.75. */
  clustering?: number;
  /**
   * Also run the notebook's pipeline on the same images: the tfjs `model` on
   * either the `dataset`'s own preprocessing (an importImageFolder dataset:
   * its resize, colour mode and normalization) or ready-made `inputs`, one row
   * per image in the same order, exactly as the model takes them.
   */
  compare?: { model: tf.LayersModel; dataset: Dataset } | { model: tf.LayersModel; inputs: tf.Tensor4D };
  /** onnxruntime intra-op threads. Default: onnxruntime's choice. */
  threads?: number;
}

export interface RehearsalRow {
  /** File path (relative to the folder given) or image name. */
  image: string;
  width: number;
  height: number;
  /** The class the folder names, when the image sits in a folder named after a label ("_" read as a space, as importImageFolder does). */
  expected?: number;
  /** imagenet: top-1 (-1: under the threshold, nothing printed), its confidence, the printed line. */
  classIndex?: number;
  label?: string;
  confidence?: number;
  /** The network's whole output (imagenet), as the device computes it. */
  probabilities?: Float32Array;
  /** detectnet: the detections it reports. */
  detections?: Detection[];
  /** What the program prints for this image. */
  lines: string[];
  /** With `compare`: the notebook's top-1 and probabilities. */
  notebook?: { classIndex: number; probabilities: Float32Array };
}

export class Rehearsal {
  constructor(
    readonly program: JetsonProgram,
    readonly modelFile: string,
    readonly labels: string[],
    readonly rows: RehearsalRow[],
    readonly inputSize: { width: number; height: number },
  ) {}

  /** Share of images whose device top-1 equals the notebook's (needs `compare`). */
  get top1Agreement(): number | undefined {
    const compared = this.rows.filter((r) => r.notebook);
    if (compared.length === 0) return undefined;
    return compared.filter((r) => r.notebook!.classIndex === r.classIndex).length / compared.length;
  }

  /** Largest |device − notebook| over every probability (needs `compare`). */
  get maxAbsDiff(): number | undefined {
    const compared = this.rows.filter((r) => r.notebook && r.probabilities);
    if (compared.length === 0) return undefined;
    let max = 0;
    for (const r of compared) {
      for (let k = 0; k < r.probabilities!.length; k++) {
        const d = Math.abs(r.probabilities![k] - r.notebook!.probabilities[k]);
        if (!(d <= max)) max = d;
      }
    }
    return max;
  }

  /** Share of images whose device top-1 is the class their folder names (imagenet, when known). */
  get accuracy(): number | undefined {
    const known = this.rows.filter((r) => r.expected !== undefined);
    if (known.length === 0 || this.program !== "imagenet") return undefined;
    return known.filter((r) => r.classIndex === r.expected).length / known.length;
  }

  /** Rows where the device and the notebook disagree on the class. */
  get disagreements(): RehearsalRow[] {
    return this.rows.filter((r) => r.notebook && r.notebook.classIndex !== r.classIndex);
  }

  get summary(): string {
    const parts = [`${this.program} on ${this.rows.length} image(s), ${basename(this.modelFile)} squashed to ${this.inputSize.width}×${this.inputSize.height}`];
    const accuracy = this.accuracy;
    if (accuracy !== undefined) parts.push(`device top-1 right for ${(100 * accuracy).toFixed(1)}% (class from the folder name)`);
    const agreement = this.top1Agreement;
    if (agreement !== undefined) parts.push(`same top-1 as the notebook for ${(100 * agreement).toFixed(1)}%, probabilities within ${this.maxAbsDiff!.toExponential(1)}`);
    return parts.join("; ") + ".";
  }

  private tableRows(limit: number): (string | number)[][] {
    return this.rows.slice(0, limit).map((r) => {
      const row: (string | number)[] = [r.image, `${r.width}×${r.height}`, r.detections ? describeDetections(r.detections) : r.lines.join(" / ") || "(nothing: no class over the threshold)"];
      if (this.rows.some((x) => x.expected !== undefined)) row.push(r.expected === undefined ? "" : this.labels[r.expected]);
      if (this.rows.some((x) => x.notebook)) row.push(r.notebook ? `${this.labels[r.notebook.classIndex]} ${(100 * r.notebook.probabilities[r.notebook.classIndex]).toFixed(2)}%${r.notebook.classIndex === r.classIndex ? "" : " ✗"}` : "");
      return row;
    });
  }

  private header(): string[] {
    const header = ["image", "size", `what ${this.program} prints`];
    if (this.rows.some((x) => x.expected !== undefined)) header.push("folder");
    if (this.rows.some((x) => x.notebook)) header.push("notebook (tfjs)");
    return header;
  }

  toString(): string {
    return `${this.summary}\n${textTable(this.header(), this.tableRows(this.rows.length))}`;
  }

  [DISPLAY](): MimeBundle {
    const limit = 20;
    const more = this.rows.length > limit ? `<p>First ${limit} of ${this.rows.length} images; the result holds them all (rehearsal.rows).</p>` : "";
    return { "text/plain": this.toString(), "text/html": `<p><b>${escapeHtml(this.summary)}</b></p>${htmlTable(this.header(), this.tableRows(limit))}${more}` };
  }
}

/** "3 objects: cat 91% (12, 40)–(80, 120), …" for a table cell; rows[i].lines holds detectnet's full report. */
function describeDetections(detections: Detection[]): string {
  const shown = detections.slice(0, 3).map((d) => `${d.label} ${(100 * d.confidence).toFixed(0)}% (${Math.round(d.left)}, ${Math.round(d.top)})–(${Math.round(d.right)}, ${Math.round(d.bottom)})`);
  return `${detections.length} object${detections.length === 1 ? "" : "s"}${shown.length ? `: ${shown.join(", ")}${detections.length > 3 ? ", …" : ""}` : ""}`;
}

const IMAGE_FILE = /\.(jpe?g|png|bmp|gif|tga)$/i;

/** Runs the bundle (a classifier's or a detector's, or its folder) on `images` (a folder, file paths, or RGB images) as jetson-inference would. */
export async function rehearseOnDevice(bundle: string | JetsonBundle | ContractBundle, images: string | (string | NamedRgbImage)[], options: RehearseOptions = {}): Promise<Rehearsal> {
  const dir = resolve(typeof bundle === "string" ? bundle : bundle.dir);
  const { modelFile, labelsFile } = bundleFiles(dir);
  const model = decodeModel(readFileSync(modelFile));
  const network = describeNetwork(model);
  if (!network.program) throw new Error(`${basename(modelFile)}'s outputs fit none of jetson-inference's programs; run checkJetsonBundle on the folder to see why.`);
  if (network.program === "segnet") {
    throw new Error("rehearseOnDevice runs imagenet and detectnet bundles; for a segnet bundle, verifyOnnx on the segmenter compares onnxruntime fed as segnet feeds it with tfjs.");
  }
  const [, channels, height, width] = network.inputs[0]?.dims ?? [];
  if (channels !== 3 || typeof height !== "number" || typeof width !== "number" || height <= 0 || width <= 0) {
    throw new Error(`${basename(modelFile)}'s input is not [1, 3, height, width] with fixed sizes, so jetson-inference could not feed it; run checkJetsonBundle on the folder to see why.`);
  }
  const parsedLabels = parseLabelsLikeJetson(readFileSync(labelsFile, "utf8"));
  const { labels, problem } = labelsForOutputs(parsedLabels, network.classes as number);
  if (problem === "too many") throw new Error(`${basename(labelsFile)} has more labels than the network has classes; imagenet would refuse to start. Run checkJetsonBundle for details.`);

  const sources = listImages(images);
  if (sources.length === 0) throw new Error("No images to rehearse with: give a folder of image files, a list of files, or RGB images.");
  const session = await ort.InferenceSession.create(readFileSync(modelFile), sessionOptions({ threads: options.threads }));
  const rows: RehearsalRow[] = [];
  try {
    for (const source of sources) {
      const image = typeof source.image === "string" ? await loadImageLikeJetson(source.image) : source.image;
      const row = await runOne(session, network, image, width, height, labels, options);
      rows.push({ image: source.name, width: image.width, height: image.height, expected: expectedClass(source.folder, labels, network.program), ...row });
    }
  } finally {
    await session.release();
  }
  if (options.compare) {
    if (network.program !== "imagenet") throw new Error("compare works for classifiers (imagenet bundles); for detectors, compare the boxes with your detector's own predictions.");
    const appendedSoftmax = model.metadata_props?.some((p) => p.key === "convlab.appended_softmax" && p.value === "true") ?? false;
    await compareWithNotebook(rows, sources, options.compare, appendedSoftmax);
  }
  return new Rehearsal(network.program, modelFile, labels, rows, { width, height });
}

function bundleFiles(dir: string): { modelFile: string; labelsFile: string } {
  let readme = "";
  try {
    readme = readFileSync(join(dir, "README.md"), "utf8");
  } catch {
    // No README: the usual names.
  }
  const command = readmeCommands(readme).find((c) => c.program !== "trtexec");
  const modelFile = join(dir, basename(command?.flags.get("model") || "model.onnx"));
  const labelsFile = join(dir, basename(command?.flags.get("labels") || "labels.txt"));
  for (const file of [modelFile, labelsFile]) {
    try {
      statSync(file);
    } catch {
      throw new Error(`The bundle in ${dir} has no ${basename(file)}. Pass the folder jetsonBundle wrote.`);
    }
  }
  return { modelFile, labelsFile };
}

interface ImageSource {
  name: string;
  image: string | RgbImage;
  /** The name of the folder holding the file. */
  folder?: string;
}

function listImages(images: string | (string | NamedRgbImage)[]): ImageSource[] {
  if (typeof images === "string") {
    const root = resolve(images);
    if (!statSync(root).isDirectory()) return [{ name: basename(root), image: root, folder: basename(dirname(root)) }];
    const found: ImageSource[] = [];
    const walk = (folder: string) => {
      for (const entry of readdirSync(folder).sort()) {
        const path = join(folder, entry);
        if (statSync(path).isDirectory()) walk(path);
        else if (IMAGE_FILE.test(extname(entry))) found.push({ name: path.slice(root.length + 1), image: path, folder: basename(folder) });
      }
    };
    walk(root);
    return found;
  }
  return images.map((item) =>
    typeof item === "string" ? { name: item, image: resolve(item), folder: basename(dirname(resolve(item))) } : { name: item.name, image: item },
  );
}

function expectedClass(folder: string | undefined, labels: string[], program: JetsonProgram): number | undefined {
  if (!folder || program !== "imagenet") return undefined;
  // importImageFolder turns "_" in a folder's name into a space in the class name.
  const index = [folder, folder.replace(/_/g, " ")].map((name) => labels.indexOf(name)).find((i) => i >= 0);
  return index;
}

async function runOne(
  session: ort.InferenceSession,
  network: NetworkDescription,
  image: RgbImage,
  width: number,
  height: number,
  labels: string[],
  options: RehearseOptions,
): Promise<Omit<RehearsalRow, "image" | "width" | "height">> {
  const preprocessing = network.program === "imagenet" ? IMAGENET_PREPROCESSING : DETECTNET_PREPROCESSING;
  const input = tensorNormMeanRGB(image, width, height, preprocessing);
  const outputs = await session.run({ [network.inputs[0].name]: new ort.Tensor("float32", input, [1, 3, height, width]) });
  if (network.program === "imagenet") {
    const probabilities = Float32Array.from(outputs[network.outputs[0].name].data as Float32Array);
    const result = imagenetClassify(probabilities, labels, options.threshold ?? IMAGENET_DEFAULT_THRESHOLD);
    return { classIndex: result.classIndex, label: result.label, confidence: result.confidence, probabilities, lines: result.line ? [result.line] : [] };
  }
  const detectOptions: DetectnetOptions = { threshold: options.threshold, clustering: options.clustering };
  const detections = detectnetDetect(
    outputs[network.scoresOutput as string].data as Float32Array,
    outputs[network.boxesOutput as string].data as Float32Array,
    network.classes as number,
    labels,
    image.width,
    image.height,
    detectOptions,
  );
  return { detections, lines: detectnetLines(detections) };
}

/** The notebook's side: the training preprocessing of the same images, then tfjs. */
async function compareWithNotebook(rows: RehearsalRow[], sources: ImageSource[], compare: NonNullable<RehearseOptions["compare"]>, appendedSoftmax: boolean): Promise<void> {
  let inputs: tf.Tensor4D;
  let owned = false;
  if ("inputs" in compare) {
    inputs = compare.inputs;
    if (inputs.shape[0] !== rows.length) throw new Error(`compare.inputs has ${inputs.shape[0]} images for ${rows.length} rehearsed; give one row per image, in the same order.`);
  } else {
    inputs = await trainingInputs(sources, compare.dataset);
    owned = true;
  }
  try {
    const classes = rows[0].probabilities?.length ?? 0;
    let predictions = tfjsPredict(compare.model, inputs.dataSync() as Float32Array, inputs.shape);
    if (predictions.length !== classes * rows.length) throw new Error(`The tfjs model gives ${predictions.length / rows.length} outputs per image but the bundle ${classes}: is the bundle made from this model?`);
    // The export adds a softmax when the model ends in logits; the notebook's side needs it too.
    predictions = appendedSoftmax ? softmaxRows(predictions, rows.length) : Float32Array.from(predictions);
    const top1 = argMaxRows(predictions, rows.length);
    rows.forEach((row, i) => (row.notebook = { classIndex: top1[i], probabilities: predictions.slice(i * classes, (i + 1) * classes) }));
  } finally {
    if (owned) inputs.dispose();
  }
}

/** Each file through the dataset's import options and normalization, as training saw it. */
async function trainingInputs(sources: ImageSource[], dataset: Dataset): Promise<tf.Tensor4D> {
  const report = dataset.report as ImportReportData | undefined;
  if (!report?.options) throw new Error("compare.dataset must come from importImageFolder (it needs the import's resize and colour mode); otherwise pass compare.inputs.");
  const [height, width, channels] = dataset.shape;
  const per = height * width * channels;
  const pixels = new Uint8Array(sources.length * per);
  for (let i = 0; i < sources.length; i++) {
    const source = sources[i];
    if (typeof source.image !== "string") throw new Error("compare.dataset needs image files; for RGB images pass compare.inputs.");
    const decoded = await decodeImage(readFileSync(source.image), report.options, 0);
    pixels.set(decoded.pixels, i * per);
  }
  return tf.tensor4d(normalizePixels(pixels, dataset.shape, dataset.normalization), [sources.length, height, width, channels]);
}
