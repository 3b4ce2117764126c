/**
 * The generated SIMD kernel for ReLU's gradient, from ReLU's output y:
 *
 *   dx = dy * step(y)    step(y) = 1 where y > 0, 0 where not, NaN where y is NaN
 *
 * In one pass over dy and y (tfjs's own gradient makes a step tensor, then
 * multiplies: two passes and a tensor in between). y > 0 exactly where
 * ReLU's input was, so the output does for the gradient what the input did,
 * and the input need not be kept. The product is a real multiply, as on the
 * cpu backend: dy * 0 is -0 for a negative dy and NaN for an infinite one.
 *
 * Masks: y > 0 is max(y, 0) == y and not y == 0 (NaN fails both), and a
 * NaN y passes its own bits through where y == y fails.
 */
import { FunctionWriter } from "./wasm-writer";

export const RELU_GRAD_PARAMS = ["dy", "y", "dx", "vectors"] as const;

/** reluGrad(dy, y, dx, vectors): `vectors` runs of four floats from each byte address. */
export function reluGradFunction(): FunctionWriter {
  const f = new FunctionWriter("reluGrad", RELU_GRAD_PARAMS.map(() => "i32" as const));
  const [dy, y, dx, vectors] = f.params;
  const end = f.local("i32");
  const zero = f.local("v128");
  const one = f.local("v128");
  const v = f.local("v128");
  const step = f.local("v128");
  f.v128Zero().set(zero);
  f.f32(1).f32x4Splat().set(one);
  f.get(y).get(vectors).i32(4).i32Shl().i32Add().set(end);
  f.block((done) =>
    f.loop((again) => {
      f.get(y).get(end).i32LtU().i32Eqz().brIf(done);
      f.get(y).v128Load(0).set(v);
      // positive lanes: max(v, 0) == v, and v != 0
      f.get(one).get(v).get(zero).f32x4Max().get(v).f32x4Eq().v128And();
      f.get(v).get(zero).f32x4Eq().v128AndNot().set(step);
      // NaN lanes: v's own bits
      f.get(step).get(v).get(v).get(v).f32x4Eq().v128AndNot().v128Or().set(step);
      f.get(dx).get(dy).v128Load(0).get(step).f32x4Mul().v128Store(0);
      f.get(y).i32(16).i32Add().set(y);
      f.get(dy).i32(16).i32Add().set(dy);
      f.get(dx).i32(16).i32Add().set(dx);
      f.br(again);
    }),
  );
  return f;
}
