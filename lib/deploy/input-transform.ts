/**
 * What the exported graph's input is, and how it becomes what the model saw
 * in training. Two descriptions meet here:
 *
 * - `InputNormalization`: how training turned 0–255 pixels into model input,
 *   `modelInput = (pixel * scale - mean) / std`, with `mean` a number, one
 *   number per channel (mean pixel) or a whole mean image (as DIGITS does).
 * - `DevicePreprocessing`: what a runtime feeds the graph,
 *   `deviceInput = (pixel * scale - mean[c]) / std[c]` on `channels` channels.
 *   `JETSON_INFERENCE_PREPROCESSING` is jetson-inference's imageNet for ONNX.
 *
 * The exported graph starts with the (folded) inverse of the device's
 * preprocessing followed by the training normalization, so the network sees
 * exactly its training input whatever the device does.
 */
import { OnnxGraphBuilder } from "./onnx/graph-builder";

export interface InputNormalization {
  /** Multiplies 0–255 pixels first; 1/255 gives 0–1. Default 1. */
  scale?: number;
  /**
   * Subtracted after scaling: one number, one per channel (mean pixel), or a
   * mean image of height*width*channels values in HWC order. Default 0
   * (also for null, so a dataset's `normalization` can be passed as it is).
   */
  mean?: number | ArrayLike<number> | null;
  /** Divides after the mean is subtracted: one number or one per channel. Default 1 (also for null). */
  std?: number | ArrayLike<number> | null;
}

export interface DevicePreprocessing {
  /** Channels the runtime feeds (3 for RGB). */
  channels: number;
  /** Multiplies 0–255 pixels first. */
  scale: number;
  /** Per-channel mean subtracted after scaling. */
  mean: number[];
  /** Per-channel standard deviation divided by last. */
  std: number[];
  /** Name shown in documentation. */
  name?: string;
}

/**
 * jetson-inference's imageNet on ONNX models (c/imageNet.cpp preProcess →
 * cudaTensorNormMeanRGB in c/tensorConvert.cu): RGB, planar NCHW,
 * ((pixel / 255) - mean) / std with ImageNet's mean and std.
 */
export const JETSON_INFERENCE_PREPROCESSING = jetsonNormMeanRgb([0.485, 0.456, 0.406], [0.229, 0.224, 0.225], "jetson-inference imageNet (ONNX)");

/**
 * What jetson-inference's networks feed through cudaTensorNormMeanRGB with
 * range (0, 1): RGB, pixel / 255, then `mean` and `std` per channel. Each
 * network (imagenet, detectnet, segnet) passes its own mean and std.
 */
export function jetsonNormMeanRgb(mean: number[], std: number[], name: string): DevicePreprocessing {
  return Object.freeze({ channels: 3, scale: 1 / 255, mean, std, name }) as DevicePreprocessing;
}

/**
 * ITU-R BT.601 luma weights: how an RGB pixel becomes one gray value (what
 * sharp, Pillow and OpenCV do). For gray images (R = G = B) any weights that
 * sum to 1 give the gray value back exactly.
 */
export const LUMA_WEIGHTS = [0.299, 0.587, 0.114];

/** The whole input contract of an exported graph, stored in its metadata. */
export interface InputContract {
  /** Model input size, HWC, as the tfjs model takes it. */
  height: number;
  width: number;
  modelChannels: number;
  /** Channels of the ONNX input. */
  inputChannels: number;
  /** Training normalization baked in (absent: the graph takes model input as is). */
  normalization?: NormalizationData;
  /** Device preprocessing inverted in the graph (absent: the graph takes 0–255 pixels, or model input). */
  device?: DevicePreprocessing;
}

/** `InputNormalization` with every field resolved to arrays. */
export interface NormalizationData {
  scale: number;
  /** Per channel (length C) or per element (length H*W*C, HWC). */
  mean: number[];
  std: number[];
}

export function resolveNormalization(n: InputNormalization, height: number, width: number, channels: number): NormalizationData {
  const scale = n.scale ?? 1;
  if (!(Number.isFinite(scale) && scale !== 0)) {
    throw new Error(`normalization.scale must be a finite non-zero number (got ${scale}). Use 1/255 for pixels scaled to 0–1.`);
  }
  const mean = expand("mean", n.mean ?? 0, channels, height * width * channels);
  const std = expand("std", n.std ?? 1, channels, channels);
  if (std.some((s) => !(Number.isFinite(s) && s !== 0))) {
    throw new Error(`normalization.std must be finite and non-zero for every channel (got [${std.join(", ")}]).`);
  }
  return { scale, mean, std };
}

