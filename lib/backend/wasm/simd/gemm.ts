/**
 * The generated matrix-product kernel behind convlab's SIMD kernels:
 *
 *   C[m, n] (+)= sum over (k1, k2, k3) of A(m, k1, k2, k3) * B(k1, k2, k3, n)
 *
 * with A's and C's rows anywhere (tables of byte offsets, one per row), A's
 * reduction axes strided, and B's reduction axes strided but its n axis
 * contiguous. That one shape covers the products of a convolution's
 * backward pass without building an im2col matrix and without packing
 * either operand (XNNPACK packs its "weights" operand on every call, which
 * for a filter gradient costs more than the product itself): rows of A are
 * the filter taps, the reduction runs over (image, output row, output
 * column).
 *
 * Multiply-adds are fused (relaxed SIMD's f32x4.relaxed_madd) when `fma`
 * is set: V8 compiles them to vfmadd231ps on CPUs with FMA, 1.3-1.4x the
 * products' speed of a multiply then an add.
 *
 * Register tiles of 4 rows x 8 columns (eight f32x4 accumulators), with
 * 4-column, 1-column and 1-row tiles for the edges. Each tile function
 * walks a whole column strip of C (one call per strip, not per tile: the
 * input gradient makes tens of thousands of tiles a step).
 */
import { FunctionWriter, Local } from "./wasm-writer";

// Measured on LeNet's products: 4 rows x 8 columns beats 2, 3, 5, 6 and 8
// rows and 12 or 16 columns (wider tiles run out of V8's 16 SIMD registers).
// With fused multiply-adds too (callgrind, 240x32x32: 4x8 178k instructions,
// 5x8 176k, 6x8 194k, all rows adjacent); unrolling the reduction made V8
// hoist the unrolled steps' loads and spill (265k against 234k).
const TILE_ROWS: readonly number[] = [4, 1];
const TILE_WIDTHS: readonly number[] = [8, 4, 1];

/** Parameters of a strip function, in order. */
const STRIP_PARAMS = ["rowsA", "a", "rowsC", "c", "groups", "accumulate", "b", "k1", "sA1", "sB1", "k2", "sA2", "sB2", "k3", "sA3", "sB3"] as const;

/**
 * The function for a strip `width` columns wide: `groups` groups of `rows`
 * rows, row i of a group at a + rowsA[i] (A) and c + rowsC[i] (C), the
 * tables advancing a group at a time; c and b already point at the strip's
 * first column.
 *
 * `masked` (width 4): the strip's first `skip` columns (a last parameter)
 * belong to the strip before it and stay as they are: B's lanes there are
 * zeroed, and C's are loaded and stored back unchanged. That way the last
 * 1-3 columns of a product at least 4 wide take one vector strip instead
 * of scalar ones (which cost a third of LeNet's 50-channel products).
 */
