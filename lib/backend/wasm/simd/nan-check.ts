/**
 * A generated check for NaN: `anyNaN(x, vectors)` looks at `vectors` runs of
 * four floats from byte address x and returns NaN when any of them is NaN,
 * else 0 (the caller checks a last partial vector itself).
 *
 * Lanes stay all-ones in `clean` while x == x holds; at the end a lane that
 * saw a NaN is zero, and comparing with zero turns it into all-ones, which
 * as a float is NaN, so the sum of the lanes is NaN exactly when one was.
 */
import { FunctionWriter } from "./wasm-writer";

export function anyNaNFunction(): FunctionWriter {
  const f = new FunctionWriter("anyNaN", ["i32", "i32"], ["f32"]);
  const [x, vectors] = f.params;
  const end = f.local("i32");
  const clean = f.local("v128");
  const v = f.local("v128");
  f.v128Zero().v128Zero().f32x4Eq().set(clean);
  f.get(x).get(vectors).i32(4).i32Shl().i32Add().set(end);
  f.block((done) =>
    f.loop((again) => {
      f.get(x).get(end).i32LtU().i32Eqz().brIf(done);
      f.get(x).v128Load(0).set(v);
      f.get(clean).get(v).get(v).f32x4Eq().v128And().set(clean);
      f.get(x).i32(16).i32Add().set(x);
      f.br(again);
    }),
  );
  f.get(clean).v128Zero().f32x4Eq().set(v);
  f.get(v).f32x4ExtractLane(0).get(v).f32x4ExtractLane(1).f32Add();
  f.get(v).f32x4ExtractLane(2).f32Add().get(v).f32x4ExtractLane(3).f32Add();
  return f;
}
