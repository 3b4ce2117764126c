/**
 * Generated SIMD transforms of Winograd's F(2x2, 5x5) for 5x5 stride-1
 * convolutions (LeNet's second convolution): a 2x2 output tile from a 6x6
 * input tile with 36 multiplications per channel pair instead of 100,
 *
 *   Y = Aᵀ [ U ⊙ V ] A,   U = G g Gᵀ (filter),   V = Bᵀ d B (input tile),
 *
 * and for the filter gradient dU[ξ] = Σ over tiles of V[ξ]ᵀ Z[ξ] with
 * Z = A dY Aᵀ, then dW = Gᵀ dU G. The matrices come from the points
 * 0, 1, -1, 2, -2 and infinity (Toom-Cook, as in Lavin & Gray 2015); their
 * small integer and sixth/twelfth/twenty-fourth entries keep float32 sums
 * within about 1e-6 of the direct product's on unit-scale data.
 *
 * Same layouts and parameters as ./winograd's F(2x2, 3x3) transforms (36
 * planes ξ = 6a + b instead of 16), so the host code and the products are
 * shared; channels >= 4 for the same reason. Each transform is written from
 * its matrices: `sandwich` emits L X Rᵀ on a small matrix of vectors.
 */
import { FunctionWriter, Local } from "./wasm-writer";
import { eachVector, named } from "./rows";
import {
  WINOGRAD_FILTER_GRADIENT_PARAMS,
  WINOGRAD_FILTER_PARAMS,
  WINOGRAD_GRADIENT_PARAMS,
  WINOGRAD_INPUT_PARAMS,
  WINOGRAD_OUTPUT_PARAMS,
} from "./winograd";

type Matrix = readonly (readonly number[])[];

/** Aᵀ (2x6): output tile from the 6 products along one axis. */
const AT: Matrix = [
  [1, 1, 1, 1, 1, 0],
  [0, 1, -1, 2, -2, 1],
];
/** G (6x5): transformed filter from the 5 taps along one axis. */
const G: Matrix = [
  [1 / 4, 0, 0, 0, 0],
  [-1 / 6, -1 / 6, -1 / 6, -1 / 6, -1 / 6],
  [-1 / 6, 1 / 6, -1 / 6, 1 / 6, -1 / 6],
  [1 / 24, 1 / 12, 1 / 6, 1 / 3, 2 / 3],
  [1 / 24, -1 / 12, 1 / 6, -1 / 3, 2 / 3],
  [0, 0, 0, 0, 1],
];
/** Bᵀ (6x6): transformed input from 6 inputs along one axis. */
const BT: Matrix = [
  [4, 0, -5, 0, 1, 0],
  [0, -4, -4, 1, 1, 0],
  [0, 4, -4, -1, 1, 0],
  [0, -2, -1, 2, 1, 0],
  [0, 2, -1, -2, 1, 0],
  [0, 4, 0, -5, 0, 1],
];

const transposed = (m: Matrix): number[][] => m[0].map((_, j) => m.map((row) => row[j]));
const A = transposed(AT);
const GT = transposed(G);

/** The F(2x2, 5x5) matrices (the tests check them against the direct convolution). */
export const WINOGRAD5_MATRICES = { AT, G, BT } as const;

/** Splatted constants, one local each, set where the function starts. */
class Constants {
  private readonly locals = new Map<number, Local>();
  constructor(
    private readonly f: FunctionWriter,
    matrices: Matrix[],
  ) {
    for (const m of matrices) {
      for (const c of m.flat()) {
        const magnitude = Math.abs(c);
        if (magnitude === 0 || magnitude === 1 || this.locals.has(magnitude)) continue;
        const l = f.local("v128");
        f.f32(magnitude).f32x4Splat().set(l);
        this.locals.set(magnitude, l);
      }
    }
  }
  get(magnitude: number): Local {
    return this.locals.get(magnitude)!;
  }
}

