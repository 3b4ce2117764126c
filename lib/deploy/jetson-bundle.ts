/**
 * jetsonBundle: everything a Jetson needs to run the trained classifier with
 * jetson-inference's imagenet (C++ or Python) or with TensorRT directly.
 *
 * The four usual failures are designed out:
 * - the blob names: the README's commands pass --input_blob=input_0 --output_blob=output_0;
 * - labels.txt: written from the model's classes, one per output, checked against the output size;
 * - preprocessing: jetson-inference feeds ONNX models RGB as ((pixel / 255) − ImageNet mean) / ImageNet std;
 *   the graph inverts that and applies the training normalization (and turns RGB into gray for
 *   one-channel models), so the network sees what it saw in training;
 * - INT8: an optional Q/DQ model whose ranges were calibrated on real images, for trtexec --int8,
 *   instead of jetson-inference's own INT8 path, which uses random calibration.
 */
import { mkdirSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import type * as tf from "@tensorflow/tfjs";
import { DISPLAY, MimeBundle } from "../display";
import { OnnxExport, toOnnx } from "./export-onnx";
import { escapeHtml } from "../display/html";
import { DevicePreprocessing, InputNormalization, JETSON_INFERENCE_PREPROCESSING, LUMA_WEIGHTS, describeNormalization } from "./input-transform";
import { Int8Options, quantizeInt8 } from "./quantize-int8";
import { OnnxModelFile } from "./quantized-model";
import { LabelledSamples } from "./samples";
import { Segmenter, SingleShotDetector } from "../detect";
import { ContractBundle, contractBundle, type ContractBundleOptions } from "./contract-bundle";
import { bundleWriter, type BundleFile } from "./bundle-files";

export interface JetsonBundleOptions {
  /** Class names in output order; their count must equal the model's outputs. */
  labels: string[];
  /**
   * How training turned 0–255 pixels into model input, e.g. `{ scale: 1 / 255 }`
   * for pixels in 0–1. Required: a wrong guess here is the most common reason a
   * model that worked in the notebook fails on the device.
   */
  normalization: InputNormalization;
  /** What the device feeds the graph. Default: jetson-inference's imageNet for ONNX models. */
  device?: DevicePreprocessing;
  /** Also write model_int8.onnx (Q/DQ, calibrated on these images) for TensorRT INT8. */
  int8Calibration?: LabelledSamples;
  int8?: Int8Options;
  /** Name used in the README's title. Default: the model's name. */
  title?: string;
  /** ONNX opset. Default 13. */
  opset?: number;
}

export type { BundleFile };

export class JetsonBundle {
  constructor(
    readonly dir: string,
    readonly files: BundleFile[],
    readonly exported: OnnxExport,
    readonly int8?: OnnxModelFile,
  ) {}

  get readmePath(): string {
    return join(this.dir, "README.md");
  }

  [DISPLAY](): MimeBundle {
    const lines = this.files.map((f) => `${f.name.padEnd(16)} ${(f.bytes / 1024).toFixed(1).padStart(8)} KiB  ${f.description}`);
    const command = imagenetCommand("imagenet", "image.jpg", "output.jpg");
    return {
      "text/plain": `Jetson bundle in ${this.dir}\n${lines.join("\n")}\nOn the Jetson: ${command}`,
      "text/html":
        `<p><b>Jetson bundle in ${escapeHtml(this.dir)}</b></p><ul>` +
        this.files.map((f) => `<li><code>${escapeHtml(f.name)}</code> (${(f.bytes / 1024).toFixed(1)} KiB): ${escapeHtml(f.description)}</li>`).join("") +
        `</ul><p>On the Jetson:</p><pre>${escapeHtml(command)}</pre><p>See README.md in the bundle for TensorRT and INT8.</p>`,
    };
  }
}

function imagenetCommand(program: string, input: string, output: string, model = "model.onnx"): string {
  return `${program} --model=${model} --labels=labels.txt --input_blob=input_0 --output_blob=output_0 ${input} ${output}`;
}

/**
 * Writes model.onnx, labels.txt, README.md and bundle.json (and
 * model_int8.onnx) into `dir` for imagenet. A SingleShotDetector gets a
 * bundle for detectnet, a Segmenter one for segnet (contract-bundle.ts).
 */
export async function jetsonBundle(model: SingleShotDetector | Segmenter, dir: string, options?: ContractBundleOptions): Promise<ContractBundle>;
export async function jetsonBundle(model: tf.LayersModel, dir: string, options: JetsonBundleOptions): Promise<JetsonBundle>;
export async function jetsonBundle(
  model: tf.LayersModel | SingleShotDetector | Segmenter,
  dir: string,
  options?: JetsonBundleOptions | ContractBundleOptions,
): Promise<JetsonBundle | ContractBundle> {
  if (model instanceof SingleShotDetector || model instanceof Segmenter) return contractBundle(model, dir, options as ContractBundleOptions);
  return classifierBundle(model, dir, options as JetsonBundleOptions);
}

async function classifierBundle(model: tf.LayersModel, dir: string, options: JetsonBundleOptions): Promise<JetsonBundle> {
  if (!options || !options.normalization) {
    throw new Error(
      "jetsonBundle needs `normalization`: how training turned 0–255 pixels into the model's input, e.g. { scale: 1 / 255 } " +
        "for pixels in 0–1, or { scale: 1 / 255, mean: [...], std: [...] }. The bundle uses it so the device's preprocessing matches training.",
    );
  }
  const labels = options.labels;
  if (!Array.isArray(labels) || labels.length === 0) throw new Error("jetsonBundle needs `labels`: the class names in output order.");
  const badLabel = labels.findIndex((l) => typeof l !== "string" || l.length === 0 || /[\r\n]/.test(l));
  if (badLabel >= 0) throw new Error(`Label ${badLabel} (${JSON.stringify(labels[badLabel])}) must be a non-empty single-line string: labels.txt has one label per line.`);
  const device = options.device ?? JETSON_INFERENCE_PREPROCESSING;
  const exported = toOnnx(model, { normalization: options.normalization, device, labels, opset: options.opset, dynamicBatch: false });

  const root = resolve(dir);
  mkdirSync(root, { recursive: true });
  const files: BundleFile[] = [];
  const write = bundleWriter(root, files);

  write("model.onnx", exported.bytes, "FP32 ONNX, input_0 [1, C, H, W] → output_0 softmax probabilities");
  write("labels.txt", labels.join("\n") + "\n", `${labels.length} class labels, one per line, in output order`);
  let int8: OnnxModelFile | undefined;
  if (options.int8Calibration) {
    int8 = await quantizeInt8(exported, options.int8Calibration, options.int8);
    write("model_int8.onnx", int8.bytes, "INT8 Q/DQ ONNX for TensorRT (trtexec --int8), calibrated on real images");
  }
  const title = options.title ?? model.name ?? "model";
  write("README.md", readme(title, exported, device, int8, basename(root)), "how to run it on the Jetson");
  const manifest = {
    title,
    input: { name: exported.inputName, shape: exported.inputShape, type: "float32", layout: "NCHW" },
    output: { name: exported.outputName, shape: exported.outputShape, type: "float32", meaning: "softmax probabilities" },
    labels: labels.length,
    opset: exported.model.opset_import[0].version,
    preprocessing: exported.contract,
    files: files.map((f) => ({ name: f.name, bytes: f.bytes, sha256: f.sha256 })),
  };
  write("bundle.json", JSON.stringify(manifest, null, 2) + "\n", "machine-readable summary: tensor names, shapes, preprocessing, checksums");
  return new JetsonBundle(root, files, exported, int8);
}

function readme(title: string, exported: OnnxExport, device: DevicePreprocessing, int8: OnnxModelFile | undefined, folder: string): string {
  const [, channels, height, width] = exported.inputShape as number[];
  const c = exported.contract;
  const gray = c.modelChannels === 1 && c.inputChannels === 3;
  const lines = [
    `# ${title}: Jetson bundle`,
    "",
    "Written by convlab's `jetsonBundle`. Files:",
    "",
    `- \`model.onnx\`: the network (ONNX opset ${exported.model.opset_import[0].version}, FP32). Input \`${exported.inputName}\`: float32 [1, ${channels}, ${height}, ${width}] (NCHW). Output \`${exported.outputName}\`: float32 [${exported.outputShape.join(", ")}], softmax probabilities.`,
    `- \`labels.txt\`: ${exported.outputShape[1]} class names, one per line, line *n* naming output *n*.`,
    ...(int8 ? ["- `model_int8.onnx`: the same network with INT8 quantize/dequantize nodes (TensorRT explicit quantization), calibrated on real training images."] : []),
    "- `bundle.json`: tensor names, shapes, preprocessing and SHA-256 checksums.",
    "",
    "## 1. Copy the bundle to the Jetson",
    "",
    "From this machine (replace the user and address with your Jetson's):",
    "",
    "```bash",
    `scp -r ${folder} nvidia@jetson.local:~/`,
    "```",
    "",
    `or \`rsync -av ${folder}/ nvidia@jetson.local:~/${folder}/\`. On the Jetson, work inside that folder: jetson-inference saves the TensorRT engine it builds next to \`model.onnx\`, so the folder must be writable. If you use jetson-inference's container, mount it: \`docker/run.sh --volume ~/${folder}:/${folder}\`.`,
    "",
    "## 2. Classify with jetson-inference",
    "",
    "The `--input_blob` and `--output_blob` flags are required: jetson-inference's defaults (`data`, `prob`) are the names of Caffe models, not these.",
    "",
    "```bash",
    "# C++",
    imagenetCommand("imagenet", "image.jpg", "output.jpg"),
    "",
    "# Python",
    imagenetCommand("imagenet.py", "image.jpg", "output.jpg"),
    "",
    "# live camera (MIPI CSI camera; use /dev/video0 for a USB webcam)",
    imagenetCommand("imagenet", "csi://0", "display://0"),
    "```",
    "",
    "The first run builds a TensorRT engine from `model.onnx` (this can take minutes) and caches it; later runs start at once. On a Jetson, jetson-inference builds an FP16 engine by default.",
    "",
    "## 3. What the model expects, and what jetson-inference gives it",
    "",
    `jetson-inference's imageNet prepares every image for an ONNX model this way (c/imageNet.cpp, \`preProcess\`, calling \`cudaTensorNormMeanRGB\` in c/tensorConvert.cu): it squashes the image to the network's ${width}×${height} with nearest-neighbour sampling (no cropping, aspect ratio not kept), converts it to planar RGB float, and computes, per channel, ((pixel / 255) − mean) / std with mean (${device.mean.join(", ")}) and std (${device.std.join(", ")}).`,
    "",
    `This model was trained on ${c.modelChannels === 1 ? "one-channel (gray)" : `${c.modelChannels}-channel`} ${c.height}×${c.width} images normalized as ${c.normalization ? describeNormalization(c.normalization, c.modelChannels) : "given"} (pixel in 0–255). The graph starts by undoing jetson-inference's normalization and applying the training one, so the network sees exactly what it saw in training.`,
    "",
    ...(gray
      ? [
          `The model has one (gray) channel, jetson-inference feeds three: the graph combines them with the luma weights R ${LUMA_WEIGHTS[0]}, G ${LUMA_WEIGHTS[1]}, B ${LUMA_WEIGHTS[2]} (a 1×1 convolution folded with the normalization). Gray images (R = G = B) give exactly their gray value.`,
          "",
        ]
      : []),
    "So: feed it ordinary photos or image files; do not normalize them yourself. Crop the object of interest roughly to the frame, since the image is squashed, not cropped, to the network's size, and expect good results only on images that look like the training images (for example, MNIST digits are light strokes on a dark background).",
    "",
    "## 4. TensorRT directly (trtexec)",
    "",
    "`trtexec` is in `/usr/src/tensorrt/bin/` on JetPack. Build and time an FP16 engine:",
    "",
    "```bash",
    "/usr/src/tensorrt/bin/trtexec --onnx=model.onnx --saveEngine=model.engine --fp16",
    "```",
    "",
    ...(int8
      ? [
          "INT8, from the model whose ranges were calibrated on real images (the quantization scales are inside the file, so no calibrator runs on the device; `--fp16` lets the layers without INT8 scales run in FP16):",
          "",
          "```bash",
          "/usr/src/tensorrt/bin/trtexec --onnx=model_int8.onnx --saveEngine=model_int8.engine --int8 --fp16",
          "```",
          "",
          "Use `model_int8.onnx` with TensorRT as above. Do not ask jetson-inference itself for INT8 on `model.onnx`: without a calibration cache it calibrates with random data (its log warns \"using INT8 precision with RANDOM calibration\").",
        ]
      : [
          "For INT8, rebuild the bundle with `int8Calibration` (a few hundred training images) to get `model_int8.onnx`, then run trtexec with `--int8 --fp16` on it. Do not ask jetson-inference itself for INT8 on `model.onnx`: without a calibration cache it calibrates with random data.",
        ]),
    "",
    "Input and output names for your own TensorRT code: `input_0`, `output_0`; the batch size is fixed at 1.",
    "",
  ];
  return lines.join("\n");
}
