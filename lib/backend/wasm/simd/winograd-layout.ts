/**
 * Where the generated Winograd transforms (./winograd's F(2x2, 3x3),
 * ./winograd-6x6's F(2x2, 5x5) and F(4x4, 3x3)) find and put their data: the
 * address arithmetic all of them emit, whatever their matrices.
 *
 * Layouts (addresses and strides in bytes): NHWC tensors; a chunk's
 * transformed tiles as planes ξ `planeBytes` apart, each [tile][channel];
 * transformed filters as planes [in-channel][out-channel]. Transforms work on
 * four channels at a time (./rows' eachVector).
 *
 * Tiles are numbered image by image, row by row: tile g is image
 * g / tilesPerImage, tile row ty and column tx within it. With m x m output
 * tiles (m = 2 or 4) it covers outputs (m·ty .. m·ty + m - 1, m·tx .. m·tx
 * + m - 1) and reads the input window from (m·ty - padTop, m·tx - padLeft).
 * Inputs outside the image read as zero; outputs outside are not written.
 *
 * The helpers take locals their caller allocated: a local's index is its
 * place in the function's list, so who allocates when is part of the bytes.
 */
import { FunctionWriter, Local } from "./wasm-writer";
import { countUp, eachVector } from "./rows";

/** Sets the byte strides of an NHWC tensor's pixel (channels floats) and row (width pixels). */
export function setPixelStrides(f: FunctionWriter, channels: Local, width: Local, pixelBytes: Local, rowBytes: Local): void {
  f.get(channels).i32(2).i32Shl().set(pixelBytes);
  f.get(width).get(pixelBytes).i32Mul().set(rowBytes);
}

/** Locals holding ξ * planeBytes for ξ = 0 .. planes - 1 (offset 0 is never read: the plane itself). */
export function planeOffsetLocals(f: FunctionWriter, planeBytes: Local, planes: number): Local[] {
  const offsets = Array.from({ length: planes }, () => f.local("i32"));
  f.i32(0).set(offsets[0]);
  for (let xi = 1; xi < planes; xi++)
    f.get(offsets[xi - 1])
      .get(planeBytes)
      .i32Add()
      .set(offsets[xi]);
  return offsets;
}

/** Pushes base + offsets[xi], plane ξ's address. */
export function planeAddress(f: FunctionWriter, base: Local, offsets: Local[], xi: number): void {
  f.get(base);
  if (xi > 0) f.get(offsets[xi]).i32Add();
}

/** Stores `value` in plane ξ at base. */
export function storeToPlane(f: FunctionWriter, base: Local, offsets: Local[], xi: number, value: Local): void {
  planeAddress(f, base, offsets, xi);
  f.get(value).v128Store(0);
}

/** Loads plane ξ at base. */
export function loadFromPlane(f: FunctionWriter, base: Local, offsets: Local[], xi: number): void {
  planeAddress(f, base, offsets, xi);
  f.v128Load(0);
}

/** The locals of a filter-side transform's walk over [.., inChannels, outChannels] rows. */
export interface FilterRows {
  ci: Local;
  /** One in-channel's out-channels. */
  rowBytes: Local;
  /** One tap (or plane): inChannels rows. */
  tapBytes: Local;
  source: Local;
  target: Local;
  at: Local;
  last: Local;
}

/** Allocates the walk's locals, in one order for every filter-side transform (the order is part of the emitted bytes). */
export function filterRowLocals(f: FunctionWriter): FilterRows {
  const [ci, rowBytes, tapBytes, source, target, at, last] = Array.from({ length: 7 }, () => f.local("i32"));
  return { ci, rowBytes, tapBytes, source, target, at, last };
}

/** Sets rowBytes and tapBytes for inChannels x outChannels planes or taps. */
export function setFilterStrides(f: FunctionWriter, rows: FilterRows, inChannels: Local, outChannels: Local): void {
  f.get(outChannels).i32(2).i32Shl().set(rows.rowBytes);
  f.get(inChannels).get(rows.rowBytes).i32Mul().set(rows.tapBytes);
}

/**
 * Runs `body` for each in-channel ci and vector of out-channels (byte offset
 * `at`), with source and target at row ci of `from` and `to`.
 */
export function eachFilterVector(
  f: FunctionWriter,
  rows: FilterRows,
  from: Local,
  to: Local,
  inChannels: Local,
  outChannels: Local,
  body: () => void,
): void {
  countUp(f, rows.ci, inChannels, () => {
    f.get(from).get(rows.ci).get(rows.rowBytes).i32Mul().i32Add().set(rows.source);
    f.get(to).get(rows.ci).get(rows.rowBytes).i32Mul().i32Add().set(rows.target);
    eachVector(f, outChannels, rows.at, rows.last, body);
  });
}

/** A tile's padded input window in an NHWC tensor: the tensor's locals, and the window's, set by `locateInputWindow`. */
export interface InputWindow {
  /** log2 of the output tile's side m (the windows' stride), fixed when the code is generated. */
  tileShift: number;
  tensor: Local;
  height: Local;
  width: Local;
  padTop: Local;
  padLeft: Local;
  pixelBytes: Local;
  rowBytes: Local;
  /** The window's first input row and column (negative in the padding). */
  y0: Local;
  x0: Local;
  /** One per row (column) of the window: whether it lies inside the image. */
  rowOk: Local[];
  colOk: Local[];
  /** Whether the whole window lies inside. */
  interior: Local;
  /** Address of input (n, y0, x0, 0), meaningful only where it lies inside. */
  base: Local;
}