/** out = Σ_j row[j] * inputs[j] (skipping zero coefficients; at least one is not zero). */
function combine(f: FunctionWriter, k: Constants, row: readonly number[], inputs: readonly Local[], out: Local): void {
  let first = true;
  // Start from a positive term when there is one (no negation needed).
  const order = row.map((c, j) => j).filter((j) => row[j] !== 0).sort((a, b) => Number(row[b] > 0) - Number(row[a] > 0));
  for (const j of order) {
    const c = row[j];
    const magnitude = Math.abs(c);
    if (first && c < 0) f.v128Zero();
    f.get(inputs[j]);
    if (magnitude !== 1) f.get(k.get(magnitude)).f32x4Mul();
    if (!first || c < 0) {
      if (c < 0) f.f32x4Sub();
      else f.f32x4Add();
    }
    first = false;
  }
  f.set(out);
}

/**
 * L X Rᵀ for X (p x q vectors, read by `x(i, j)` into the stack) and
 * constant L (a x p) and R (b x q): each result handed to `use(a, b, local)`.
 */
function sandwich(
  f: FunctionWriter,
  k: Constants,
  L: Matrix,
  R: Matrix,
  rows: Local[],
  across: Local[][],
  result: Local[],
  x: (i: number, j: number) => void,
  use: (a: number, b: number, value: Local) => void,
): void {
  const p = L[0].length;
  const q = R[0].length;
  // Rows of X times Rᵀ: across[i][b].
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < q; j++) {
      x(i, j);
      f.set(rows[j]);
    }
    for (let b = 0; b < R.length; b++) combine(f, k, R[b], rows, across[i][b]);
  }
  // L times each column.
  for (let b = 0; b < R.length; b++) {
    const column = across.map((row) => row[b]);
    for (let a = 0; a < L.length; a++) {
      combine(f, k, L[a], column, result[a]);
      use(a, b, result[a]);
    }
  }
}

/** The locals `sandwich` needs for L (a x p) and R (b x q). */
function sandwichLocals(f: FunctionWriter, L: Matrix, R: Matrix): { rows: Local[]; across: Local[][]; result: Local[] } {
  const v = () => f.local("v128");
  return {
    rows: Array.from({ length: R[0].length }, v),
    across: Array.from({ length: L[0].length }, () => Array.from({ length: R.length }, v)),
    result: Array.from({ length: L.length }, v),
  };
}

/** Locals holding ξ * planeBytes for ξ = 0..35. */
function planeOffsets(f: FunctionWriter, planeBytes: Local): Local[] {
  const offsets = Array.from({ length: 36 }, () => f.local("i32"));
  f.i32(0).set(offsets[0]);
  for (let xi = 1; xi < 36; xi++) f.get(offsets[xi - 1]).get(planeBytes).i32Add().set(offsets[xi]);
  return offsets;
}

function planeAddress(f: FunctionWriter, base: Local, offsets: Local[], xi: number): void {
  f.get(base);
  if (xi > 0) f.get(offsets[xi]).i32Add();
}

function locateTile(f: FunctionWriter, g: Local, tilesPerImage: Local, tilesAcross: Local, n: Local, ty: Local, tx: Local): void {
  f.get(g).get(tilesPerImage).i32DivU().set(n);
  f.get(g).get(n).get(tilesPerImage).i32Mul().i32Sub().get(tilesAcross).i32DivU().set(ty);
  f.get(g).get(n).get(tilesPerImage).i32Mul().i32Sub().get(ty).get(tilesAcross).i32Mul().i32Sub().set(tx);
}

/** Runs `body` for tiles t = 0 .. tileCount - 1 (tile number g = firstTile + t, image n, tile row ty, column tx). */
function eachTile(f: FunctionWriter, p: { firstTile: Local; tileCount: Local; tilesPerImage: Local; tilesAcross: Local }, body: (t: Local, n: Local, ty: Local, tx: Local) => void): void {
  const [t, g, n, ty, tx] = Array.from({ length: 5 }, () => f.local("i32"));
  f.i32(0).set(t);
  f.block((done) =>
    f.loop((next) => {
      f.get(t).get(p.tileCount).i32GeS().brIf(done);
      f.get(p.firstTile).get(t).i32Add().set(g);
      locateTile(f, g, p.tilesPerImage, p.tilesAcross, n, ty, tx);
      body(t, n, ty, tx);
      f.get(t).i32(1).i32Add().set(t);
      f.br(next);
    }),
  );
}

