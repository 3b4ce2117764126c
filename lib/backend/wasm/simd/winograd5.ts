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
 * Same layouts (./winograd-layout) and parameters as ./winograd's
 * F(2x2, 3x3) transforms (36 planes ξ = 6a + b instead of 16), so the host
 * code and the products are shared; channels >= 4 for the same reason. Each transform is written from
 * its matrices: `sandwich` emits L X Rᵀ on a small matrix of vectors.
 */
import { FunctionWriter, Local } from "./wasm-writer";
import { countUp, eachVector, named } from "./rows";
import * as layout from "./winograd-layout";
import {
  WINOGRAD_FILTER_GRADIENT_PARAMS,
  WINOGRAD_FILTER_PARAMS,
  WINOGRAD_GRADIENT_PARAMS,
  WINOGRAD_INPUT_PARAMS,
  WINOGRAD_OUTPUT_PARAMS,
} from "./winograd";

type Matrix = readonly (readonly number[])[];

/** Transformed tiles and filters: 6x6 (ξ = 6a + b). */
const PLANES = 36;

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

/** The F(2x2, 5x5) matrices (tests/backend/winograd5-matrices checks them against the direct correlation). */
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
  { rows, across, result }: SandwichLocals,
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

/** The locals `sandwich` needs. */
interface SandwichLocals {
  rows: Local[];
  across: Local[][];
  result: Local[];
}

/** The locals `sandwich` needs for L (a x p) and R (b x q). */
function sandwichLocals(f: FunctionWriter, L: Matrix, R: Matrix): SandwichLocals {
  const v = () => f.local("v128");
  return {
    rows: Array.from({ length: R[0].length }, v),
    across: Array.from({ length: L[0].length }, () => Array.from({ length: R.length }, v)),
    result: Array.from({ length: L.length }, v),
  };
}

/** Tile g's image n, tile row ty and column tx. */
function locateTile(f: FunctionWriter, g: Local, tilesPerImage: Local, tilesAcross: Local, n: Local, ty: Local, tx: Local): void {
  f.get(g).get(tilesPerImage).i32DivU().set(n);
  f.get(g).get(n).get(tilesPerImage).i32Mul().i32Sub().get(tilesAcross).i32DivU().set(ty);
  f.get(g).get(n).get(tilesPerImage).i32Mul().i32Sub().get(ty).get(tilesAcross).i32Mul().i32Sub().set(tx);
}

type TileParams = Record<"firstTile" | "tileCount" | "tilesPerImage" | "tilesAcross", Local>;

/** Runs `body` for tiles t = 0 .. tileCount - 1 (tile number g = firstTile + t, image n, tile row ty, column tx). */
function eachTile(f: FunctionWriter, p: TileParams, body: (t: Local, n: Local, ty: Local, tx: Local) => void): void {
  const [t, g, n, ty, tx] = Array.from({ length: 5 }, () => f.local("i32"));
  countUp(f, t, p.tileCount, () => {
    f.get(p.firstTile).get(t).i32Add().set(g);
    locateTile(f, g, p.tilesPerImage, p.tilesAcross, n, ty, tx);
    body(t, n, ty, tx);
  });
}

type WindowParams = Record<"height" | "width" | "padTop" | "padLeft", Local>;

/**
 * The input window of `tensor` (x, or dx for the scatter) and the locals
 * around it, allocated in the order the input and scatter transforms share.
 */
function windowLocals(f: FunctionWriter, tensor: Local, p: WindowParams): { window: layout.InputWindow; tileRow: Local; at: Local; last: Local; plane: Local } {
  const [y0, x0, pixelBytes, rowBytes, base, interior, tileRow, at, last, plane] = Array.from({ length: 10 }, () => f.local("i32"));
  const rowOk = Array.from({ length: 6 }, () => f.local("i32"));
  const colOk = Array.from({ length: 6 }, () => f.local("i32"));
  const { height, width, padTop, padLeft } = p;
  return { window: { tensor, height, width, padTop, padLeft, pixelBytes, rowBytes, y0, x0, rowOk, colOk, interior, base }, tileRow, at, last, plane };
}

