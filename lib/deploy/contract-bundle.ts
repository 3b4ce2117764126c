/**
 * Jetson bundles for a detector (detectnet) and a segmenter (segnet): the
 * ONNX model in jetson-inference's form, the label files those programs
 * read, and a README with the exact command lines.
 *
 * - detector: model.onnx, labels.txt (BACKGROUND first, as train_ssd.py
 *   writes it into a model folder: docs/pytorch-collect-detection.md line 96),
 *   README.md, bundle.json;
 * - segmenter: model.onnx, classes.txt, colors.txt (the names models.json
 *   gives segnet's own models' files), README.md, bundle.json.
 */
import { mkdirSync } from "node:fs";
import { basename, resolve } from "node:path";
import { DISPLAY, type MimeBundle } from "../display";
import { classColor } from "../charts";
import { type Segmenter, SingleShotDetector } from "../detect";
import { bundleWriter, type BundleFile } from "./bundle-files";
import type { ContractExport } from "./contract-export";
import { DETECTNET_DEFAULT_CLUSTERING, DETECTNET_DEFAULT_THRESHOLD } from "./jetson-inference/detectnet";
import { detectnetCommand, segnetCommand } from "./jetson-inference/commands";
import { colorsTxt } from "./jetson-inference/segnet";
import { toDetectorOnnx, toSegmenterOnnx } from "./export-contracts";
import { escapeHtml } from "../display/html";
import { describeInputContract } from "./input-transform";

export interface ContractBundleOptions {
  /** Name used in the README's title. Default: the model's name. */
  title?: string;
  /** ONNX opset. Default 13. */
  opset?: number;
}

export class ContractBundle {
  constructor(
    readonly dir: string,
    readonly files: BundleFile[],
    readonly exported: ContractExport,
    /** The command lines the README gives, by purpose. */
    readonly commands: Record<string, string>,
  ) {}

  [DISPLAY](): MimeBundle {
    const lines = this.files.map((f) => `${f.name.padEnd(12)} ${(f.bytes / 1024).toFixed(1).padStart(8)} KiB  ${f.description}`);
    const first = Object.values(this.commands)[0];
    return {
      "text/plain": `Jetson bundle (${this.exported.kind}) in ${this.dir}\n${lines.join("\n")}\nOn the Jetson: ${first}`,
      "text/html":
        `<p><b>Jetson bundle (${this.exported.kind}) in ${escapeHtml(this.dir)}</b></p><ul>` +
        this.files.map((f) => `<li><code>${escapeHtml(f.name)}</code> (${(f.bytes / 1024).toFixed(1)} KiB): ${escapeHtml(f.description)}</li>`).join("") +
        `</ul><p>On the Jetson:</p><pre>${escapeHtml(first)}</pre><p>See README.md in the bundle for more.</p>`,
    };
  }
}

export async function contractBundle(model: SingleShotDetector | Segmenter, dir: string, options: ContractBundleOptions = {}): Promise<ContractBundle> {
  const detector = model instanceof SingleShotDetector;
  const exported = detector ? toDetectorOnnx(model, { opset: options.opset }) : toSegmenterOnnx(model, { opset: options.opset });
  const badLabel = exported.labels.find((l) => l.length === 0 || /[\r\n]/.test(l) || /^n.{8} /.test(l));
  if (badLabel !== undefined) {
    // tensorNet::LoadClassLabels (c/tensorNet.cpp, lines 1997-2027) reads "nXXXXXXXX name" lines as synset + name.
    throw new Error(`Class name ${JSON.stringify(badLabel)} cannot be a line of the labels file (empty, several lines, or read by jetson-inference as a synset id).`);
  }
  const root = resolve(dir);
  mkdirSync(root, { recursive: true });
  const files: BundleFile[] = [];
  const write = bundleWriter(root, files);
  const title = options.title ?? model.model.name;
  const folder = basename(root);
  write("model.onnx", exported.bytes, `FP32 ONNX: ${exported.inputName} → ${exported.outputs.map((o) => `${o.name} [${o.shape.join(", ")}]`).join(", ")}`);
  let commands: Record<string, string>;
  if (detector) {
    write("labels.txt", exported.labels.join("\n") + "\n", `${exported.labels.length} class names, BACKGROUND first, one per score column`);
    commands = {
      "detect objects in an image (C++)": detectnetCommand("detectnet", "image.jpg", "output.jpg"),
      "detect objects in an image (Python)": detectnetCommand("detectnet.py", "image.jpg", "output.jpg"),
      "live camera (MIPI CSI; /dev/video0 for a USB webcam)": detectnetCommand("detectnet", "csi://0", "display://0"),
    };
  } else {
    write("classes.txt", exported.labels.join("\n") + "\n", `${exported.labels.length} class names, background first, one per output channel`);
    write("colors.txt", colorsTxt(["#000000", ...model.classNames.map((_, k) => classColor(k))]), "one colour (r g b) per class for segnet's overlay");
    commands = {
      "segment an image, overlay on it (C++)": segnetCommand("segnet", "image.jpg", "output.jpg"),
      "segment an image (Python)": segnetCommand("segnet.py", "image.jpg", "output.jpg"),
      "the mask alone": segnetCommand("segnet", "image.jpg", "mask.png", "--visualize=mask"),
      "live camera (MIPI CSI; /dev/video0 for a USB webcam)": segnetCommand("segnet", "csi://0", "display://0"),
    };
  }
  write("README.md", readme(title, exported, commands, folder), "how to run it on the Jetson");
  const manifest = {
    title,
    kind: exported.kind,
    program: detector ? "detectnet" : "segnet",
    input: { name: exported.inputName, shape: exported.inputShape, type: "float32", layout: "NCHW" },
    outputs: exported.outputs,
    labels: exported.labels,
    opset: exported.model.opset_import[0].version,
    preprocessing: exported.contract,
    commands,
    files: files.map((f) => ({ name: f.name, bytes: f.bytes, sha256: f.sha256 })),
  };
  write("bundle.json", JSON.stringify(manifest, null, 2) + "\n", "machine-readable summary: tensor names, shapes, preprocessing, commands, checksums");
  return new ContractBundle(root, files, exported, commands);
}

