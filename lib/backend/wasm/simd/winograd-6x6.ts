/**
 * Generated SIMD transforms of Winograd's algorithms on 6x6 input tiles:
 *
 * - F(2x2, 5x5) for 5x5 stride-1 convolutions (LeNet's second): a 2x2
 *   output tile with 36 multiplications per channel pair instead of 100;
 * - F(4x4, 3x3) for 3x3 stride-1 convolutions: a 4x4 output tile with 36
 *   instead of 144 (F(2x2, 3x3) in ./winograd needs 64 for the same tile).
 *
 *   Y = Aᵀ [ U ⊙ V ] A,   U = G g Gᵀ (filter),   V = Bᵀ d B (input tile),
 *
 * and for the filter gradient dU[ξ] = Σ over tiles of V[ξ]ᵀ Z[ξ] with
 * Z = A dY Aᵀ, then dW = Gᵀ dU G. Both come from the points 0, 1, -1, 2, -2
 * and infinity (Toom-Cook, as in Lavin & Gray 2015), so they share Bᵀ; their
 * small integer and sixth/twelfth/twenty-fourth entries keep float32 sums
 * within about 1e-5 of the direct product's on unit-scale data.
 *
 * Same layouts (./winograd-layout) and parameters as ./winograd's
 * F(2x2, 3x3) transforms (36 planes ξ = 6a + b instead of 16), so the host
 * code and the products are shared; channels >= 4 for the same reason. Each
 * transform is written from its matrices: a `Sandwich` emits M X Mᵀ on a
 * small matrix of vectors, with ./constant-matrix's shortcuts.
 */
import { FunctionWriter, Local } from "./wasm-writer";
import { applyMatrix, Constants, Matrix, MatrixPlan, planMatrix, PlanScratch, planScratch } from "./constant-matrix";
import { countUp, eachVector, named } from "./rows";
import * as layout from "./winograd-layout";
import {
  WINOGRAD_FILTER_GRADIENT_PARAMS,
  WINOGRAD_FILTER_PARAMS,
  WINOGRAD_GRADIENT_PARAMS,
  WINOGRAD_INPUT_PARAMS,
  WINOGRAD_OUTPUT_PARAMS,
} from "./winograd";


/** Transformed tiles and filters: 6x6 (ξ = 6a + b). */
const PLANES = 36;

/** Bᵀ (6x6): transformed input from 6 inputs along one axis (both algorithms). */
const BT: Matrix = [
  [4, 0, -5, 0, 1, 0],
  [0, -4, -4, 1, 1, 0],
  [0, 4, -4, -1, 1, 0],
  [0, -2, -1, 2, 1, 0],
  [0, 2, -1, -2, 1, 0],
  [0, 4, 0, -5, 0, 1],
];

const transposed = (m: Matrix): number[][] => m[0].map((_, j) => m.map((row) => row[j]));

/** One algorithm F(m x m, r x r) on 6x6 tiles (m + r - 1 = 6): its matrices and the prefix of its functions' names. */
export interface Tiles6x6 {
  name: "winograd5" | "winograd4x4";
  /** The output tile's side m. */
  outputTile: 2 | 4;
  /** The filter's side r. */
  filterSize: 3 | 5;
  /** Aᵀ (m x 6): output tile from the 6 products along one axis. */
  AT: Matrix;
  /** G (6 x r): transformed filter from the r taps along one axis. */
  G: Matrix;
  BT: Matrix;
}

export const F2X2_5X5: Tiles6x6 = {
  name: "winograd5",
  outputTile: 2,
  filterSize: 5,
  AT: [
    [1, 1, 1, 1, 1, 0],
    [0, 1, -1, 2, -2, 1],
  ],
  G: [
    [1 / 4, 0, 0, 0, 0],
    [-1 / 6, -1 / 6, -1 / 6, -1 / 6, -1 / 6],
    [-1 / 6, 1 / 6, -1 / 6, 1 / 6, -1 / 6],
    [1 / 24, 1 / 12, 1 / 6, 1 / 3, 2 / 3],
    [1 / 24, -1 / 12, 1 / 6, -1 / 3, 2 / 3],
    [0, 0, 0, 0, 1],
  ],
  BT,
};