function expand(what: string, value: number | ArrayLike<number>, channels: number, imageSize: number): number[] {
  if (typeof value === "number") return Array.from({ length: channels }, () => value);
  const values = Array.from(value);
  if (values.length === 1) return Array.from({ length: channels }, () => values[0]);
  if (values.length === channels || values.length === imageSize) return values;
  const image = what === "mean" ? ` or a mean image of ${imageSize} values (height*width*channels, HWC order)` : "";
  throw new Error(`normalization.${what} has ${values.length} values; the model has ${channels} channel(s): give one number, ${channels} (one per channel)${image}.`);
}

function isMeanImage(n: NormalizationData, channels: number): boolean {
  return n.mean.length !== channels;
}

/**
 * How each model channel k is an affine function of the graph's input
 * channels: modelInput[k] = sum_c weight[k][c] * input[c] + bias[k] - meanImage[k]/std[k].
 */
function affineMap(contract: InputContract): { weight: number[][]; bias: number[] } {
  const { modelChannels: cm, inputChannels: ci, normalization, device } = contract;
  // input channel c → pixel value (0–255): pixel = input * inScale[c] + inOffset[c]
  const inScale = Array.from({ length: ci }, (_, c) => (device ? device.std[c] / device.scale : 1));
  const inOffset = Array.from({ length: ci }, (_, c) => (device ? device.mean[c] / device.scale : 0));
  // model channel k → pixel from input channels: pixel_k = sum_c mix[k][c] * pixel_c
  const mix = channelMix(cm, ci);
  const weight: number[][] = [];
  const bias: number[] = [];
  for (let k = 0; k < cm; k++) {
    const a = normalization ? normalization.scale / normalization.std[k] : 1;
    const perChannelMean = normalization && !isMeanImage(normalization, cm) ? normalization.mean[k] / normalization.std[k] : 0;
    weight.push(mix[k].map((m, c) => a * m * inScale[c]));
    bias.push(mix[k].reduce((sum, m, c) => sum + a * m * inOffset[c], 0) - perChannelMean);
  }
  return { weight, bias };
}

function channelMix(modelChannels: number, inputChannels: number): number[][] {
  if (modelChannels === inputChannels) {
    return Array.from({ length: modelChannels }, (_, k) => Array.from({ length: inputChannels }, (_, c) => (k === c ? 1 : 0)));
  }
  if (modelChannels === 1 && inputChannels === 3) return [LUMA_WEIGHTS.slice()];
  if (modelChannels === 3 && inputChannels === 1) return [[1], [1], [1]];
  throw new Error(
    `The model takes ${modelChannels} channel(s) but the device feeds ${inputChannels}; convlab can map 3 → 1 (luma) and 1 → 3 (replicate) only.`,
  );
}

function isIdentity(map: { weight: number[][]; bias: number[] }): boolean {
  return map.weight.every((row, k) => row.length === map.weight.length && row.every((w, c) => w === (k === c ? 1 : 0))) && map.bias.every((b) => b === 0);
}

/**
 * Adds the input transform to the graph: input (N, inputChannels, H, W) →
 * model input (N, modelChannels, H, W). Returns the name of the result.
 */
