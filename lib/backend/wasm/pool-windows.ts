/**
 * Where the windows of a pooling lie in its NHWC input: the one walk that
 * the pooling kernels and their gradients share.
 */
import * as tf from "@tensorflow/tfjs";

/** The attributes that place a pooling's windows (what the pooling kernels and their gradients share). */
export type PoolWindowAttrs = Pick<tf.MaxPoolAttrs, "filterSize" | "strides" | "pad" | "dimRoundingMode">;

/** A pooling's geometry on an NHWC input. */
export function poolWindowsInfo(inputShape: number[], attrs: PoolWindowAttrs): tf.backend_util.Conv2DInfo {
  const { filterSize, strides, pad, dimRoundingMode } = attrs;
  return tf.backend_util.computePool2DInfo(inputShape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
}

/**
 * Calls `visit` for each pooling window in output order (image, output row,
 * output column) with the window clipped to the input: rows [hStart, hEnd)
 * and columns [wStart, wEnd) of image `b`. `position` counts the windows
 * from 0 (the index of the window's first channel in the output is
 * `position * channels`).
 */
export function forEachPoolWindow(
  info: tf.backend_util.Conv2DInfo,
  visit: (b: number, hStart: number, hEnd: number, wStart: number, wEnd: number, position: number) => void,
): void {
  const { batchSize, inHeight, inWidth, outHeight, outWidth, strideHeight, strideWidth, filterHeight, filterWidth, padInfo } = info;
  let position = 0;
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      const h0 = oh * strideHeight - padInfo.top;
      const hStart = Math.max(h0, 0);
      const hEnd = Math.min(h0 + filterHeight, inHeight);
      for (let ow = 0; ow < outWidth; ow++, position++) {
        const w0 = ow * strideWidth - padInfo.left;
        visit(b, hStart, hEnd, Math.max(w0, 0), Math.min(w0 + filterWidth, inWidth), position);
      }
    }
  }
}

/**
 * Whether the windows tile the input without overlap or padding and none
 * reaches past its bottom or right edge (a 2x2 pooling with stride 2 on an
 * input of any size): each input position is in at most one window.
 */
export function windowsTileInside(info: tf.backend_util.Conv2DInfo): boolean {
  const { strideHeight, strideWidth, filterHeight, filterWidth, padInfo, inHeight, inWidth, outHeight, outWidth } = info;
  const tiles = strideHeight === filterHeight && strideWidth === filterWidth && padInfo.top === 0 && padInfo.left === 0;
  return tiles && outHeight * filterHeight <= inHeight && outWidth * filterWidth <= inWidth;
}
