/**
 * Generated SIMD transforms of Winograd's F(2x2, 3x3) for 3x3 stride-1
 * convolutions (Lavin & Gray, "Fast Algorithms for Convolutional Neural
 * Networks", 2015). A 2x2 block of outputs ("tile") comes from a 4x4 block of
 * inputs with 16 multiplications per channel pair instead of 36:
 *
 *   Y = Aᵀ [ U ⊙ V ] A,   U = G g Gᵀ (filter),   V = Bᵀ d B (input tile)
 *
 * so a convolution becomes, per chunk of tiles, an input transform, 16
 * matrix products (one per position ξ of the 4x4 transformed tile: tiles x
 * in-channels times in-channels x out-channels, on ./gemm) and an output
 * transform. The filter gradient uses the same V: dU[ξ] = Σ over tiles of
 * V[ξ]ᵀ Z[ξ] with Z = A dY Aᵀ, then dW = Gᵀ dU G.
 *
 * Layouts and tile numbering: ./winograd-layout (here 16 planes, ξ = 4a + b).
 * Every transform works on four channels at a time, the last vector ending
 * at the last channel (it overlaps the one before when channels are not a
 * multiple of four and writes the same values again), so channels must be >= 4.
 */
import { FunctionWriter, Local } from "./wasm-writer";
import { countUp, eachVector, named } from "./rows";
import * as layout from "./winograd-layout";

/** Transformed tiles and filters: 4x4. */
const PLANES = 16;

// Bᵀ, G and Aᵀ as the sums they stand for, on four values along one axis.
type V4 = [Local, Local, Local, Local];

export const WINOGRAD_INPUT_PARAMS = [
  "x", "height", "width", "channels", "padTop", "padLeft", "tilesAcross", "tilesPerImage", "firstTile", "tileCount", "out", "planeBytes",
] as const;
export const WINOGRAD_OUTPUT_PARAMS = [
  "m", "planeBytes", "firstTile", "tileCount", "channels", "bias", "relu", "y", "outHeight", "outWidth", "tilesAcross", "tilesPerImage",
] as const;
export const WINOGRAD_FILTER_PARAMS = ["w", "inChannels", "outChannels", "flip", "out"] as const;
export const WINOGRAD_GRADIENT_PARAMS = [
  "dy", "outHeight", "outWidth", "channels", "tilesAcross", "tilesPerImage", "firstTile", "tileCount", "out", "planeBytes",
] as const;
export const WINOGRAD_FILTER_GRADIENT_PARAMS = ["du", "inChannels", "outChannels", "out"] as const;

/** A tile's number and place; `r` keeps the tile's number within its image. */
interface Tile {
  t: Local;
  g: Local;
  n: Local;
  r: Local;
  ty: Local;
  tx: Local;
}

/** Allocates a tile's locals (first, so the three tile transforms number them alike). */
function tileLocals(f: FunctionWriter): Tile {
  const [t, g, n, r, ty, tx] = Array.from({ length: 6 }, () => f.local("i32"));
  return { t, g, n, r, ty, tx };
}

/** Emits the tile's image, tile row and tile column from its number g. */
function locateTile(f: FunctionWriter, tile: Tile, tilesPerImage: Local, tilesAcross: Local): void {
  const { g, n, r, ty, tx } = tile;
  f.get(g).get(tilesPerImage).i32DivU().set(n);
  f.get(g).get(n).get(tilesPerImage).i32Mul().i32Sub().set(r);
  f.get(r).get(tilesAcross).i32DivU().set(ty);
  f.get(r).get(ty).get(tilesAcross).i32Mul().i32Sub().set(tx);
}

type TileParams = Record<"firstTile" | "tileCount" | "tilesPerImage" | "tilesAcross", Local>;

/** Runs `body` for tiles t = 0 .. tileCount - 1 of the chunk (tile number g = firstTile + t). */
function eachTile(f: FunctionWriter, p: TileParams, tile: Tile, body: () => void): void {
  countUp(f, tile.t, p.tileCount, () => {
    f.get(p.firstTile).get(tile.t).i32Add().set(tile.g);
    locateTile(f, tile, p.tilesPerImage, p.tilesAcross);
    body();
  });
}