export const F4X4_3X3: Tiles6x6 = {
  name: "winograd4x4",
  outputTile: 4,
  filterSize: 3,
  AT: [
    [1, 1, 1, 1, 1, 0],
    [0, 1, -1, 2, -2, 0],
    [0, 1, 1, 4, 4, 0],
    [0, 1, -1, 8, -8, 1],
  ],
  G: [
    [1 / 4, 0, 0],
    [-1 / 6, -1 / 6, -1 / 6],
    [-1 / 6, 1 / 6, -1 / 6],
    [1 / 24, 1 / 12, 1 / 6],
    [1 / 24, -1 / 12, 1 / 6],
    [0, 0, 1],
  ],
  BT,
};

/**
 * M X Mᵀ for X (6 x 6 vectors, or M's width square) and a constant M: the
 * plan, constants and locals of one transform, allocated where its function starts.
 */
class Sandwich {
  private readonly plan: MatrixPlan;
  private readonly k: Constants;
  private readonly scratch: PlanScratch;
  private readonly rows: Local[];
  private readonly across: Local[][];
  private readonly result: Local[];

  constructor(
    private readonly f: FunctionWriter,
    m: Matrix,
  ) {
    this.plan = planMatrix(m);
    this.k = new Constants(f, this.plan);
    const v = () => f.local("v128");
    this.rows = Array.from({ length: m[0].length }, v);
    this.across = Array.from({ length: m[0].length }, () => Array.from({ length: m.length }, v));
    this.result = Array.from({ length: m.length }, v);
    this.scratch = planScratch(f, this.plan);
  }

