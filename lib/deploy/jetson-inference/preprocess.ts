/**
 * What jetson-inference feeds an ONNX network, reproduced number for number.
 *
 * imagenet (c/imageNet.cpp, imageNet::preProcess, the MODEL_ONNX branch) and
 * detectnet (c/detectNet.cpp, detectNet::preProcess, MODEL_ONNX) both call
 * cudaTensorNormMeanRGB (c/tensorConvert.cu) with range (0, 1) and their own
 * mean and std. Its kernel, gpuTensorNormMean, for every output pixel (x, y):
 *
 *     scale = (float(inWidth) / float(outWidth), float(inHeight) / float(outHeight))
 *     dx = int(float(x) * scale.x); dy = int(float(y) * scale.y)      // nearest neighbour, squash
 *     out[c][y][x] = ((px[c] * multiplier + 0) - mean[c]) / std[c]   // planar RGB, multiplier = 1 / 255.0f
 *
 * all in float32 (nvcc without fast math: IEEE division). Math.fround after
 * each operation gives the same bits here.
 */
import { DevicePreprocessing, JETSON_INFERENCE_PREPROCESSING } from "../input-transform";

/** An 8-bit RGB image, rows top to bottom, as jetson-utils' loadImage gives it (IMAGE_RGB8). */
export interface RgbImage {
  rgb: Uint8Array;
  width: number;
  height: number;
}

/** imagenet on ONNX models: ImageNet's mean and std (c/imageNet.cpp). */
export const IMAGENET_PREPROCESSING = JETSON_INFERENCE_PREPROCESSING;

/** detectnet on ONNX (SSD) models: mean 0.5 and std 0.5 per channel, so values in [−1, 1] (c/detectNet.cpp). */
export const DETECTNET_PREPROCESSING: DevicePreprocessing = Object.freeze({
  channels: 3,
  scale: 1 / 255,
  mean: [0.5, 0.5, 0.5],
  std: [0.5, 0.5, 0.5],
  name: "jetson-inference detectNet (ONNX)",
}) as DevicePreprocessing;

const f = Math.fround;

/** gpuTensorNormMean for one image: planar float32 [3, outHeight, outWidth]. */
export function tensorNormMeanRGB(image: RgbImage, outWidth: number, outHeight: number, preprocessing: DevicePreprocessing): Float32Array {
  const { rgb, width, height } = image;
  if (rgb.length !== width * height * 3) throw new Error(`The image should hold ${width}×${height}×3 bytes of RGB, but has ${rgb.length}.`);
  const scaleX = f(f(width) / f(outWidth));
  const scaleY = f(f(height) / f(outHeight));
  // (range.y − range.x) / 255.0f with range (0, 1).
  const multiplier = f(f(1) / f(255));
  const mean = preprocessing.mean.map(f);
  const std = preprocessing.std.map(f);
  const plane = outWidth * outHeight;
  const out = new Float32Array(3 * plane);
  for (let y = 0; y < outHeight; y++) {
    const dy = Math.trunc(f(y * scaleY));
    for (let x = 0; x < outWidth; x++) {
      const dx = Math.trunc(f(x * scaleX));
      const at = (dy * width + dx) * 3;
      const m = y * outWidth + x;
      for (let c = 0; c < 3; c++) out[c * plane + m] = f(f(f(rgb[at + c] * multiplier) - mean[c]) / std[c]);
    }
  }
  return out;
}