/** Bᵀ on four values: (d0 - d2, d1 + d2, d2 - d1, d1 - d3), into `out`. */
function inputRows(f: FunctionWriter, d: V4, out: V4): void {
  f.get(d[0]).get(d[2]).f32x4Sub().set(out[0]);
  f.get(d[1]).get(d[2]).f32x4Add().set(out[1]);
  f.get(d[2]).get(d[1]).f32x4Sub().set(out[2]);
  f.get(d[1]).get(d[3]).f32x4Sub().set(out[3]);
}

/**
 * winogradInput: V for tiles firstTile .. firstTile + tileCount - 1 of x,
 * tile t of the chunk at out + ξ * planeBytes + t * channels * 4.
 */
export function winogradInputFunction(): FunctionWriter {
  const f = new FunctionWriter("winogradInput", WINOGRAD_INPUT_PARAMS.map(() => "i32" as const));
  const p = named(f, WINOGRAD_INPUT_PARAMS);
  const tile = tileLocals(f);
  const [y0, x0, pixelBytes, rowBytes, base, interior, outRow, at, last, row, plane] = Array.from({ length: 11 }, () => f.local("i32"));
  const rowOk = Array.from({ length: 4 }, () => f.local("i32"));
  const colOk = Array.from({ length: 4 }, () => f.local("i32"));
  const d = Array.from({ length: 4 }, () => f.local("v128")) as V4;
  const w = Array.from({ length: 4 }, () => Array.from({ length: 4 }, () => f.local("v128")) as V4);
  const out = Array.from({ length: 4 }, () => f.local("v128")) as V4;
  const planeOffsets = layout.planeOffsetLocals(f, p.planeBytes, PLANES);
  const { x: tensor, height, width, padTop, padLeft } = p;
  const window: layout.InputWindow = { tileShift: 1, tensor, height, width, padTop, padLeft, pixelBytes, rowBytes, y0, x0, rowOk, colOk, interior, base };
  layout.setPixelStrides(f, p.channels, p.width, pixelBytes, rowBytes);

  /** One vector of channels at byte offset `at`, rows loaded by `load(i, j)`. */
  const transform = (load: (i: number, j: number) => void) => {
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 4; j++) {
        load(i, j);
        f.set(d[j]);
      }
      // Bᵀ along the columns of row i (the B of "d B").
      inputRows(f, d, w[i]);
    }
    f.get(outRow).get(at).i32Add().set(plane);
    for (let j = 0; j < 4; j++) {
      // Bᵀ along the rows, column j: V[a][j] for a = 0..3, plane ξ = 4a + j.
      inputRows(f, [w[0][j], w[1][j], w[2][j], w[3][j]], out);
      for (let a = 0; a < 4; a++) layout.storeToPlane(f, plane, planeOffsets, 4 * a + j, out[a]);
    }
  };

  /** Window input (i, j), the window inside the image: each row's address kept for its four loads. */
  const loadInterior = (i: number, j: number) => {
    if (j === 0) {
      f.get(base).get(at).i32Add();
      if (i > 0) f.get(rowBytes).i32(i).i32Mul().i32Add();
      f.set(row);
    }
    f.get(row);
    if (j > 0) f.get(pixelBytes).i32(j).i32Mul().i32Add();
    f.v128Load(0);
  };

  eachTile(f, p, tile, () => {
    layout.locateInputWindow(f, window, tile.n, tile.ty, tile.tx);
    f.get(p.out).get(tile.t).get(pixelBytes).i32Mul().i32Add().set(outRow);
    f.get(interior).if(
      () => eachVector(f, p.channels, at, last, () => transform(loadInterior)),
      () => eachVector(f, p.channels, at, last, () => transform((i, j) => layout.loadWindowOrZero(f, window, at, i, j))),
    );
  });
  return f;
}