/** winograd5Input: V = Bᵀ d B for 6x6 input tiles at (2ty - padTop, 2tx - padLeft); zero outside the image. */
export function winograd5InputFunction(): FunctionWriter {
  const f = new FunctionWriter("winograd5Input", WINOGRAD_INPUT_PARAMS.map(() => "i32" as const));
  const p = named(f, WINOGRAD_INPUT_PARAMS);
  const { window, tileRow, at, last, plane } = windowLocals(f, p.x, p);
  const k = new Constants(f, [BT]);
  const s = sandwichLocals(f, BT, BT);
  const offsets = layout.planeOffsetLocals(f, p.planeBytes, PLANES);
  layout.setPixelStrides(f, p.channels, p.width, window.pixelBytes, window.rowBytes);

  const transform = (load: (i: number, j: number) => void) => {
    f.get(tileRow).get(at).i32Add().set(plane);
    sandwich(f, k, BT, BT, s, load, (a, b, value) => layout.storeToPlane(f, plane, offsets, 6 * a + b, value));
  };
  const loadInterior = (i: number, j: number) => {
    layout.windowAddress(f, window, at, i, j);
    f.v128Load(0);
  };

  eachTile(f, p, (t, n, ty, tx) => {
    layout.locateInputWindow(f, window, n, ty, tx);
    f.get(p.out).get(t).get(window.pixelBytes).i32Mul().i32Add().set(tileRow);
    f.get(window.interior).if(
      () => eachVector(f, p.channels, at, last, () => transform(loadInterior)),
      () => eachVector(f, p.channels, at, last, () => transform((i, j) => layout.loadWindowOrZero(f, window, at, i, j))),
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
  const offsets = layout.planeOffsetLocals(f, p.planeBytes, PLANES);
  const outputs: layout.OutputCorner = { tensor: p.y, outHeight: p.outHeight, outWidth: p.outWidth, pixelBytes, rowBytes, corner, right, down };
  layout.setPixelStrides(f, p.channels, p.outWidth, pixelBytes, rowBytes);
  f.v128Zero().set(zero);
  f.v128Zero().set(bias);

  const transform = () => {
    f.get(tileRow).get(at).i32Add().set(plane);
    f.get(p.bias).if(() => f.get(p.bias).get(at).i32Add().v128Load(0).set(bias));
    const load = (i: number, j: number) => layout.loadFromPlane(f, plane, offsets, 6 * i + j);
    sandwich(f, k, AT, AT, s, load, (i, j, y) => {
      f.get(y).get(bias).f32x4Add().set(y);
      f.get(p.relu).if(() => f.get(y).get(zero).f32x4Max().set(y));
      layout.storeOutputIfInside(f, outputs, at, i, j, y);
    });
  };

  eachTile(f, p, (t, n, ty, tx) => {
    layout.locateOutputCorner(f, outputs, n, ty, tx);
    f.get(p.m).get(t).get(pixelBytes).i32Mul().i32Add().set(tileRow);
    eachVector(f, p.channels, at, last, transform);
  });
  return f;
}

/** A filter-side transform's locals: the walk over [.., inChannels, outChannels] rows, its plane, constants and `sandwich` locals. */
interface FilterSide {
  walk: layout.FilterRows;
  plane: Local;
  k: Constants;
  s: SandwichLocals;
  offsets: Local[];
}

/** Allocates a filter-side transform's locals for L X Lᵀ (planes and taps inChannels x outChannels apart), and sets its strides. */
function filterSide(f: FunctionWriter, L: Matrix, p: Record<"inChannels" | "outChannels", Local>): FilterSide {
  const walk = layout.filterRowLocals(f);
  const plane = f.local("i32");
  const k = new Constants(f, [L]);
  const s = sandwichLocals(f, L, L);
  layout.setFilterStrides(f, walk, p.inChannels, p.outChannels);
  return { walk, plane, k, s, offsets: layout.planeOffsetLocals(f, walk.tapBytes, PLANES) };
}

/**
 * winograd5Filter: U = G g Gᵀ for a [5, 5, inChannels, outChannels] filter
 * into 36 planes [inChannels][outChannels]; flip 1 reads g[4 - kh][4 - kw].
 */
export function winograd5FilterFunction(): FunctionWriter {
  const f = new FunctionWriter("winograd5Filter", WINOGRAD_FILTER_PARAMS.map(() => "i32" as const));
  const p = named(f, WINOGRAD_FILTER_PARAMS);
  const { walk, plane, k, s, offsets } = filterSide(f, G, p);
  const { source, target, at, tapBytes } = walk;

  const load = (kh: number, kw: number) => {
    f.get(source).get(at).i32Add();
    f.get(tapBytes).i32((4 - kh) * 5 + (4 - kw)).i32Mul();
    f.get(tapBytes).i32(kh * 5 + kw).i32Mul();
    f.get(p.flip).select();
    f.i32Add().v128Load(0);
  };
  layout.eachFilterVector(f, walk, p.w, p.out, p.inChannels, p.outChannels, () => {
    f.get(target).get(at).i32Add().set(plane);
    sandwich(f, k, G, G, s, load, (a, b, u) => layout.storeToPlane(f, plane, offsets, 6 * a + b, u));
  });
  return f;
}

/** winograd5Gradient: Z = A dY Aᵀ for the 2x2 output tiles of dy (outside the image: zero), into 36 planes. */
export function winograd5GradientFunction(): FunctionWriter {
  const f = new FunctionWriter("winograd5Gradient", WINOGRAD_GRADIENT_PARAMS.map(() => "i32" as const));
  const p = named(f, WINOGRAD_GRADIENT_PARAMS);
  const [pixelBytes, rowBytes, corner, right, down, tileRow, at, last, plane] = Array.from({ length: 9 }, () => f.local("i32"));
  const k = new Constants(f, [A]);
  const s = sandwichLocals(f, A, A);
  const offsets = layout.planeOffsetLocals(f, p.planeBytes, PLANES);
  const outputs: layout.OutputCorner = { tensor: p.dy, outHeight: p.outHeight, outWidth: p.outWidth, pixelBytes, rowBytes, corner, right, down };
  layout.setPixelStrides(f, p.channels, p.outWidth, pixelBytes, rowBytes);

  eachTile(f, p, (t, n, ty, tx) => {
    layout.locateOutputCorner(f, outputs, n, ty, tx);
    f.get(p.out).get(t).get(pixelBytes).i32Mul().i32Add().set(tileRow);
    eachVector(f, p.channels, at, last, () => {
      f.get(tileRow).get(at).i32Add().set(plane);
      const load = (i: number, j: number) => layout.loadOutputOrZero(f, outputs, at, i, j);
      sandwich(f, k, A, A, s, load, (a, b, z) => layout.storeToPlane(f, plane, offsets, 6 * a + b, z));
    });
  });
  return f;
}

/** winograd5FilterGradient: dW = Gᵀ dU G from 36 planes [inChannels][outChannels] into [5, 5, inChannels, outChannels]. */
export function winograd5FilterGradientFunction(): FunctionWriter {
  const f = new FunctionWriter("winograd5FilterGradient", WINOGRAD_FILTER_GRADIENT_PARAMS.map(() => "i32" as const));
  const p = named(f, WINOGRAD_FILTER_GRADIENT_PARAMS);
  const { walk, plane, k, s, offsets } = filterSide(f, GT, p);
  const { source, target, at, tapBytes } = walk;

  const load = (a: number, b: number) => layout.loadFromPlane(f, plane, offsets, 6 * a + b);
  layout.eachFilterVector(f, walk, p.du, p.out, p.inChannels, p.outChannels, () => {
    f.get(source).get(at).i32Add().set(plane);
    sandwich(f, k, GT, GT, s, load, (kh, kw, w) => {
      f.get(target).get(at).i32Add();
      if (kh * 5 + kw > 0) f.get(tapBytes).i32(kh * 5 + kw).i32Mul().i32Add();
      f.get(w).v128Store(0);
    });
  });
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
  const { window, tileRow, at, last, plane } = windowLocals(f, p.dx, p);
  const B = transposed(BT);
  const k = new Constants(f, [B]);
  const s = sandwichLocals(f, B, B);
  const offsets = layout.planeOffsetLocals(f, p.planeBytes, PLANES);
  layout.setPixelStrides(f, p.channels, p.width, window.pixelBytes, window.rowBytes);

  const load = (i: number, j: number) => layout.loadFromPlane(f, plane, offsets, 6 * i + j);
  const transform = (checked: boolean) =>
    eachVector(f, p.channels, at, last, () => {
      f.get(tileRow).get(at).i32Add().set(plane);
      sandwich(f, k, B, B, s, load, (i, j, value) => {
        const add = () => {
          layout.windowAddress(f, window, at, i, j);
          layout.windowAddress(f, window, at, i, j);
          f.v128Load(0).get(value).f32x4Add().v128Store(0);
        };
        if (!checked) return add();
        layout.windowInside(f, window, i, j);
        f.if(add);
      });
    });

  eachTile(f, p, (t, n, ty, tx) => {
    layout.locateInputWindow(f, window, n, ty, tx);
    f.get(p.dv).get(t).get(window.pixelBytes).i32Mul().i32Add().set(tileRow);
    f.get(window.interior).if(
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
