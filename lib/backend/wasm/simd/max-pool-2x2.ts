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
import { FunctionWriter } from "./wasm-writer";
import { countUp, eachVector, named } from "./rows";

export const MAX_POOL_PARAMS = ["x", "y", "images", "imageBytes", "outHeight", "outWidth", "channels", "rowBytes"] as const;

export function maxPool2x2Function(): FunctionWriter {
  const f = new FunctionWriter("maxPool2x2", MAX_POOL_PARAMS.map(() => "i32" as const));
  const p = named(f, MAX_POOL_PARAMS);
  const image = f.local("i32");
  const row = f.local("i32");
  const col = f.local("i32");
  const imageAt = f.local("i32"); // x's image
  const rowAt = f.local("i32"); // x's top row of the window row
  const cornerAt = f.local("i32"); // x's window corner
  const outAt = f.local("i32"); // y's window
  const at = f.local("i32"); // byte offset of the vector within a pixel
  const last = f.local("i32");
  const pixelBytes = f.local("i32");

  f.get(p.channels).i32(2).i32Shl().set(pixelBytes);
  f.get(p.y).set(outAt);
  f.get(p.x).set(imageAt);
  countUp(f, image, p.images, () => {
    f.get(imageAt).set(rowAt);
    countUp(f, row, p.outHeight, () => {
      f.get(rowAt).set(cornerAt);
      countUp(f, col, p.outWidth, () => {
        eachVector(f, p.channels, at, last, () => {
          f.get(outAt).get(at).i32Add();
          f.get(cornerAt).get(at).i32Add().v128Load(0);
          f.get(cornerAt).get(at).i32Add().get(pixelBytes).i32Add().v128Load(0).f32x4Max();
          f.get(cornerAt).get(at).i32Add().get(p.rowBytes).i32Add().v128Load(0).f32x4Max();
          f.get(cornerAt).get(at).i32Add().get(p.rowBytes).i32Add().get(pixelBytes).i32Add().v128Load(0).f32x4Max();
          f.v128Store(0);
        });
        f.get(outAt).get(pixelBytes).i32Add().set(outAt);
        f.get(cornerAt).get(pixelBytes).i32(1).i32Shl().i32Add().set(cornerAt);
      });
      f.get(rowAt).get(p.rowBytes).i32(1).i32Shl().i32Add().set(rowAt);
    });
    f.get(imageAt).get(p.imageBytes).i32Add().set(imageAt);
  });
  return f;
}