/** Aᵀ on four values: (m0 + m1 + m2, m1 - m2 - m3), into `out`. */
function outputRows(f: FunctionWriter, m: V4, out: [Local, Local]): void {
  f.get(m[0]).get(m[1]).f32x4Add().get(m[2]).f32x4Add().set(out[0]);
  f.get(m[1]).get(m[2]).f32x4Sub().get(m[3]).f32x4Sub().set(out[1]);
}

/**
 * winogradOutput: Y = Aᵀ M A (+ bias, then max(0, .) when relu is 1) for
 * tiles firstTile .. of the chunk in m (tile t at m + ξ * planeBytes + t *
 * channels * 4), written into y [images, outHeight, outWidth, channels].
 * bias 0: none.
 */
export function winogradOutputFunction(): FunctionWriter {
  const f = new FunctionWriter("winogradOutput", WINOGRAD_OUTPUT_PARAMS.map(() => "i32" as const));
  const p = named(f, WINOGRAD_OUTPUT_PARAMS);
  const tile = tileLocals(f);
  const [pixelBytes, rowBytes, corner, tileRow, at, last, plane, right, down] = Array.from({ length: 9 }, () => f.local("i32"));
  const m = Array.from({ length: 4 }, () => f.local("v128")) as V4;
  const s = Array.from({ length: 4 }, () => [f.local("v128"), f.local("v128")] as [Local, Local]);
  const y = [f.local("v128"), f.local("v128")] as [Local, Local];
  const bias = f.local("v128");
  const zero = f.local("v128");
  const planeOffsets = layout.planeOffsetLocals(f, p.planeBytes, PLANES);
  const outputs: layout.OutputCorner = { tensor: p.y, outHeight: p.outHeight, outWidth: p.outWidth, pixelBytes, rowBytes, corner, rowIn: [down], colIn: [right] };
  layout.setPixelStrides(f, p.channels, p.outWidth, pixelBytes, rowBytes);
  f.v128Zero().set(zero);
  f.v128Zero().set(bias);

  const transform = () => {
    f.get(tileRow).get(at).i32Add().set(plane);
    for (let a = 0; a < 4; a++) {
      for (let b = 0; b < 4; b++) {
        layout.loadFromPlane(f, plane, planeOffsets, 4 * a + b);
        f.set(m[b]);
      }
      // Aᵀ along the columns of row a.
      outputRows(f, m, s[a]);
    }
    f.get(p.bias).if(() => f.get(p.bias).get(at).i32Add().v128Load(0).set(bias));
    for (let j = 0; j < 2; j++) {
      outputRows(f, [s[0][j], s[1][j], s[2][j], s[3][j]], y);
      for (let i = 0; i < 2; i++) {
        f.get(y[i]).get(bias).f32x4Add().set(y[i]);
        f.get(p.relu).if(() => f.get(y[i]).get(zero).f32x4Max().set(y[i]));
        layout.storeOutputIfInside(f, outputs, at, i, j, y[i]);
      }
    }
  };

  eachTile(f, p, tile, () => {
    layout.locateOutputCorner(f, outputs, tile.n, tile.ty, tile.tx);
    f.get(p.m).get(tile.t).get(pixelBytes).i32Mul().i32Add().set(tileRow);
    eachVector(f, p.channels, at, last, transform);
  });
  return f;
}

/**
 * winogradFilter: U = G g Gᵀ for a [3, 3, inChannels, outChannels] filter,
 * into 16 planes [inChannels][outChannels] (planes inChannels * outChannels
 * * 4 bytes apart). flip 1 reads the filter turned by 180 degrees (g[2 - kh][2 - kw]),
 * as the input gradient needs.
 */
