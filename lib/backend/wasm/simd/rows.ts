/**
 * Generated SIMD kernels over the rows of a [rows, columns] matrix (an NHWC
 * tensor seen as positions x channels), four columns at a time. Columns go
 * in vectors from the start and a last vector ending at the last column,
 * overlapping the one before when columns are not a multiple of four: it
 * writes the same values again, so both kernels need >= 4 columns.
 *
 * - `columnSums`: the sum of each column over each block of `blockRows`
 *   rows (the caller adds the blocks' sums in double precision: the bias
 *   gradients sum tens of thousands of rows).
 * - `addRow`: out = x + b, b one row broadcast over all rows (a bias add;
 *   none when b is 0), then max(0, out) when relu is 1 (NaN stays NaN).
 *   out may be x: a row's overlapping last vector is computed before the
 *   row's stores.
 */
import { FunctionWriter, Local } from "./wasm-writer";

export const COLUMN_SUMS_PARAMS = ["x", "rows", "columns", "blockRows", "out"] as const;
export const ADD_ROW_PARAMS = ["x", "rows", "columns", "b", "out", "relu"] as const;

export function named<const T extends readonly string[]>(f: FunctionWriter, names: T): Record<T[number], Local> {
  return Object.fromEntries(names.map((n, i) => [n, f.params[i]])) as Record<T[number], Local>;
}

/** Runs `body` for counter = 0, step, 2·step, ... while counter < limit (signed comparison). */
export function countUp(f: FunctionWriter, counter: Local, limit: Local, body: () => void, step = 1): void {
  f.i32(0).set(counter);
  f.block((done) =>
    f.loop((next) => {
      f.get(counter).get(limit).i32GeS().brIf(done);
      body();
      f.get(counter).i32(step).i32Add().set(counter);
      f.br(next);
    }),
  );
}

/** Runs `body` for each vector's byte offset (local `at`) across a row of `columns`. */
export function eachVector(f: FunctionWriter, columns: Local, at: Local, last: Local, body: () => void): void {
  f.get(columns).i32(4).i32Sub().i32(2).i32Shl().set(last);
  countUp(f, at, last, body, 16);
  f.get(last).set(at);
  body();
}

export function columnSumsFunction(): FunctionWriter {
  const f = new FunctionWriter("columnSums", COLUMN_SUMS_PARAMS.map(() => "i32" as const));
  const p = named(f, COLUMN_SUMS_PARAMS);
  const rowBytes = f.local("i32");
  const blockStart = f.local("i32"); // address of the block's first row
  const blockRowsLeft = f.local("i32");
  const rowsLeft = f.local("i32");
  const outRow = f.local("i32");
  const at = f.local("i32");
  const last = f.local("i32");
  const address = f.local("i32");
  const count = f.local("i32");
  const sum = f.local("v128");

  f.get(p.columns).i32(2).i32Shl().set(rowBytes);
  f.get(p.x).set(blockStart);
  f.get(p.out).set(outRow);
  f.get(p.rows).set(rowsLeft);
  f.block((done) =>
    f.loop((nextBlock) => {
      f.get(rowsLeft).i32(1).i32LtS().brIf(done);
      // rows in this block: min(blockRows, rowsLeft)
      f.get(p.blockRows).get(rowsLeft).get(p.blockRows).get(rowsLeft).i32LeS().select().set(blockRowsLeft);
      eachVector(f, p.columns, at, last, () => {
        f.v128Zero().set(sum);
        f.get(blockStart).get(at).i32Add().set(address);
        f.get(blockRowsLeft).set(count);
        f.loop((nextRow) => {
          f.get(sum).get(address).v128Load(0).f32x4Add().set(sum);
          f.get(address).get(rowBytes).i32Add().set(address);
          f.get(count).i32(1).i32Sub().tee(count).brIf(nextRow);
        });
        f.get(outRow).get(at).i32Add().get(sum).v128Store(0);
      });
      f.get(blockStart).get(rowBytes).get(blockRowsLeft).i32Mul().i32Add().set(blockStart);
      f.get(outRow).get(rowBytes).i32Add().set(outRow);
      f.get(rowsLeft).get(blockRowsLeft).i32Sub().set(rowsLeft);
      f.br(nextBlock);
    }),
  );
  return f;
}

export function addRowFunction(): FunctionWriter {
  const f = new FunctionWriter("addRow", ADD_ROW_PARAMS.map(() => "i32" as const));
  const p = named(f, ADD_ROW_PARAMS);
  const rowBytes = f.local("i32");
  const offset = f.local("i32"); // byte offset of the row in x and out
  const end = f.local("i32");
  const at = f.local("i32");
  const last = f.local("i32");
  const address = f.local("i32");
  const value = f.local("v128");
  const lastValue = f.local("v128");
  const zero = f.local("v128");

  f.v128Zero().set(zero);
  f.get(p.columns).i32(4).i32Sub().i32(2).i32Shl().set(last);
  f.get(p.columns).i32(2).i32Shl().set(rowBytes);
  f.get(rowBytes).get(p.rows).i32Mul().set(end);
  f.i32(0).set(offset);
  f.block((done) =>
    f.loop((nextRow) => {
      f.get(offset).get(end).i32GeS().brIf(done);
      /** value = relu?(x[offset + at] + b[at]) */
      const compute = () => {
        f.get(offset).get(at).i32Add().set(address);
        f.get(p.x).get(address).i32Add().v128Load(0).set(value);
        f.get(p.b).if(() => f.get(value).get(p.b).get(at).i32Add().v128Load(0).f32x4Add().set(value));
        f.get(p.relu).if(() => f.get(value).get(zero).f32x4Max().set(value));
      };
      // The last vector (which may overlap the one before) is computed
      // before any store, so that out may be x.
      f.get(last).set(at);
      compute();
      f.get(value).set(lastValue);
      f.i32(0).set(at);
      f.block((rowDone) =>
        f.loop((nextVector) => {
          f.get(at).get(last).i32GeS().brIf(rowDone);
          compute();
          f.get(p.out).get(address).i32Add().get(value).v128Store(0);
          f.get(at).i32(16).i32Add().set(at);
          f.br(nextVector);
        }),
      );
      f.get(p.out).get(offset).i32Add().get(last).i32Add().get(lastValue).v128Store(0);
      f.get(offset).get(rowBytes).i32Add().set(offset);
      f.br(nextRow);
    }),
  );
  return f;
}