  /** Emits M X Mᵀ, X read by `x(i, j)` into the stack, each result handed to `use(a, b, local)`. */
  emit(x: (i: number, j: number) => void, use: (a: number, b: number, value: Local) => void): void {
    const { f, k, plan, scratch, rows, across, result } = this;
    // Rows of X times Mᵀ: across[i][b].
    across.forEach((acrossRow, i) => {
      rows.forEach((row, j) => {
        x(i, j);
        f.set(row);
      });
      applyMatrix(f, k, plan, rows, scratch, acrossRow);
    });
    // M times each column.
    for (let b = 0; b < result.length; b++) {
      applyMatrix(
        f,
        k,
        plan,
        across.map((row) => row[b]),
        scratch,
        result,
      );
      result.forEach((value, a) => use(a, b, value));
    }
  }
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
function windowLocals(f: FunctionWriter, spec: Tiles6x6, tensor: Local, p: WindowParams): { window: layout.InputWindow; tileRow: Local; at: Local; last: Local; plane: Local } {
  const [y0, x0, pixelBytes, rowBytes, base, interior, tileRow, at, last, plane] = Array.from({ length: 10 }, () => f.local("i32"));
  const rowOk = Array.from({ length: 6 }, () => f.local("i32"));
  const colOk = Array.from({ length: 6 }, () => f.local("i32"));
  const { height, width, padTop, padLeft } = p;
  return { window: { tileShift: Math.log2(spec.outputTile), tensor, height, width, padTop, padLeft, pixelBytes, rowBytes, y0, x0, rowOk, colOk, interior, base }, tileRow, at, last, plane };
}

/** The output corner's inside flags for rows (columns) 1 .. m - 1 of a tile. */
function insideFlags(f: FunctionWriter, spec: Tiles6x6): [Local[], Local[]] {
  const flags = () => Array.from({ length: spec.outputTile - 1 }, () => f.local("i32"));
  const colIn = flags();
  return [flags(), colIn];
}

/** <name>Input: V = Bᵀ d B for 6x6 input tiles at (m·ty - padTop, m·tx - padLeft); zero outside the image. */
export function inputFunction(spec: Tiles6x6): FunctionWriter {
  const { BT } = spec;
  const f = new FunctionWriter(`${spec.name}Input`, WINOGRAD_INPUT_PARAMS.map(() => "i32" as const));
  const p = named(f, WINOGRAD_INPUT_PARAMS);
  const { window, tileRow, at, last, plane } = windowLocals(f, spec, p.x, p);
  const s = new Sandwich(f, BT);
  const offsets = layout.planeOffsetLocals(f, p.planeBytes, PLANES);
  layout.setPixelStrides(f, p.channels, p.width, window.pixelBytes, window.rowBytes);

  const transform = (load: (i: number, j: number) => void) => {
    f.get(tileRow).get(at).i32Add().set(plane);
    s.emit(load, (a, b, value) => layout.storeToPlane(f, plane, offsets, 6 * a + b, value));
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

/** <name>Output: Y = Aᵀ M A (+ bias, then ReLU when relu is 1) into y; outputs outside the image are not written. */
export function outputFunction(spec: Tiles6x6): FunctionWriter {
  const { AT } = spec;
  const f = new FunctionWriter(`${spec.name}Output`, WINOGRAD_OUTPUT_PARAMS.map(() => "i32" as const));
  const p = named(f, WINOGRAD_OUTPUT_PARAMS);
  const [pixelBytes, rowBytes, corner, tileRow, at, last, plane] = Array.from({ length: 7 }, () => f.local("i32"));
  const [rowIn, colIn] = insideFlags(f, spec);
  const s = new Sandwich(f, AT);
  const bias = f.local("v128");
  const zero = f.local("v128");
  const offsets = layout.planeOffsetLocals(f, p.planeBytes, PLANES);
  const outputs: layout.OutputCorner = { tensor: p.y, outHeight: p.outHeight, outWidth: p.outWidth, pixelBytes, rowBytes, corner, rowIn, colIn };
  layout.setPixelStrides(f, p.channels, p.outWidth, pixelBytes, rowBytes);
  f.v128Zero().set(zero);
  f.v128Zero().set(bias);

  const transform = () => {
    f.get(tileRow).get(at).i32Add().set(plane);
    f.get(p.bias).if(() => f.get(p.bias).get(at).i32Add().v128Load(0).set(bias));
    const load = (i: number, j: number) => layout.loadFromPlane(f, plane, offsets, 6 * i + j);
    s.emit(load, (i, j, y) => {
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

/** A filter-side transform's locals: the walk over [.., inChannels, outChannels] rows, its plane and its sandwich. */
interface FilterSide {
  walk: layout.FilterRows;
  plane: Local;
  s: Sandwich;
  offsets: Local[];
}

/** Allocates a filter-side transform's locals for L X Lᵀ (planes and taps inChannels x outChannels apart), and sets its strides. */
function filterSide(f: FunctionWriter, L: Matrix, p: Record<"inChannels" | "outChannels", Local>): FilterSide {
  const walk = layout.filterRowLocals(f);
  const plane = f.local("i32");
  const s = new Sandwich(f, L);
  layout.setFilterStrides(f, walk, p.inChannels, p.outChannels);
  return { walk, plane, s, offsets: layout.planeOffsetLocals(f, walk.tapBytes, PLANES) };
}

/**
 * <name>Filter: U = G g Gᵀ for an [r, r, inChannels, outChannels] filter
 * into 36 planes [inChannels][outChannels]; flip 1 reads g[r - 1 - kh][r - 1 - kw].
 */
export function filterFunction(spec: Tiles6x6): FunctionWriter {
  const { G, filterSize: r } = spec;
  const f = new FunctionWriter(`${spec.name}Filter`, WINOGRAD_FILTER_PARAMS.map(() => "i32" as const));
  const p = named(f, WINOGRAD_FILTER_PARAMS);
  const { walk, plane, s, offsets } = filterSide(f, G, p);
  const { source, target, at, tapBytes } = walk;

  const load = (kh: number, kw: number) => {
    f.get(source).get(at).i32Add();
    f.get(tapBytes).i32((r - 1 - kh) * r + (r - 1 - kw)).i32Mul();
    f.get(tapBytes).i32(kh * r + kw).i32Mul();
    f.get(p.flip).select();
    f.i32Add().v128Load(0);
  };
  layout.eachFilterVector(f, walk, p.w, p.out, p.inChannels, p.outChannels, () => {
    f.get(target).get(at).i32Add().set(plane);
    s.emit(load, (a, b, u) => layout.storeToPlane(f, plane, offsets, 6 * a + b, u));
  });
  return f;
}

/** <name>Gradient: Z = A dY Aᵀ for the m x m output tiles of dy (outside the image: zero), into 36 planes. */
export function gradientFunction(spec: Tiles6x6): FunctionWriter {
  const A = transposed(spec.AT);
  const f = new FunctionWriter(`${spec.name}Gradient`, WINOGRAD_GRADIENT_PARAMS.map(() => "i32" as const));
  const p = named(f, WINOGRAD_GRADIENT_PARAMS);
  const [pixelBytes, rowBytes, corner] = Array.from({ length: 3 }, () => f.local("i32"));
  const [rowIn, colIn] = insideFlags(f, spec);
  const [tileRow, at, last, plane] = Array.from({ length: 4 }, () => f.local("i32"));
  const s = new Sandwich(f, A);
  const offsets = layout.planeOffsetLocals(f, p.planeBytes, PLANES);
  const outputs: layout.OutputCorner = { tensor: p.dy, outHeight: p.outHeight, outWidth: p.outWidth, pixelBytes, rowBytes, corner, rowIn, colIn };
  layout.setPixelStrides(f, p.channels, p.outWidth, pixelBytes, rowBytes);

  eachTile(f, p, (t, n, ty, tx) => {
    layout.locateOutputCorner(f, outputs, n, ty, tx);
    f.get(p.out).get(t).get(pixelBytes).i32Mul().i32Add().set(tileRow);
    eachVector(f, p.channels, at, last, () => {
      f.get(tileRow).get(at).i32Add().set(plane);
      const load = (i: number, j: number) => layout.loadOutputOrZero(f, outputs, at, i, j);
      s.emit(load, (a, b, z) => layout.storeToPlane(f, plane, offsets, 6 * a + b, z));
    });
  });
  return f;
}

/** <name>FilterGradient: dW = Gᵀ dU G from 36 planes [inChannels][outChannels] into [r, r, inChannels, outChannels]. */
export function filterGradientFunction(spec: Tiles6x6): FunctionWriter {
  const GT = transposed(spec.G);
  const r = spec.filterSize;
  const f = new FunctionWriter(`${spec.name}FilterGradient`, WINOGRAD_FILTER_GRADIENT_PARAMS.map(() => "i32" as const));
  const p = named(f, WINOGRAD_FILTER_GRADIENT_PARAMS);
  const { walk, plane, s, offsets } = filterSide(f, GT, p);
  const { source, target, at, tapBytes } = walk;

  const load = (a: number, b: number) => layout.loadFromPlane(f, plane, offsets, 6 * a + b);
  layout.eachFilterVector(f, walk, p.du, p.out, p.inChannels, p.outChannels, () => {
    f.get(source).get(at).i32Add().set(plane);
    s.emit(load, (kh, kw, w) => {
      f.get(target).get(at).i32Add();
      if (kh * r + kw > 0) f.get(tapBytes).i32(kh * r + kw).i32Mul().i32Add();
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
export function scatterFunction(spec: Tiles6x6): FunctionWriter {
  const f = new FunctionWriter(`${spec.name}Scatter`, WINOGRAD5_SCATTER_PARAMS.map(() => "i32" as const));
  const p = named(f, WINOGRAD5_SCATTER_PARAMS);
  const { window, tileRow, at, last, plane } = windowLocals(f, spec, p.dx, p);
  const B = transposed(spec.BT);
  const s = new Sandwich(f, B);
  const offsets = layout.planeOffsetLocals(f, p.planeBytes, PLANES);
  layout.setPixelStrides(f, p.channels, p.width, window.pixelBytes, window.rowBytes);

  const load = (i: number, j: number) => layout.loadFromPlane(f, plane, offsets, 6 * i + j);
  const transform = (checked: boolean) =>
    eachVector(f, p.channels, at, last, () => {
      f.get(tileRow).get(at).i32Add().set(plane);
      s.emit(load, (i, j, value) => {
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

/** All the 6x6-tile transforms, in module order: F(2x2, 5x5)'s (with the scatter its input gradient uses), then F(4x4, 3x3)'s. */
export function winograd6x6Functions(): FunctionWriter[] {
  const transforms = (spec: Tiles6x6) => [inputFunction(spec), outputFunction(spec), filterFunction(spec), gradientFunction(spec), filterGradientFunction(spec)];
  return [...transforms(F2X2_5X5), scatterFunction(F2X2_5X5), ...transforms(F4X4_3X3)];
}