export function winogradFilterFunction(): FunctionWriter {
  const f = new FunctionWriter("winogradFilter", WINOGRAD_FILTER_PARAMS.map(() => "i32" as const));
  const p = named(f, WINOGRAD_FILTER_PARAMS);
  const walk = layout.filterRowLocals(f);
  const { source, target, at, tapBytes } = walk;
  const [planeBytes, plane] = [f.local("i32"), f.local("i32")];
  const g = Array.from({ length: 3 }, () => Array.from({ length: 3 }, () => f.local("v128")));
  const rows = Array.from({ length: 4 }, () => Array.from({ length: 3 }, () => f.local("v128")));
  const u = Array.from({ length: 4 }, () => f.local("v128"));
  const half = f.local("v128");
  f.f32(0.5).f32x4Splat().set(half);
  layout.setFilterStrides(f, walk, p.inChannels, p.outChannels);
  f.get(tapBytes).set(planeBytes);
  const planeOffsets = layout.planeOffsetLocals(f, planeBytes, PLANES);

  /** G on three values: (g0, (g0 + g1 + g2) / 2, (g0 - g1 + g2) / 2, g2). */
  const gRows = (v: Local[], out: Local[]) => {
    f.get(v[0]).set(out[0]);
    f.get(v[0]).get(v[2]).f32x4Add().get(v[1]).f32x4Add().get(half).f32x4Mul().set(out[1]);
    f.get(v[0]).get(v[2]).f32x4Add().get(v[1]).f32x4Sub().get(half).f32x4Mul().set(out[2]);
    f.get(v[2]).set(out[3]);
  };

  layout.eachFilterVector(f, walk, p.w, p.out, p.inChannels, p.outChannels, () => {
    for (let kh = 0; kh < 3; kh++) {
      for (let kw = 0; kw < 3; kw++) {
        // tap (kh, kw), or (2 - kh, 2 - kw) when flipped
        f.get(source).get(at).i32Add();
        f.get(tapBytes).i32((2 - kh) * 3 + (2 - kw)).i32Mul();
        f.get(tapBytes).i32(kh * 3 + kw).i32Mul();
        f.get(p.flip).select();
        f.i32Add().v128Load(0).set(g[kh][kw]);
      }
    }
    // G along kh for each kw: rows[a][kw].
    for (let kw = 0; kw < 3; kw++) {
      gRows([g[0][kw], g[1][kw], g[2][kw]], [rows[0][kw], rows[1][kw], rows[2][kw], rows[3][kw]]);
    }
    for (let a = 0; a < 4; a++) {
      gRows(rows[a], u);
      f.get(target).get(at).i32Add().set(plane);
      for (let b = 0; b < 4; b++) layout.storeToPlane(f, plane, planeOffsets, 4 * a + b, u[b]);
    }
  });
  return f;
}

/**
 * winogradGradient: Z = A dY Aᵀ for the 2x2 output tiles of dy (outputs
 * outside the image read as zero), into planes like winogradInput's.
 */
export function winogradGradientFunction(): FunctionWriter {
  const f = new FunctionWriter("winogradGradient", WINOGRAD_GRADIENT_PARAMS.map(() => "i32" as const));
  const p = named(f, WINOGRAD_GRADIENT_PARAMS);
  const tile = tileLocals(f);
  const [pixelBytes, rowBytes, corner, right, down, outRow, at, last, plane] = Array.from({ length: 9 }, () => f.local("i32"));
  const e = Array.from({ length: 2 }, () => [f.local("v128"), f.local("v128")]);
  const rows = Array.from({ length: 4 }, () => [f.local("v128"), f.local("v128")]);
  const z = Array.from({ length: 4 }, () => f.local("v128"));
  const planeOffsets = layout.planeOffsetLocals(f, p.planeBytes, PLANES);
  const outputs: layout.OutputCorner = { tensor: p.dy, outHeight: p.outHeight, outWidth: p.outWidth, pixelBytes, rowBytes, corner, rowIn: [down], colIn: [right] };
  layout.setPixelStrides(f, p.channels, p.outWidth, pixelBytes, rowBytes);

  /** A on two values: (e0, e0 + e1, e0 - e1, -e1). */
  const aRows = (v: Local[], out: Local[]) => {
    f.get(v[0]).set(out[0]);
    f.get(v[0]).get(v[1]).f32x4Add().set(out[1]);
    f.get(v[0]).get(v[1]).f32x4Sub().set(out[2]);
    f.v128Zero().get(v[1]).f32x4Sub().set(out[3]);
  };

  eachTile(f, p, tile, () => {
    layout.locateOutputCorner(f, outputs, tile.n, tile.ty, tile.tx);
    f.get(p.out).get(tile.t).get(pixelBytes).i32Mul().i32Add().set(outRow);
    eachVector(f, p.channels, at, last, () => {
      for (let i = 0; i < 2; i++) {
        for (let j = 0; j < 2; j++) {
          layout.loadOutputOrZero(f, outputs, at, i, j);
          f.set(e[i][j]);
        }
      }
      // A along the rows for each column j, then along the columns.
      for (let j = 0; j < 2; j++) aRows([e[0][j], e[1][j]], [rows[0][j], rows[1][j], rows[2][j], rows[3][j]]);
      f.get(outRow).get(at).i32Add().set(plane);
      for (let a = 0; a < 4; a++) {
        aRows(rows[a], z);
        for (let b = 0; b < 4; b++) layout.storeToPlane(f, plane, planeOffsets, 4 * a + b, z[b]);
      }
    });
  });
  return f;
}