export function bakeInputTransform(builder: OnnxGraphBuilder, input: string, contract: InputContract): string {
  const { modelChannels: cm, inputChannels: ci, normalization, height, width } = contract;
  const map = affineMap(contract);
  let current = input;
  if (!isIdentity(map)) {
    if (cm === ci && map.weight.every((row, k) => row.every((w, c) => c === k || w === 0))) {
      const scale = builder.floatConstant("input_scale", [1, cm, 1, 1], map.weight.map((row, k) => row[k]));
      const shift = builder.floatConstant("input_shift", [1, cm, 1, 1], map.bias);
      current = builder.add1("Mul", [current, scale], { name: "input_normalize_scale" });
      current = builder.add1("Add", [current, shift], { name: "input_normalize_shift" });
    } else {
      // Channel mixing (e.g. RGB → gray) folded with the normalization into one 1x1 convolution.
      const w = builder.floatConstant("input_mix_weight", [cm, ci, 1, 1], map.weight.flat());
      const b = builder.floatConstant("input_mix_bias", [cm], map.bias);
      current = builder.add1("Conv", [current, w, b], { name: "input_channel_mix", attributes: { kernel_shape: [1, 1] } });
    }
  }
  if (normalization && isMeanImage(normalization, cm)) {
    // Mean image in HWC → (1, C, H, W), divided by std: subtracted per element.
    const chw = new Float32Array(cm * height * width);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        for (let k = 0; k < cm; k++) {
          chw[k * height * width + y * width + x] = normalization.mean[(y * width + x) * cm + k] / normalization.std[k];
        }
      }
    }
    const meanImage = builder.floatConstant("input_mean_image", [1, cm, height, width], chw);
    current = builder.add1("Sub", [current, meanImage], { name: "input_subtract_mean_image" });
  }
  return current;
}

/**
 * Maps a batch of model inputs (NHWC, as tfjs takes them) to what the graph
 * expects (NCHW, in the graph's input convention): the exact inverse of the
 * transform baked in, used to verify exports on the model's own samples.
 */
export function modelInputToGraphInput(contract: InputContract, nhwc: Float32Array, batch: number): Float32Array {
  const { height: h, width: w, modelChannels: cm, inputChannels: ci, normalization: n, device } = contract;
  const out = new Float32Array(batch * ci * h * w);
  const pixel = new Float64Array(cm);
  for (let b = 0; b < batch; b++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const at = ((b * h + y) * w + x) * cm;
        for (let k = 0; k < cm; k++) {
          const value = nhwc[at + k];
          pixel[k] = n ? (value * n.std[k] + (isMeanImage(n, cm) ? n.mean[(y * w + x) * cm + k] : n.mean[k])) / n.scale : value;
        }
        for (let c = 0; c < ci; c++) {
          // Gray → RGB repeats the gray value; RGB → gray (device 1, model 3) averages, the inverse of replication.
          const p = cm === ci ? pixel[c] : cm === 1 ? pixel[0] : (pixel[0] + pixel[1] + pixel[2]) / 3;
          out[((b * ci + c) * h + y) * w + x] = device ? (p * device.scale - device.mean[c]) / device.std[c] : p;
        }
      }
    }
  }
  return out;
}

/** One paragraph saying what the graph's input is, for READMEs and reports. */
export function describeInputContract(contract: InputContract): string {
  const { height, width, inputChannels, modelChannels, normalization: n, device } = contract;
  const shape = `${inputChannels}×${height}×${width} (NCHW, float32)`;
  const training = n ? describeNormalization(n, modelChannels) : "the model's input unchanged";
  if (device) {
    const mixing =
      modelChannels === 1 && inputChannels === 3
        ? ` The RGB channels are turned into the model's single gray channel inside the graph with the luma weights (${LUMA_WEIGHTS.join(", ")}); for gray images (R = G = B) that is exact.`
        : "";
    return (
      `Input ${shape} as ${device.name ?? "the device"} prepares it: (pixel × ${round(device.scale)} − mean) / std with mean (${device.mean.join(", ")}) and std (${device.std.join(", ")}) per channel. ` +
      `The graph undoes that and applies the training normalization (${training}), so the network sees exactly what it saw in training.${mixing}`
    );
  }
  if (n) return `Input ${shape}: 0–255 pixel values. The graph applies the training normalization itself: ${training}.`;
  return `Input ${shape}: exactly what the model was given in training (no normalization in the graph).`;
}

/** The training normalization as a formula on 0–255 pixels. */
export function describeNormalization(n: NormalizationData, channels: number): string {
  const parts = [`pixel × ${round(n.scale)}`];
  if (isMeanImage(n, channels)) parts.push("− the training set's mean image");
  else if (n.mean.some((m) => m !== 0)) parts.push(`− (${n.mean.map(round).join(", ")})`);
  let text = parts.join(" ");
  if (n.std.some((s) => s !== 1)) text = `(${text}) / (${n.std.map(round).join(", ")})`;
  return text;
}

function round(x: number): string {
  return Number(x.toPrecision(6)).toString();
}