/** Sets the window's locals for tile (n, ty, tx). */
export function locateInputWindow(f: FunctionWriter, w: InputWindow, n: Local, ty: Local, tx: Local): void {
  f.get(ty).i32(w.tileShift).i32Shl().get(w.padTop).i32Sub().set(w.y0);
  f.get(tx).i32(w.tileShift).i32Shl().get(w.padLeft).i32Sub().set(w.x0);
  for (let i = 0; i < w.rowOk.length; i++) {
    // 0 <= y0 + i < height, as one unsigned comparison.
    f.get(w.y0).i32(i).i32Add().get(w.height).i32LtU().set(w.rowOk[i]);
    f.get(w.x0).i32(i).i32Add().get(w.width).i32LtU().set(w.colOk[i]);
  }
  const end = w.rowOk.length - 1;
  f.get(w.rowOk[0]).get(w.rowOk[end]).i32And().get(w.colOk[0]).i32And().get(w.colOk[end]).i32And().set(w.interior);
  f.get(w.tensor).get(n).get(w.height).i32Mul().get(w.y0).i32Add().get(w.rowBytes).i32Mul().i32Add();
  f.get(w.x0).get(w.pixelBytes).i32Mul().i32Add().set(w.base);
}

/** Pushes the address of window input (i, j), channel byte offset `at`. */
export function windowAddress(f: FunctionWriter, w: InputWindow, at: Local, i: number, j: number): void {
  f.get(w.base).get(at).i32Add();
  if (i > 0) f.get(w.rowBytes).i32(i).i32Mul().i32Add();
  if (j > 0) f.get(w.pixelBytes).i32(j).i32Mul().i32Add();
}

/** Pushes whether window input (i, j) lies inside the image. */
export function windowInside(f: FunctionWriter, w: InputWindow, i: number, j: number): void {
  f.get(w.rowOk[i]).get(w.colOk[j]).i32And();
}

/** Loads window input (i, j), or zero outside the image (the load then reads the tensor's start, always valid). */
export function loadWindowOrZero(f: FunctionWriter, w: InputWindow, at: Local, i: number, j: number): void {
  windowAddress(f, w, at, i, j);
  f.get(w.tensor);
  windowInside(f, w, i, j);
  f.select();
  f.v128Load(0);
  f.v128Zero();
  windowInside(f, w, i, j);
  f.select();
}

/** A tile's m x m outputs in an NHWC tensor: the tensor's locals, and the tile's, set by `locateOutputCorner`. */
export interface OutputCorner {
  tensor: Local;
  outHeight: Local;
  outWidth: Local;
  pixelBytes: Local;
  rowBytes: Local;
  /** Address of output (n, m·ty, m·tx, 0), always inside. */
  corner: Local;
  /** Whether output row m·ty + i (column m·tx + j) lies inside, at index i - 1 (j - 1): m - 1 locals each. */
  rowIn: Local[];
  colIn: Local[];
}

/** The output tiles' side m, from the corner's locals. */
const sideOf = (c: OutputCorner): number => c.rowIn.length + 1;

/** The corner's inside flags and address for tile (n, ty, tx). */
export function locateOutputCorner(f: FunctionWriter, c: OutputCorner, n: Local, ty: Local, tx: Local): void {
  const shift = Math.log2(sideOf(c));
  c.colIn.forEach((flag, j) => f.get(tx).i32(shift).i32Shl().i32(j + 1).i32Add().get(c.outWidth).i32LtU().set(flag));
  c.rowIn.forEach((flag, i) => f.get(ty).i32(shift).i32Shl().i32(i + 1).i32Add().get(c.outHeight).i32LtU().set(flag));
  f.get(c.tensor).get(n).get(c.outHeight).i32Mul().get(ty).i32(shift).i32Shl().i32Add().get(c.rowBytes).i32Mul().i32Add();
  f.get(tx).i32(shift).i32Shl().get(c.pixelBytes).i32Mul().i32Add().set(c.corner);
}

/** Pushes the address of output (m·ty + i, m·tx + j), channel byte offset `at`. */
export function outputAddress(f: FunctionWriter, c: OutputCorner, at: Local, i: number, j: number): void {
  f.get(c.corner).get(at).i32Add();
  if (i > 0) f.get(c.rowBytes);
  if (i > 1) f.i32(i).i32Mul();
  if (i > 0) f.i32Add();
  if (j > 0) f.get(c.pixelBytes);
  if (j > 1) f.i32(j).i32Mul();
  if (j > 0) f.i32Add();
}

/** Pushes whether output (m·ty + i, m·tx + j) lies inside; not for (0, 0), which always does. */
function outputInside(f: FunctionWriter, c: OutputCorner, i: number, j: number): void {
  if (i > 0 && j > 0) f.get(c.colIn[j - 1]).get(c.rowIn[i - 1]).i32And();
  else f.get(i > 0 ? c.rowIn[i - 1] : c.colIn[j - 1]);
}

/** Stores `value` at output (m·ty + i, m·tx + j) when it lies inside the image. */
export function storeOutputIfInside(f: FunctionWriter, c: OutputCorner, at: Local, i: number, j: number, value: Local): void {
  const store = () => {
    outputAddress(f, c, at, i, j);
    f.get(value).v128Store(0);
  };
  if (i === 0 && j === 0) return store();
  outputInside(f, c, i, j);
  f.if(store);
}

/** Loads output (m·ty + i, m·tx + j), or zero outside the image (the load then reads the corner, always valid). */
export function loadOutputOrZero(f: FunctionWriter, c: OutputCorner, at: Local, i: number, j: number): void {
  outputAddress(f, c, at, i, j);
  if (i === 0 && j === 0) {
    f.v128Load(0);
    return;
  }
  f.get(c.corner).get(at).i32Add();
  outputInside(f, c, i, j);
  f.select().v128Load(0).v128Zero();
  outputInside(f, c, i, j);
  f.select();
}
