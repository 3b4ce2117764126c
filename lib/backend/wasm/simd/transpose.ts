/**
 * The generated SIMD kernel that swaps a float32 matrix's axes, a 4x4 block
 * at a time:
 *
 *   y[c][r] = x[r][c]   for r < rows, c < columns (both multiples of 4)
 *
 * with x's and y's rows any number of bytes apart, so that a caller can
 * hand out tiles of a larger matrix. Four loads, eight shuffles, four
 * stores per block. `columnsInside` picks the loop order: the inner loop
 * should step along the matrix whose rows lie far apart (thousands of
 * floats apart, its rows all compete for one set of the L1 cache, so each
 * of its cache lines must be used up before the next row's).
 */
import { FunctionWriter } from "./wasm-writer";
import { countUp, named } from "./rows";

export const TRANSPOSE_PARAMS = ["x", "rows", "columns", "xRowBytes", "y", "yRowBytes", "columnsInside"] as const;

export function transposeFunction(): FunctionWriter {
  const f = new FunctionWriter("transpose", TRANSPOSE_PARAMS.map(() => "i32" as const));
  const p = named(f, TRANSPOSE_PARAMS);
  const [column, row, from, to] = Array.from({ length: 4 }, () => f.local("i32"));
  const x = Array.from({ length: 4 }, () => f.local("v128"));
  const pair = Array.from({ length: 4 }, () => f.local("v128"));
  const plus = (base: typeof from, stride: typeof p.xRowBytes, i: number) => {
    f.get(base);
    if (i > 0) f.get(stride).i32(i).i32Mul().i32Add();
  };
  const block = () => {
    f.get(p.x).get(row).get(p.xRowBytes).i32Mul().i32Add().get(column).i32(2).i32Shl().i32Add().set(from);
    f.get(p.y).get(column).get(p.yRowBytes).i32Mul().i32Add().get(row).i32(2).i32Shl().i32Add().set(to);
    x.forEach((v, i) => {
      plus(from, p.xRowBytes, i);
      f.v128Load(0).set(v);
    });
    // Rows 0 and 1 interleaved, then rows 2 and 3: pair[0] = x00 x10 x01 x11, pair[1] = x02 x12 x03 x13, ...
    f.get(x[0]).get(x[1]).i32x4Shuffle([0, 4, 1, 5]).set(pair[0]);
    f.get(x[0]).get(x[1]).i32x4Shuffle([2, 6, 3, 7]).set(pair[1]);
    f.get(x[2]).get(x[3]).i32x4Shuffle([0, 4, 1, 5]).set(pair[2]);
    f.get(x[2]).get(x[3]).i32x4Shuffle([2, 6, 3, 7]).set(pair[3]);
    // Row i of the block in y: x0i x1i x2i x3i.
    for (let i = 0; i < 4; i++) {
      const [a, b] = i < 2 ? [pair[0], pair[2]] : [pair[1], pair[3]];
      plus(to, p.yRowBytes, i);
      f.get(a).get(b).i32x4Shuffle(i % 2 === 0 ? [0, 1, 4, 5] : [2, 3, 6, 7]).v128Store(0);
    }
  };
  const nest = (outer: typeof row, outerLimit: typeof p.rows, inner: typeof row, innerLimit: typeof p.rows) =>
    countUp(f, outer, outerLimit, () => countUp(f, inner, innerLimit, block, 4), 4);
  f.get(p.columnsInside).if(
    () => nest(row, p.rows, column, p.columns),
    () => nest(column, p.columns, row, p.rows),
  );
  return f;
}
