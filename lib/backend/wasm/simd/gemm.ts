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
 * Register tiles of 4 rows x 8 columns (eight f32x4 accumulators), with
 * 4-column, 1-column and 1-row tiles for the edges.
 */
import { FunctionWriter, Local } from "./wasm_writer";

// Measured on LeNet's products: 4 rows x 8 columns beats 2, 3, 5, 6 and 8
// rows and 12 or 16 columns (wider tiles run out of V8's 16 SIMD registers).
const TILE_ROWS: readonly number[] = [4, 1];
const TILE_WIDTHS: readonly number[] = [8, 4, 1];

/** Parameters of a tile function, in order. */
const TILE_PARAMS = ["accumulate", "b", "k1", "sA1", "sB1", "k2", "sA2", "sB2", "k3", "sA3", "sB3"] as const;

/** The tile function for `rows` rows (addresses r0..) and `width` columns. */
function tile(rows: number, width: number): FunctionWriter {
  const f = new FunctionWriter(`tile${rows}x${width}`, [...new Array(2 * rows).fill("i32"), ...TILE_PARAMS.map(() => "i32" as const)], [], false);
  const rowBase = f.params.slice(0, rows);
  const cRow = f.params.slice(rows, 2 * rows);
  const p = Object.fromEntries(TILE_PARAMS.map((n, i) => [n, f.params[2 * rows + i]])) as Record<(typeof TILE_PARAMS)[number], Local>;
  const vectors = width / 4;
  const scalar = width === 1;
  const accType = scalar ? "f32" : "v128";
  const acc: Local[][] = Array.from({ length: rows }, () => Array.from({ length: scalar ? 1 : vectors }, () => f.local(accType)));
  const bv: Local[] = Array.from({ length: scalar ? 1 : vectors }, () => f.local(accType));
  const a1 = rowBase.map(() => f.local("i32"));
  const a2 = rowBase.map(() => f.local("i32"));
  const a3 = rowBase.map(() => f.local("i32"));
  const b1 = f.local("i32");
  const b2 = f.local("i32");
  const b3 = f.local("i32");
  const n1 = f.local("i32");
  const n2 = f.local("i32");
  const n3 = f.local("i32");

  // Accumulators start from C (the product adds to it), or from zero.
  f.get(p.accumulate).if(() => {
    for (let i = 0; i < rows; i++) {
      for (let v = 0; v < acc[i].length; v++) {
        f.get(cRow[i]);
        if (scalar) f.f32Load(0);
        else f.v128Load(16 * v);
        f.set(acc[i][v]);
      }
    }
  });
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
            f.set(bv[v]);
          }
          for (let i = 0; i < rows; i++) {
            const splat = f.local(accType);
            f.get(a3[i]);
            if (scalar) f.f32Load(0);
            else f.v128Load32Splat(0);
            f.set(splat);
            for (let v = 0; v < bv.length; v++) {
              f.get(acc[i][v]).get(splat).get(bv[v]);
              if (scalar) f.f32Mul().f32Add();
              else f.f32x4Mul().f32x4Add();
              f.set(acc[i][v]);
            }
            f.get(a3[i]).get(p.sA3).i32Add().set(a3[i]);
          }
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
  return f;
}

/** Parameters of the exported `gemm`, in order (all byte addresses / byte strides, except the counts). */
export const GEMM_PARAMS = ["m", "n", "rowsA", "a", "rowsC", "c", "accumulate", "b", "k1", "sA1", "sB1", "k2", "sA2", "sB2", "k3", "sA3", "sB3"] as const;

/**
 * The tile functions (indices `firstIndex`..) and the exported `gemm`
 * driver that walks C in tiles and calls them.
 */
export function gemmFunctions(firstIndex: number): FunctionWriter[] {
  const tiles: FunctionWriter[] = [];
  const tileIndex = new Map<string, number>();
  for (const rows of TILE_ROWS) {
    for (const width of TILE_WIDTHS) {
      tileIndex.set(`${rows}x${width}`, firstIndex + tiles.length);
      tiles.push(tile(rows, width));
    }
  }
  const f = new FunctionWriter("gemm", GEMM_PARAMS.map(() => "i32" as const));
  const p = Object.fromEntries(GEMM_PARAMS.map((n, i) => [n, f.params[i]])) as Record<(typeof GEMM_PARAMS)[number], Local>;
  const row = f.local("i32");
  const col = f.local("i32");
  const most = Math.max(...TILE_ROWS);
  const rowAddress = Array.from({ length: most }, () => f.local("i32"));
  const cAddress = Array.from({ length: most }, () => f.local("i32"));

  const callTile = (rows: number, width: number) => {
    for (let i = 0; i < rows; i++) f.get(rowAddress[i]);
    // C's rows + 4*col, b + 4*col, then the strides.
    for (let i = 0; i < rows; i++) f.get(cAddress[i]).get(col).i32(2).i32Shl().i32Add();
    f.get(p.accumulate);
    f.get(p.b).get(col).i32(2).i32Shl().i32Add();
    for (const name of ["k1", "sA1", "sB1", "k2", "sA2", "sB2", "k3", "sA3", "sB3"] as const) f.get(p[name]);
    f.call(tileIndex.get(`${rows}x${width}`)!);
  };

  const columns = (rows: number) => {
    f.i32(0).set(col);
    for (const width of TILE_WIDTHS) {
      f.block((done) =>
        f.loop((again) => {
          f.get(col).i32(width).i32Add().get(p.n).i32GtS().brIf(done);
          callTile(rows, width);
          f.get(col).i32(width).i32Add().set(col);
          f.br(again);
        }),
      );
    }
  };

  const rowsStep = (rows: number) => {
    f.block((done) =>
      f.loop((again) => {
        f.get(row).i32(rows).i32Add().get(p.m).i32GtS().brIf(done);
        for (let i = 0; i < rows; i++) {
          // a + rowsA[row + i], c + rowsC[row + i]
          f.get(p.a).get(p.rowsA).get(row).i32(2).i32Shl().i32Add().i32Load(4 * i).i32Add().set(rowAddress[i]);
          f.get(p.c).get(p.rowsC).get(row).i32(2).i32Shl().i32Add().i32Load(4 * i).i32Add().set(cAddress[i]);
        }
        columns(rows);
        f.get(row).i32(rows).i32Add().set(row);
        f.br(again);
      }),
    );
  };

  f.i32(0).set(row);
  for (const rows of TILE_ROWS) rowsStep(rows);
  return [...tiles, f];
}
