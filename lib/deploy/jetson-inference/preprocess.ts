/**
 * What jetson-inference feeds an ONNX network, reproduced number for number
 * (dusty-nv/jetson-inference at commit 45da40a8).
 *
 * imagenet (c/imageNet.cpp, imageNet::preProcess, the MODEL_ONNX branch),
 * detectnet (c/detectNet.cpp, detectNet::preProcess, lines 557-570) and segnet
 * (c/segNet.cpp, segNet::Process, lines 522-535) all call
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
import { DevicePreprocessing, JETSON_INFERENCE_PREPROCESSING, jetsonNormMeanRgb } from "../input-transform";

/** An 8-bit RGB image, rows top to bottom, as jetson-utils' loadImage gives it (IMAGE_RGB8). */
export interface RgbImage {
  rgb: Uint8Array;
  width: number;
  height: number;
}

/** imagenet on ONNX models: ImageNet's mean and std (c/imageNet.cpp). */
export const IMAGENET_PREPROCESSING = JETSON_INFERENCE_PREPROCESSING;

/**
 * detectnet on ONNX (SSD) models: mean 0.5 and std 0.5 per channel, so values
 * in [−1, 1] (c/detectNet.cpp, lines 557-570), pytorch-ssd's own normalization.
 */
export const DETECTNET_PREPROCESSING = jetsonNormMeanRgb([0.5, 0.5, 0.5], [0.5, 0.5, 0.5], "jetson-inference detectNet (ONNX)");

/** segnet on ONNX models: ImageNet's mean and std, as imagenet (c/segNet.cpp, lines 522-535). */
export const SEGNET_PREPROCESSING = jetsonNormMeanRgb(IMAGENET_PREPROCESSING.mean, IMAGENET_PREPROCESSING.std, "jetson-inference segNet (ONNX)");

const f = Math.fround;

/**
 * gpuTensorNormMean's sampling alone (c/tensorConvert.cu, lines 188-192):
 * output pixel (x, y) takes input pixel (⌊x · sx⌋, ⌊y · sy⌋), sx = in / out in
 * float32: nearest neighbour, no smoothing, the frame squashed to the
 * network's aspect. Interleaved bytes with any number of channels in and out.
 */
export function resampleLikeJetson(pixels: ArrayLike<number>, width: number, height: number, channels: number, outWidth: number, outHeight: number): Uint8Array {
  const scaleX = f(f(width) / f(outWidth));
  const scaleY = f(f(height) / f(outHeight));
  const out = new Uint8Array(outWidth * outHeight * channels);
  for (let y = 0; y < outHeight; y++) {
    const dy = Math.trunc(f(y * scaleY));
    for (let x = 0; x < outWidth; x++) {
      const dx = Math.trunc(f(x * scaleX));
      for (let c = 0; c < channels; c++) out[(y * outWidth + x) * channels + c] = pixels[(dy * width + dx) * channels + c];
    }
  }
  return out;
}

/** A gray frame as an RGB camera (or loadImage's stbi_load(…, 3)) gives it: R = G = B. */
export function grayToRgb(gray: ArrayLike<number>, width: number, height: number): RgbImage {
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) rgb[i * 3] = rgb[i * 3 + 1] = rgb[i * 3 + 2] = gray[i];
  return { rgb, width, height };
}

/** gpuTensorNormMean for one image: planar float32 [3, outHeight, outWidth]. */
export function tensorNormMeanRGB(image: RgbImage, outWidth: number, outHeight: number, preprocessing: DevicePreprocessing): Float32Array {
  const { rgb, width, height } = image;
  if (rgb.length !== width * height * 3) throw new Error(`The image should hold ${width}×${height}×3 bytes of RGB, but has ${rgb.length}.`);
  const resampled = resampleLikeJetson(rgb, width, height, 3, outWidth, outHeight);
  // (range.y − range.x) / 255.0f with range (0, 1).
  const multiplier = f(f(1) / f(255));
  const mean = preprocessing.mean.map(f);
  const std = preprocessing.std.map(f);
  const plane = outWidth * outHeight;
  const out = new Float32Array(3 * plane);
  for (let m = 0; m < plane; m++) {
    for (let c = 0; c < 3; c++) out[c * plane + m] = f(f(f(resampled[m * 3 + c] * multiplier) - mean[c]) / std[c]);
  }
  return out;
}