function readme(title: string, exported: ContractExport, commands: Record<string, string>, folder: string): string {
  const detector = exported.kind === "detector";
  const [, , height, width] = exported.inputShape;
  const program = detector ? "detectnet" : "segnet";
  const device = exported.contract.device!;
  const lines = [
    `# ${title}: Jetson bundle for ${program}`,
    "",
    "Written by convlab's `jetsonBundle`. Files:",
    "",
    `- \`model.onnx\`: the network (ONNX opset ${exported.model.opset_import[0].version}, FP32). Input \`${exported.inputName}\`: float32 [${exported.inputShape.join(", ")}] (NCHW).`,
    ...exported.outputs.map((o) => `  Output \`${o.name}\`: float32 [${o.shape.join(", ")}], ${o.meaning}.`),
    detector
      ? `- \`labels.txt\`: ${exported.labels.length} class names, line *n* naming score column *n*; line 1 is BACKGROUND, as in the labels.txt that pytorch-ssd's train_ssd.py writes into a model folder.`
      : `- \`classes.txt\`: ${exported.labels.length} class names, line *n* naming output channel *n* (background first); \`colors.txt\`: the overlay colour of each class, "r g b".`,
    "- `bundle.json`: tensor names, shapes, preprocessing, the commands below and SHA-256 checksums.",
    "",
    "## 1. Copy the bundle to the Jetson",
    "",
    "```bash",
    `scp -r ${folder} nvidia@jetson.local:~/`,
    "```",
    "",
    `Work inside that folder on the Jetson: jetson-inference saves the TensorRT engine it builds next to \`model.onnx\`, so the folder must be writable. In jetson-inference's container, mount it: \`docker/run.sh --volume ~/${folder}:/${folder}\`.`,
    "",
    `## 2. Run ${program}`,
    "",
    detector
      ? "The blob flags are required: detectnet's defaults (`data`, `coverage`, `bboxes`) are the names of Caffe models. These are the names jetson-inference's own pytorch-ssd tutorial uses (docs/pytorch-ssd.md)."
      : "The blob flags name the tensors explicitly; `input_0` and `output_0` are also segnet's defaults (c/segNet.h).",
    "",
    "```bash",
    ...Object.entries(commands).flatMap(([what, command]) => [`# ${what}`, command, ""]),
    "```",
    "",
    "The first run builds a TensorRT engine from `model.onnx` (this can take minutes) and caches it; later runs start at once.",
    ...(detector
      ? [
          "",
          `detectnet keeps boxes whose best class (BACKGROUND aside) scores at least ${DETECTNET_DEFAULT_THRESHOLD} (\`--threshold\`), and merges boxes of the same class that overlap by more than ${DETECTNET_DEFAULT_CLUSTERING} of the larger one into one box covering both (\`--clustering\`): c/detectNet.cpp, postProcessSSD_ONNX and clusterDetections. convlab's \`verifyOnnx\` reads the model's output exactly that way.`,
        ]
      : []),
    "",
    `## 3. What the model expects, and what ${program} gives it`,
    "",
    `${program} prepares every frame for an ONNX model this way (c/${detector ? "detectNet.cpp, preProcess" : "segNet.cpp, Process"}, calling \`cudaTensorNormMeanRGB\` in c/tensorConvert.cu): it squashes the frame to the network's ${width}×${height} with nearest-neighbour sampling (no cropping), converts it to planar RGB float, and computes per channel ((pixel / 255) − mean) / std with mean (${device.mean.join(", ")}) and std (${device.std.join(", ")}).`,
    "",
    describeInputContract(exported.contract),
    "",
    `So feed it ordinary photos or camera frames and do not normalize them yourself. The model learnt from ${width}×${height} scenes of light digits on a dark background: it finds things that look like that (digits written in white on a black board, say), not objects in everyday photos.`,
    "",
    "## 4. TensorRT directly (trtexec)",
    "",
    "```bash",
    "/usr/src/tensorrt/bin/trtexec --onnx=model.onnx --saveEngine=model.engine --fp16",
    "```",
    "",
    `Tensor names for your own TensorRT code: \`${exported.inputName}\` in, ${exported.outputs.map((o) => `\`${o.name}\``).join(" and ")} out; the batch size is fixed at 1.`,
    "",
  ];
  return lines.join("\n");
}