/** winograd5Input: V = Bᵀ d B for 6x6 input tiles at (2ty - padTop, 2tx - padLeft); zero outside the image. */
export function winograd5InputFunction(): FunctionWriter {
  const f = new FunctionWriter("winograd5Input", WINOGRAD_INPUT_PARAMS.map(() => "i32" as const));
  const p = named(f, WINOGRAD_INPUT_PARAMS);
  const [y0, x0, pixelBytes, rowBytes, base, interior, outRow, at, last, plane] = Array.from({ length: 10 }, () => f.local("i32"));
  const rowOk = Array.from({ length: 6 }, () => f.local("i32"));
  const colOk = Array.from({ length: 6 }, () => f.local("i32"));
  const k = new Constants(f, [BT]);
  const s = sandwichLocals(f, BT, BT);
  const offsets = planeOffsets(f, p.planeBytes);
  f.get(p.channels).i32(2).i32Shl().set(pixelBytes);
  f.get(p.width).get(pixelBytes).i32Mul().set(rowBytes);

  const transform = (load: (i: number, j: number) => void) => {
    f.get(outRow).get(at).i32Add().set(plane);
    sandwich(f, k, BT, BT, s.rows, s.across, s.result, load, (a, b, value) => {
      planeAddress(f, plane, offsets, 6 * a + b);
      f.get(value).v128Store(0);
    });
  };
  const address = (i: number, j: number) => {
    f.get(base).get(at).i32Add();
    if (i > 0) f.get(rowBytes).i32(i).i32Mul().i32Add();
    if (j > 0) f.get(pixelBytes).i32(j).i32Mul().i32Add();
  };

  eachTile(f, p, (t, n, ty, tx) => {
    f.get(ty).i32(1).i32Shl().get(p.padTop).i32Sub().set(y0);
    f.get(tx).i32(1).i32Shl().get(p.padLeft).i32Sub().set(x0);
    for (let i = 0; i < 6; i++) {
      // 0 <= y0 + i < height, as one unsigned comparison.
      f.get(y0).i32(i).i32Add().get(p.height).i32LtU().set(rowOk[i]);
      f.get(x0).i32(i).i32Add().get(p.width).i32LtU().set(colOk[i]);
    }
    f.get(rowOk[0]).get(rowOk[5]).i32And().get(colOk[0]).i32And().get(colOk[5]).i32And().set(interior);
    // Address of input (n, y0, x0, 0), meaningful only where it lies inside.
    f.get(p.x).get(n).get(p.height).i32Mul().get(y0).i32Add().get(rowBytes).i32Mul().i32Add();
    f.get(x0).get(pixelBytes).i32Mul().i32Add().set(base);
    f.get(p.out).get(t).get(pixelBytes).i32Mul().i32Add().set(outRow);
    f.get(interior).if(
      () =>
        eachVector(f, p.channels, at, last, () =>
          transform((i, j) => {
            address(i, j);
            f.v128Load(0);
          }),
        ),
      () =>
        eachVector(f, p.channels, at, last, () =>
          transform((i, j) => {
            // Outside the image: zero (and the load reads x itself, always valid).
            address(i, j);
            f.get(p.x);
            f.get(rowOk[i]).get(colOk[j]).i32And().select();
            f.v128Load(0);
            f.v128Zero();
            f.get(rowOk[i]).get(colOk[j]).i32And().select();
          }),
        ),
    );
  });
  return f;
}

