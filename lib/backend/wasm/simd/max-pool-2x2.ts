/**
 * The generated SIMD kernel for MaxPool over non-overlapping 2x2 windows
 * (the usual pooling), four channels at a time:
 *
 *   y = the largest of the window's four values, NaN when any of them is NaN
 *
 * f32x4.max returns NaN when either operand is NaN, so NaN survives in the
 * same single pass (XNNPACK's pooling drops it, which is why ../pool first
 * looks for NaN). Channels go in vectors as in ./rows (needs >= 4 channels).
 */
import { FunctionWriter, Local } from "./wasm-writer";
import { countUp, eachVector, named } from "./rows";

export const MAX_POOL_PARAMS = ["x", "y", "images", "imageBytes", "outHeight", "outWidth", "channels", "rowBytes"] as const;

/** The locals and parameters that place 2x2 windows in an NHWC input x (byte addresses). */
export interface Windows2x2 {
  x: Local;
  images: Local;
  imageBytes: Local;
  outHeight: Local;
  outWidth: Local;
  rowBytes: Local;
  /** 4 * channels, set by the caller. */
  pixelBytes: Local;
}

/**
 * Runs `body` for each non-overlapping 2x2 window, in output order (image,
 * output row, output column), with the returned local holding the address
 * of the window's top-left pixel in x. The pooling and its gradient share
 * this walk.
 */
export function eachWindow2x2(f: FunctionWriter, w: Windows2x2, body: (corner: Local) => void): void {
  const [image, row, col, imageAt, rowAt, cornerAt] = Array.from({ length: 6 }, () => f.local("i32"));
  f.get(w.x).set(imageAt);
  countUp(f, image, w.images, () => {
    f.get(imageAt).set(rowAt);
    countUp(f, row, w.outHeight, () => {
      f.get(rowAt).set(cornerAt);
      countUp(f, col, w.outWidth, () => {
        body(cornerAt);
        f.get(cornerAt).get(w.pixelBytes).i32(1).i32Shl().i32Add().set(cornerAt);
      });
      f.get(rowAt).get(w.rowBytes).i32(1).i32Shl().i32Add().set(rowAt);
    });
    f.get(imageAt).get(w.imageBytes).i32Add().set(imageAt);
  });
}

export function maxPool2x2Function(): FunctionWriter {
  const f = new FunctionWriter("maxPool2x2", MAX_POOL_PARAMS.map(() => "i32" as const));
  const p = named(f, MAX_POOL_PARAMS);
  const outAt = f.local("i32"); // y's window
  const at = f.local("i32"); // byte offset of the vector within a pixel
  const last = f.local("i32");
  const pixelBytes = f.local("i32");

  f.get(p.channels).i32(2).i32Shl().set(pixelBytes);
  f.get(p.y).set(outAt);
  eachWindow2x2(f, { ...p, pixelBytes }, (corner) => {
    eachVector(f, p.channels, at, last, () => {
      f.get(outAt).get(at).i32Add();
      f.get(corner).get(at).i32Add().v128Load(0);
      f.get(corner).get(at).i32Add().get(pixelBytes).i32Add().v128Load(0).f32x4Max();
      f.get(corner).get(at).i32Add().get(p.rowBytes).i32Add().v128Load(0).f32x4Max();
      f.get(corner).get(at).i32Add().get(p.rowBytes).i32Add().get(pixelBytes).i32Add().v128Load(0).f32x4Max();
      f.v128Store(0);
    });
    f.get(outAt).get(pixelBytes).i32Add().set(outAt);
  });
  return f;
}