function strip(rows: number, width: number, fma: boolean, adjacent: boolean, masked = false): FunctionWriter {
  const params = masked ? [...STRIP_PARAMS, "skip"] : STRIP_PARAMS;
  const f = new FunctionWriter(`strip${rows}x${width}${masked ? "masked" : ""}${adjacent ? "adjacent" : ""}`, params.map(() => "i32" as const), [], false);
  const p = Object.fromEntries(params.map((n, i) => [n, f.params[i]])) as Record<(typeof STRIP_PARAMS)[number] | "skip", Local>;
  const vectors = width / 4;
  const scalar = width === 1;
  const accType = scalar ? "f32" : "v128";
  const acc: Local[][] = Array.from({ length: rows }, () => Array.from({ length: scalar ? 1 : vectors }, () => f.local(accType)));
  const bv: Local[] = Array.from({ length: scalar ? 1 : vectors }, () => f.local(accType));
  const splat = f.local(accType);
  const rowBase = Array.from({ length: rows }, () => f.local("i32"));
  const cRow = Array.from({ length: rows }, () => f.local("i32"));
  const a1 = rowBase.map(() => f.local("i32"));
  const a2 = rowBase.map(() => f.local("i32"));
  const a3 = rowBase.map(() => f.local("i32"));
  const b1 = f.local("i32");
  const b2 = f.local("i32");
  const b3 = f.local("i32");
  const n1 = f.local("i32");
  const n2 = f.local("i32");
  const n3 = f.local("i32");
  const mask = f.local("v128");
  // Lanes at or after `skip`: all ones.
  if (masked) f.i32x4Const([0, 1, 2, 3]).get(p.skip).i32x4Splat().i32x4GeS().set(mask);

  f.block((none) => {
    f.get(p.groups).i32(1).i32LtS().brIf(none);
    f.loop((nextGroup) => {
      for (let i = 0; i < rows; i++) {
        f.get(p.a).get(p.rowsA).i32Load(4 * i).i32Add().set(rowBase[i]);
        f.get(p.c).get(p.rowsC).i32Load(4 * i).i32Add().set(cRow[i]);
      }
      // Accumulators start from C (the product adds to it), or from zero;
      // masked, from C in the skipped lanes either way.
      if (masked) {
        for (let i = 0; i < rows; i++) {
          f.get(cRow[i]).v128Load(0).set(acc[i][0]);
          f.get(p.accumulate).i32Eqz().if(() => f.get(acc[i][0]).get(mask).v128AndNot().set(acc[i][0]));
        }
      } else f.get(p.accumulate).if(
        () => {
          for (let i = 0; i < rows; i++) {
            for (let v = 0; v < acc[i].length; v++) {
              f.get(cRow[i]);
              if (scalar) f.f32Load(0);
              else f.v128Load(16 * v);
              f.set(acc[i][v]);
            }
          }
        },
        () => {
          for (const row of acc) {
            for (const a of row) {
              if (scalar) f.f32(0);
              else f.v128Zero();
              f.set(a);
            }
          }
        },
      );
      // An empty reduction leaves the accumulators as they started.
      f.block((empty) => {
        f.get(p.k1).i32(1).i32LtS().get(p.k2).i32(1).i32LtS().i32Or().get(p.k3).i32(1).i32LtS().i32Or().brIf(empty);
        for (let i = 0; i < rows; i++) f.get(rowBase[i]).set(a1[i]);
        f.get(p.b).set(b1);
        f.get(p.k1).set(n1);
        f.loop((outer) => {
          for (let i = 0; i < rows; i++) f.get(a1[i]).set(a2[i]);
          f.get(b1).set(b2);
          f.get(p.k2).set(n2);
          f.loop((middle) => {
            for (let i = 0; i < rows; i++) f.get(a2[i]).set(a3[i]);
            f.get(b2).set(b3);
            f.get(p.k3).set(n3);
            f.loop((inner) => {
              for (let v = 0; v < bv.length; v++) {
                f.get(b3);
                if (scalar) f.f32Load(0);
                else f.v128Load(16 * v);
                if (masked) f.get(mask).v128And();
                f.set(bv[v]);
              }
              for (let i = 0; i < rows; i++) {
                // Adjacent rows: one pointer, row i at offset 4i.
                f.get(adjacent ? a3[0] : a3[i]);
                const offset = adjacent ? 4 * i : 0;
                if (scalar) f.f32Load(offset);
                else f.v128Load32Splat(offset);
                f.set(splat);
                for (let v = 0; v < bv.length; v++) {
                  if (scalar) f.get(acc[i][v]).get(splat).get(bv[v]).f32Mul().f32Add();
                  else if (fma) f.get(splat).get(bv[v]).get(acc[i][v]).f32x4RelaxedMadd();
                  else f.get(acc[i][v]).get(splat).get(bv[v]).f32x4Mul().f32x4Add();
                  f.set(acc[i][v]);
                }
              }
              for (let i = 0; i < (adjacent ? 1 : rows); i++) f.get(a3[i]).get(p.sA3).i32Add().set(a3[i]);
              f.get(b3).get(p.sB3).i32Add().set(b3);
              f.get(n3).i32(1).i32Sub().tee(n3).brIf(inner);
            });
            for (let i = 0; i < rows; i++) f.get(a2[i]).get(p.sA2).i32Add().set(a2[i]);
            f.get(b2).get(p.sB2).i32Add().set(b2);
            f.get(n2).i32(1).i32Sub().tee(n2).brIf(middle);
          });
          for (let i = 0; i < rows; i++) f.get(a1[i]).get(p.sA1).i32Add().set(a1[i]);
          f.get(b1).get(p.sB1).i32Add().set(b1);
          f.get(n1).i32(1).i32Sub().tee(n1).brIf(outer);
        });
      });
      for (let i = 0; i < rows; i++) {
        for (let v = 0; v < acc[i].length; v++) {
          f.get(cRow[i]);
          f.get(acc[i][v]);
          if (scalar) f.f32Store(0);
          else f.v128Store(16 * v);
        }
      }
      f.get(p.rowsA).i32(4 * rows).i32Add().set(p.rowsA);
      f.get(p.rowsC).i32(4 * rows).i32Add().set(p.rowsC);
      f.get(p.groups).i32(1).i32Sub().tee(p.groups).brIf(nextGroup);
    });
  });
  return f;
}

/** Parameters of the exported `gemm`, in order (all byte addresses / byte strides, except the counts). */
export const GEMM_PARAMS = ["m", "n", "rowsA", "a", "rowsC", "c", "accumulate", "b", "k1", "sA1", "sB1", "k2", "sA2", "sB2", "k3", "sA3", "sB3"] as const;

/**
 * The strip functions (indices `firstIndex`..) and the exported drivers that
 * walk C strip by strip and call them: `gemm`, and `gemmAdjacent` for an A
 * whose rows are adjacent floats (rowsA[i + 1] = rowsA[i] + 4, as in a
 * product with a transposed matrix), which reads a tile's rows through one
 * pointer; then `gemmPlanes` and `gemmAdjacentPlanes` (see planesFunction).
 */