/** winograd5Output: Y = Aᵀ M A (+ bias, then ReLU when relu is 1) into y; outputs outside the image are not written. */
export function winograd5OutputFunction(): FunctionWriter {
  const f = new FunctionWriter("winograd5Output", WINOGRAD_OUTPUT_PARAMS.map(() => "i32" as const));
  const p = named(f, WINOGRAD_OUTPUT_PARAMS);
  const [pixelBytes, rowBytes, corner, tileRow, at, last, plane, right, down] = Array.from({ length: 9 }, () => f.local("i32"));
  const k = new Constants(f, [AT]);
  const s = sandwichLocals(f, AT, AT);
  const bias = f.local("v128");
  const zero = f.local("v128");
  const offsets = planeOffsets(f, p.planeBytes);
  f.get(p.channels).i32(2).i32Shl().set(pixelBytes);
  f.get(p.outWidth).get(pixelBytes).i32Mul().set(rowBytes);
  f.v128Zero().set(zero);
  f.v128Zero().set(bias);

  const transform = () => {
    f.get(tileRow).get(at).i32Add().set(plane);
    f.get(p.bias).if(() => f.get(p.bias).get(at).i32Add().v128Load(0).set(bias));
    const load = (i: number, j: number) => {
      planeAddress(f, plane, offsets, 6 * i + j);
      f.v128Load(0);
    };
    sandwich(f, k, AT, AT, s.rows, s.across, s.result, load, (i, j, y) => {
      f.get(y).get(bias).f32x4Add().set(y);
      f.get(p.relu).if(() => f.get(y).get(zero).f32x4Max().set(y));
      // Output (2ty + i, 2tx + j): written only inside the image.
      const store = () => {
        f.get(corner).get(at).i32Add();
        if (i > 0) f.get(rowBytes).i32Add();
        if (j > 0) f.get(pixelBytes).i32Add();
        f.get(y).v128Store(0);
      };
      if (i === 0 && j === 0) store();
      else if (i === 0) f.get(right).if(store);
      else if (j === 0) f.get(down).if(store);
      else f.get(right).get(down).i32And().if(store);
    });
  };

  eachTile(f, p, (t, n, ty, tx) => {
    f.get(tx).i32(1).i32Shl().i32(1).i32Add().get(p.outWidth).i32LtU().set(right);
    f.get(ty).i32(1).i32Shl().i32(1).i32Add().get(p.outHeight).i32LtU().set(down);
    f.get(p.y).get(n).get(p.outHeight).i32Mul().get(ty).i32(1).i32Shl().i32Add().get(rowBytes).i32Mul().i32Add();
    f.get(tx).i32(1).i32Shl().get(pixelBytes).i32Mul().i32Add().set(corner);
    f.get(p.m).get(t).get(pixelBytes).i32Mul().i32Add().set(tileRow);
    eachVector(f, p.channels, at, last, transform);
  });
  return f;
}

/**
 * winograd5Filter: U = G g Gᵀ for a [5, 5, inChannels, outChannels] filter
 * into 36 planes [inChannels][outChannels]; flip 1 reads g[4 - kh][4 - kw].
 */
export function winograd5FilterFunction(): FunctionWriter {
  const f = new FunctionWriter("winograd5Filter", WINOGRAD_FILTER_PARAMS.map(() => "i32" as const));
  const p = named(f, WINOGRAD_FILTER_PARAMS);
  const [ci, rowBytes, tapBytes, source, target, at, last, plane] = Array.from({ length: 8 }, () => f.local("i32"));
  const k = new Constants(f, [G]);
  const s = sandwichLocals(f, G, G);
  f.get(p.outChannels).i32(2).i32Shl().set(rowBytes);
  f.get(p.inChannels).get(rowBytes).i32Mul().set(tapBytes);
  const offsets = planeOffsets(f, tapBytes);

  f.i32(0).set(ci);
  f.block((done) =>
    f.loop((nextIn) => {
      f.get(ci).get(p.inChannels).i32GeS().brIf(done);
      f.get(p.w).get(ci).get(rowBytes).i32Mul().i32Add().set(source);
      f.get(p.out).get(ci).get(rowBytes).i32Mul().i32Add().set(target);
      eachVector(f, p.outChannels, at, last, () => {
        f.get(target).get(at).i32Add().set(plane);
        const load = (kh: number, kw: number) => {
          f.get(source).get(at).i32Add();
          f.get(tapBytes).i32((4 - kh) * 5 + (4 - kw)).i32Mul();
          f.get(tapBytes).i32(kh * 5 + kw).i32Mul();
          f.get(p.flip).select();
          f.i32Add().v128Load(0);
        };
        sandwich(f, k, G, G, s.rows, s.across, s.result, load, (a, b, u) => {
          planeAddress(f, plane, offsets, 6 * a + b);
          f.get(u).v128Store(0);
        });
      });
      f.get(ci).i32(1).i32Add().set(ci);
      f.br(nextIn);
    }),
  );
  return f;
}

