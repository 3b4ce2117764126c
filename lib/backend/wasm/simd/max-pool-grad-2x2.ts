/**
 * The generated SIMD kernel for MaxPoolGrad over non-overlapping 2x2
 * windows (the usual pooling), four channels at a time:
 *
 *   dx at the window's first position equal to its maximum = dy, elsewhere 0
 *
 * The masks come from f32x4.eq against the forward output and are made
 * exclusive in window order (first maximum wins, as on the cpu backend);
 * "and" with the gradient's bits gives the gradient or +0.
 *
 * Channels go in vectors of four from the start, and a last vector ending at
 * the last channel (overlapping the one before when channels are not a
 * multiple of four: it writes the same values again). Needs >= 4 channels.
 */
import { FunctionWriter, Local } from "./wasm-writer";
import { countUp } from "./rows";
import { eachWindow2x2 } from "./max-pool-2x2";

export const MAX_POOL_GRAD_PARAMS = ["x", "y", "dy", "dx", "images", "imageBytes", "outHeight", "outWidth", "channels", "rowBytes"] as const;

export function maxPoolGrad2x2Function(): FunctionWriter {
  const f = new FunctionWriter("maxPoolGrad2x2", MAX_POOL_GRAD_PARAMS.map(() => "i32" as const));
  const p = Object.fromEntries(MAX_POOL_GRAD_PARAMS.map((n, i) => [n, f.params[i]])) as Record<(typeof MAX_POOL_GRAD_PARAMS)[number], Local>;
  const channel = f.local("i32");
  const outAt = f.local("i32"); // y / dy offset of the window (bytes from their start)
  const at = f.local("i32"); // corner + 4*channel
  const o = f.local("i32"); // outAt + 4*channel
  const last = f.local("i32"); // 4*(channels - 4)
  const max = f.local("v128");
  const gradient = f.local("v128");
  const taken = f.local("v128");
  const hit = f.local("v128");
  const pixelBytes = f.local("i32"); // 4*channels

  f.get(p.channels).i32(2).i32Shl().set(pixelBytes);
  f.get(p.channels).i32(4).i32Sub().i32(2).i32Shl().set(last);
  f.i32(0).set(outAt);

  /** One vector of four channels at byte offset `channel`*4 (local `channel` holds bytes) of the window at `corner`. */
  const vector = (corner: Local) => {
    f.get(corner).get(channel).i32Add().set(at);
    f.get(outAt).get(channel).i32Add().set(o);
    f.get(p.y).get(o).i32Add().v128Load(0).set(max);
    f.get(p.dy).get(o).i32Add().v128Load(0).set(gradient);
    // The four positions: (0,0), (0,1), (1,0), (1,1).
    const positions: [boolean, boolean][] = [
      [false, false],
      [false, true],
      [true, false],
      [true, true],
    ];
    positions.forEach(([down, right], i) => {
      const address = () => {
        f.get(at);
        if (down) f.get(p.rowBytes).i32Add();
        if (right) f.get(pixelBytes).i32Add();
      };
      // hit = (x == max) & ~taken
      address();
      f.v128Load(0).get(max).f32x4Eq();
      if (i > 0) f.get(taken).v128AndNot();
      f.set(hit);
      if (i === 0) f.get(hit).set(taken);
      else if (i < 3) f.get(taken).get(hit).v128Or().set(taken);
      // dx = gradient & hit
      f.get(p.dx).get(at).get(p.x).i32Sub().i32Add();
      if (down) f.get(p.rowBytes).i32Add();
      if (right) f.get(pixelBytes).i32Add();
      f.get(gradient).get(hit).v128And().v128Store(0);
    });
  };

  eachWindow2x2(f, { ...p, pixelBytes }, (corner) => {
    countUp(f, channel, last, () => vector(corner), 16);
    f.get(last).set(channel);
    vector(corner);
    f.get(outAt).get(pixelBytes).i32Add().set(outAt);
  });
  return f;
}