export function gemmFunctions(
  firstIndex: number,
  fma = false,
  tileRows: readonly number[] = TILE_ROWS,
  tileWidths: readonly number[] = TILE_WIDTHS,
): FunctionWriter[] {
  const strips: FunctionWriter[] = [];
  const stripIndex = new Map<string, number>();
  for (const adjacent of [false, true]) {
    for (const rows of tileRows) {
      if (adjacent && rows === 1) continue;
      for (const width of tileWidths) {
        stripIndex.set(`${rows}x${width}${adjacent ? "adjacent" : ""}`, firstIndex + strips.length);
        strips.push(strip(rows, width, fma, adjacent));
      }
      if (tileWidths.includes(4) && tileWidths.includes(1)) {
        stripIndex.set(`${rows}x4masked${adjacent ? "adjacent" : ""}`, firstIndex + strips.length);
        strips.push(strip(rows, 4, fma, adjacent, true));
      }
    }
  }
  const drivers = [false, true].map((adjacent) => {
    const f = new FunctionWriter(adjacent ? "gemmAdjacent" : "gemm", GEMM_PARAMS.map(() => "i32" as const));
    const p = Object.fromEntries(GEMM_PARAMS.map((n, i) => [n, f.params[i]])) as Record<(typeof GEMM_PARAMS)[number], Local>;
    const col = f.local("i32");
    const firstRow = f.local("i32");
    const groups = f.local("i32");

    const masked = stripIndex.has("4x4masked");
    /** One strip at column `col` across all rows ("masked": with `skip` as its last argument). */
    const stripAcross = (width: number, kind: "" | "masked", skip?: Local) => {
      f.i32(0).set(firstRow);
      for (const rows of tileRows) {
        // As many groups of `rows` rows as fit in what is left.
        f.get(p.m).get(firstRow).i32Sub();
        if (rows !== 1) f.i32(rows).i32DivU();
        f.set(groups);
        f.get(p.rowsA).get(firstRow).i32(2).i32Shl().i32Add();
        f.get(p.a);
        f.get(p.rowsC).get(firstRow).i32(2).i32Shl().i32Add();
        f.get(p.c).get(col).i32(2).i32Shl().i32Add();
        f.get(groups);
        f.get(p.accumulate);
        f.get(p.b).get(col).i32(2).i32Shl().i32Add();
        for (const name of ["k1", "sA1", "sB1", "k2", "sA2", "sB2", "k3", "sA3", "sB3"] as const) f.get(p[name]);
        if (skip) f.get(skip);
        f.call(stripIndex.get(`${rows}x${width}${kind}${adjacent && rows > 1 ? "adjacent" : ""}`)!);
        f.get(firstRow).get(groups).i32(rows).i32Mul().i32Add().set(firstRow);
      }
    };
    const skip = f.local("i32");

    f.i32(0).set(col);
    for (const width of tileWidths) {
      f.block((done) =>
        f.loop((again) => {
          f.get(col).i32(width).i32Add().get(p.n).i32GtS().brIf(done);
          // The last 1-3 columns of a product at least 4 wide: one masked strip (below).
          if (width === 1 && masked) f.get(p.n).i32(4).i32GeS().brIf(done);
          stripAcross(width, "");
          f.get(col).i32(width).i32Add().set(col);
          f.br(again);
        }),
      );
    }
    if (masked) {
      f.get(col).get(p.n).i32LtS().if(() => {
        // Columns n - 4 .. n - 1, the first (4 - (n - col)) already done.
        f.i32(4).get(p.n).get(col).i32Sub().i32Sub().set(skip);
        f.get(p.n).i32(4).i32Sub().set(col);
        stripAcross(4, "masked", skip);
      });
    }
    return f;
  });
  const planeDrivers = [false, true].map((adjacent, i) => planesFunction(adjacent, firstIndex + strips.length + i));
  return [...strips, ...drivers, ...planeDrivers];
}

/** Parameters a plane driver takes after GEMM_PARAMS: how many products, and the bytes from one plane to the next of A, C and B. */
const PLANE_PARAMS = ["planes", "aPlane", "cPlane", "bPlane"] as const;

/**
 * `gemmPlanes` (`gemmAdjacentPlanes`): `planes` products of one geometry,
 * a, c and b each a fixed stride further for the next, in one call. The
 * Winograd kernels make one product per plane of transformed tiles (36 a
 * chunk): one call instead of 36 takes the JavaScript calls, and the calls
 * written for the kernel threads, out of their chunks.
 */
function planesFunction(adjacent: boolean, product: number): FunctionWriter {
  const names = [...GEMM_PARAMS, ...PLANE_PARAMS];
  const f = new FunctionWriter(adjacent ? "gemmAdjacentPlanes" : "gemmPlanes", names.map(() => "i32" as const));
  const p = Object.fromEntries(names.map((n, i) => [n, f.params[i]])) as Record<(typeof names)[number], Local>;
  const plane = f.local("i32");
  f.block((done) =>
    f.loop((again) => {
      f.get(plane).get(p.planes).i32GeS().brIf(done);
      for (const name of GEMM_PARAMS) f.get(p[name]);
      f.call(product);
      for (const [at, stride] of [[p.a, p.aPlane], [p.c, p.cPlane], [p.b, p.bPlane]]) f.get(at).get(stride).i32Add().set(at);
      f.get(plane).i32(1).i32Add().set(plane);
      f.br(again);
    }),
  );
  return f;
}