/** winograd5Gradient: Z = A dY Aᵀ for the 2x2 output tiles of dy (outside the image: zero), into 36 planes. */
export function winograd5GradientFunction(): FunctionWriter {
  const f = new FunctionWriter("winograd5Gradient", WINOGRAD_GRADIENT_PARAMS.map(() => "i32" as const));
  const p = named(f, WINOGRAD_GRADIENT_PARAMS);
  const [pixelBytes, rowBytes, corner, right, down, outRow, at, last, plane] = Array.from({ length: 9 }, () => f.local("i32"));
  const k = new Constants(f, [A]);
  const s = sandwichLocals(f, A, A);
  const offsets = planeOffsets(f, p.planeBytes);
  f.get(p.channels).i32(2).i32Shl().set(pixelBytes);
  f.get(p.outWidth).get(pixelBytes).i32Mul().set(rowBytes);

  const load = (i: number, j: number) => {
    f.get(corner).get(at).i32Add();
    if (i > 0) f.get(rowBytes).i32Add();
    if (j > 0) f.get(pixelBytes).i32Add();
    if (i === 0 && j === 0) {
      f.v128Load(0);
      return;
    }
    // Outside the image: zero (loading the corner instead, always valid).
    const inside = () => {
      if (i > 0 && j > 0) f.get(right).get(down).i32And();
      else f.get(i > 0 ? down : right);
    };
    f.get(corner).get(at).i32Add();
    inside();
    f.select().v128Load(0).v128Zero();
    inside();
    f.select();
  };

  eachTile(f, p, (t, n, ty, tx) => {
    f.get(tx).i32(1).i32Shl().i32(1).i32Add().get(p.outWidth).i32LtU().set(right);
    f.get(ty).i32(1).i32Shl().i32(1).i32Add().get(p.outHeight).i32LtU().set(down);
    f.get(p.dy).get(n).get(p.outHeight).i32Mul().get(ty).i32(1).i32Shl().i32Add().get(rowBytes).i32Mul().i32Add();
    f.get(tx).i32(1).i32Shl().get(pixelBytes).i32Mul().i32Add().set(corner);
    f.get(p.out).get(t).get(pixelBytes).i32Mul().i32Add().set(outRow);
    eachVector(f, p.channels, at, last, () => {
      f.get(outRow).get(at).i32Add().set(plane);
      sandwich(f, k, A, A, s.rows, s.across, s.result, load, (a, b, z) => {
        planeAddress(f, plane, offsets, 6 * a + b);
        f.get(z).v128Store(0);
      });
    });
  });
  return f;
}

/** winograd5FilterGradient: dW = Gᵀ dU G from 36 planes [inChannels][outChannels] into [5, 5, inChannels, outChannels]. */
export function winograd5FilterGradientFunction(): FunctionWriter {
  const f = new FunctionWriter("winograd5FilterGradient", WINOGRAD_FILTER_GRADIENT_PARAMS.map(() => "i32" as const));
  const p = named(f, WINOGRAD_FILTER_GRADIENT_PARAMS);
  const [ci, rowBytes, tapBytes, source, target, at, last, plane] = Array.from({ length: 8 }, () => f.local("i32"));
  const k = new Constants(f, [GT]);
  const s = sandwichLocals(f, GT, GT);
  f.get(p.outChannels).i32(2).i32Shl().set(rowBytes);
  f.get(p.inChannels).get(rowBytes).i32Mul().set(tapBytes);
  const offsets = planeOffsets(f, tapBytes);

  f.i32(0).set(ci);
  f.block((done) =>
    f.loop((nextIn) => {
      f.get(ci).get(p.inChannels).i32GeS().brIf(done);
      f.get(p.du).get(ci).get(rowBytes).i32Mul().i32Add().set(source);
      f.get(p.out).get(ci).get(rowBytes).i32Mul().i32Add().set(target);
      eachVector(f, p.outChannels, at, last, () => {
        f.get(source).get(at).i32Add().set(plane);
        const load = (a: number, b: number) => {
          planeAddress(f, plane, offsets, 6 * a + b);
          f.v128Load(0);
        };
        sandwich(f, k, GT, GT, s.rows, s.across, s.result, load, (kh, kw, w) => {
          f.get(target).get(at).i32Add();
          if (kh * 5 + kw > 0) f.get(tapBytes).i32(kh * 5 + kw).i32Mul().i32Add();
          f.get(w).v128Store(0);
        });
      });
      f.get(ci).i32(1).i32Add().set(ci);
      f.br(nextIn);
    }),
  );
  return f;
}

