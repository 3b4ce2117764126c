/**
 * jetson-inference's segnet, as far as a convlab segmenter meets it (from
 * dusty-nv/jetson-inference at commit 45da40a8; each rule cites its lines).
 */
import type { DevicePreprocessing } from "./input-transform";

/**
 * segNet::Process for MODEL_ONNX (c/segNet.cpp, lines 522-535):
 * cudaTensorNormMeanRGB with range (0, 1), mean (0.485, 0.456, 0.406) and std
 * (0.229, 0.224, 0.225): planar RGB ((pixel / 255) − mean) / std, ImageNet's
 * statistics (the same as imageNet's ONNX path).
 */
export const SEGNET_PREPROCESSING: DevicePreprocessing = Object.freeze({
  channels: 3,
  scale: 1 / 255,
  mean: [0.485, 0.456, 0.406],
  std: [0.229, 0.224, 0.225],
  name: "jetson-inference segNet (ONNX)",
}) as DevicePreprocessing;

/** SEGNET_DEFAULT_INPUT and SEGNET_DEFAULT_OUTPUT (c/segNet.h, lines 34 and 40). */
export const SEGNET_BLOBS = { input: "input_0", output: "output_0" } as const;

/**
 * segNet::classify (c/segNet.cpp, lines 575-629): the output is read as
 * C planes of H' × W' scores (the ONNX shape [1, C, H', W'] without its batch
 * dimension, c/tensorNet.cpp shiftDims); each cell gets the first class with
 * the highest score. Returns the H' × W' class map.
 */
export function segnetClassify(scores: ArrayLike<number>, classes: number, rows: number, columns: number): Uint8Array {
  const plane = rows * columns;
  const out = new Uint8Array(plane);
  for (let i = 0; i < plane; i++) {
    let best = -1;
    let bestScore = -100000;
    for (let c = 0; c < classes; c++) {
      const p = scores[c * plane + i];
      if (best < 0 || p > bestScore) {
        bestScore = p;
        best = c;
      }
    }
    out[i] = best;
  }
  return out;
}

/**
 * One line of colors.txt per class, "r g b" (tensorNet::LoadClassColors,
 * c/tensorNet.cpp lines 2109-2127 read "%f %f %f %f", alpha optional).
 */
export function colorsTxt(colors: readonly string[]): string {
  return (
    colors
      .map((hex) => {
        const n = parseInt(hex.replace("#", ""), 16);
        return `${(n >> 16) & 255} ${(n >> 8) & 255} ${n & 255}`;
      })
      .join("\n") + "\n"
  );
}

/**
 * The command lines of the bundle's README (flags parsed in c/segNet.cpp,
 * lines 182-197; --visualize from segNet.h's usage string).
 */
export function segnetCommand(program: "segnet" | "segnet.py", input: string, output: string, extra = ""): string {
  return `${program} --model=model.onnx --labels=classes.txt --colors=colors.txt --input-blob=${SEGNET_BLOBS.input} --output-blob=${SEGNET_BLOBS.output}${extra ? ` ${extra}` : ""} ${input} ${output}`;
}