/**
 * winogradFilterGradient: dW = Gᵀ dU G from 16 planes [inChannels][outChannels]
 * into a [3, 3, inChannels, outChannels] filter gradient.
 */
export function winogradFilterGradientFunction(): FunctionWriter {
  const f = new FunctionWriter("winogradFilterGradient", WINOGRAD_FILTER_GRADIENT_PARAMS.map(() => "i32" as const));
  const p = named(f, WINOGRAD_FILTER_GRADIENT_PARAMS);
  const walk = layout.filterRowLocals(f);
  const { source, target, at, tapBytes } = walk;
  const plane = f.local("i32");
  const u = Array.from({ length: 4 }, () => f.local("v128"));
  const rows = Array.from({ length: 3 }, () => Array.from({ length: 4 }, () => f.local("v128")));
  const out = Array.from({ length: 3 }, () => f.local("v128"));
  const half = f.local("v128");
  const sum = f.local("v128");
  f.f32(0.5).f32x4Splat().set(half);
  layout.setFilterStrides(f, walk, p.inChannels, p.outChannels);
  const planeOffsets = layout.planeOffsetLocals(f, tapBytes, PLANES);

  /** Gᵀ on four values: (u0 + (u1 + u2) / 2, (u1 - u2) / 2, (u1 + u2) / 2 + u3). */
  const gtRows = (v: Local[], o: Local[]) => {
    f.get(v[1]).get(v[2]).f32x4Add().get(half).f32x4Mul().set(sum);
    f.get(v[0]).get(sum).f32x4Add().set(o[0]);
    f.get(v[1]).get(v[2]).f32x4Sub().get(half).f32x4Mul().set(o[1]);
    f.get(sum).get(v[3]).f32x4Add().set(o[2]);
  };

  layout.eachFilterVector(f, walk, p.du, p.out, p.inChannels, p.outChannels, () => {
    f.get(source).get(at).i32Add().set(plane);
    // Gᵀ along a for each b: rows[kh][b].
    for (let b = 0; b < 4; b++) {
      for (let a = 0; a < 4; a++) {
        layout.loadFromPlane(f, plane, planeOffsets, 4 * a + b);
        f.set(u[a]);
      }
      gtRows(u, [rows[0][b], rows[1][b], rows[2][b]]);
    }
    for (let kh = 0; kh < 3; kh++) {
      gtRows(rows[kh], out);
      for (let kw = 0; kw < 3; kw++) {
        f.get(target).get(at).i32Add();
        if (kh * 3 + kw > 0)
          f.get(tapBytes)
            .i32(kh * 3 + kw)
            .i32Mul()
            .i32Add();
        f.get(out[kw]).v128Store(0);
      }
    }
  });
  return f;
}

/** All the Winograd transforms, in module order. */
export function winogradFunctions(): FunctionWriter[] {
  return [winogradInputFunction(), winogradOutputFunction(), winogradFilterFunction(), winogradGradientFunction(), winogradFilterGradientFunction()];
}