export const WINOGRAD5_SCATTER_PARAMS = [
  "dv", "planeBytes", "firstTile", "tileCount", "channels", "dx", "height", "width", "padTop", "padLeft", "tilesAcross", "tilesPerImage",
] as const;

/**
 * winograd5Scatter: the input gradient's last step, the adjoint of
 * winograd5Input: dd = B dV Bᵀ for each tile of the chunk in dv, added into
 * dx [images, height, width, channels] at the tile's 6x6 input window
 * (2ty - padTop, 2tx - padLeft); positions outside the image are skipped.
 * Neighbouring windows overlap, so tiles of one image must be added by one
 * thread, and channels must be a multiple of 4 (an overlapping last vector
 * would add twice).
 */
export function winograd5ScatterFunction(): FunctionWriter {
  const f = new FunctionWriter("winograd5Scatter", WINOGRAD5_SCATTER_PARAMS.map(() => "i32" as const));
  const p = named(f, WINOGRAD5_SCATTER_PARAMS);
  const [y0, x0, pixelBytes, rowBytes, base, interior, tileRow, at, last, plane] = Array.from({ length: 10 }, () => f.local("i32"));
  const rowOk = Array.from({ length: 6 }, () => f.local("i32"));
  const colOk = Array.from({ length: 6 }, () => f.local("i32"));
  const B = transposed(BT);
  const k = new Constants(f, [B]);
  const s = sandwichLocals(f, B, B);
  const offsets = planeOffsets(f, p.planeBytes);
  f.get(p.channels).i32(2).i32Shl().set(pixelBytes);
  f.get(p.width).get(pixelBytes).i32Mul().set(rowBytes);

  const address = (i: number, j: number) => {
    f.get(base).get(at).i32Add();
    if (i > 0) f.get(rowBytes).i32(i).i32Mul().i32Add();
    if (j > 0) f.get(pixelBytes).i32(j).i32Mul().i32Add();
  };
  const load = (i: number, j: number) => {
    planeAddress(f, plane, offsets, 6 * i + j);
    f.v128Load(0);
  };
  const transform = (checked: boolean) =>
    eachVector(f, p.channels, at, last, () => {
      f.get(tileRow).get(at).i32Add().set(plane);
      sandwich(f, k, B, B, s.rows, s.across, s.result, load, (i, j, value) => {
        const add = () => {
          address(i, j);
          address(i, j);
          f.v128Load(0).get(value).f32x4Add().v128Store(0);
        };
        if (checked) f.get(rowOk[i]).get(colOk[j]).i32And().if(add);
        else add();
      });
    });

  eachTile(f, p, (t, n, ty, tx) => {
    f.get(ty).i32(1).i32Shl().get(p.padTop).i32Sub().set(y0);
    f.get(tx).i32(1).i32Shl().get(p.padLeft).i32Sub().set(x0);
    for (let i = 0; i < 6; i++) {
      f.get(y0).i32(i).i32Add().get(p.height).i32LtU().set(rowOk[i]);
      f.get(x0).i32(i).i32Add().get(p.width).i32LtU().set(colOk[i]);
    }
    f.get(rowOk[0]).get(rowOk[5]).i32And().get(colOk[0]).i32And().get(colOk[5]).i32And().set(interior);
    f.get(p.dx).get(n).get(p.height).i32Mul().get(y0).i32Add().get(rowBytes).i32Mul().i32Add();
    f.get(x0).get(pixelBytes).i32Mul().i32Add().set(base);
    f.get(p.dv).get(t).get(pixelBytes).i32Mul().i32Add().set(tileRow);
    f.get(interior).if(
      () => transform(false),
      () => transform(true),
    );
  });
  return f;
}

/** All the F(2x2, 5x5) transforms, in module order. */
export function winograd5Functions(): FunctionWriter[] {
  return [
    winograd5InputFunction(),
    winograd5OutputFunction(),
    winograd5FilterFunction(),
    winograd5GradientFunction(),
    winograd5FilterGradientFunction(),
    winograd5ScatterFunction(),
  ];
}
