/**
 * Generated col2im: adds each output position's im2col column (its
 * contributions to the input positions under its window, [kh][kw][ci], as
 * the product dy · Wᵀ gives them) back into the input gradient dx. The
 * part of a window row that lies inside the image is one contiguous run of
 * floats in both, so the pass is a run of scalar adds per (position, kh):
 * compiled, it takes a third of the time of the same loop in JavaScript.
 *
 * Columns are `columnBytes` apart, for the positions of `images` whole
 * images in output order (image, row, column); dx is [images, height,
 * width, channels] from its first image. Byte addresses.
 */
import { FunctionWriter } from "./wasm-writer";
import { countUp, named } from "./rows";

export const COL2IM_PARAMS = [
  "col", "columnBytes", "dx", "images", "height", "width", "channels", "outHeight", "outWidth",
  "filterHeight", "filterWidth", "strideHeight", "strideWidth", "padTop", "padLeft",
] as const;

export function col2imFunction(): FunctionWriter {
  const f = new FunctionWriter("col2im", COL2IM_PARAMS.map(() => "i32" as const));
  const p = named(f, COL2IM_PARAMS);
  const [n, oh, ow, kh, h, w0, kwFrom, kwTo, column, image, source, target, end, pixelBytes, rowBytes, tapRowBytes] = Array.from({ length: 16 }, () => f.local("i32"));

  f.get(p.channels).i32(2).i32Shl().set(pixelBytes);
  f.get(p.width).get(pixelBytes).i32Mul().set(rowBytes);
  f.get(p.filterWidth).get(pixelBytes).i32Mul().set(tapRowBytes);
  f.get(p.col).set(column);
  f.get(p.dx).set(image);
  countUp(f, n, p.images, () => {
    countUp(f, oh, p.outHeight, () => {
      countUp(f, ow, p.outWidth, () => {
        // The window's columns inside the image: kw in [kwFrom, kwTo).
        f.get(ow).get(p.strideWidth).i32Mul().get(p.padLeft).i32Sub().set(w0);
        f.i32(0).get(w0).i32Sub().set(kwFrom);
        f.get(kwFrom).i32(0).get(kwFrom).i32(0).i32GtS().select().set(kwFrom);
        f.get(p.width).get(w0).i32Sub().set(kwTo);
        f.get(kwTo).get(p.filterWidth).get(kwTo).get(p.filterWidth).i32LtS().select().set(kwTo);
        countUp(f, kh, p.filterHeight, () => {
          f.get(oh).get(p.strideHeight).i32Mul().get(p.padTop).i32Sub().get(kh).i32Add().set(h);
          // 0 <= h < height and a non-empty run
          f.get(h).get(p.height).i32LtU().get(kwFrom).get(kwTo).i32LtS().i32And().if(() => {
            f.get(column).get(kh).get(tapRowBytes).i32Mul().i32Add().get(kwFrom).get(pixelBytes).i32Mul().i32Add().set(source);
            f.get(image).get(h).get(rowBytes).i32Mul().i32Add().get(w0).get(kwFrom).i32Add().get(pixelBytes).i32Mul().i32Add().set(target);
            f.get(source).get(kwTo).get(kwFrom).i32Sub().get(pixelBytes).i32Mul().i32Add().set(end);
            f.loop((again) => {
              f.get(target).get(target).f32Load(0).get(source).f32Load(0).f32Add().f32Store(0);
              f.get(target).i32(4).i32Add().set(target);
              f.get(source).i32(4).i32Add().tee(source).get(end).i32LtU().brIf(again);
            });
          });
        });
        f.get(column).get(p.columnBytes).i32Add().set(column);
      });
    });
    f.get(image).get(rowBytes).get(p.height).i32Mul().i32Add().set(image);
  });
  return f;
}
