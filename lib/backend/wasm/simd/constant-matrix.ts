/**
 * Emitting y = M x for a small constant matrix M and a vector x of f32x4
 * locals, with fewer vector operations than one sum per row (the Winograd
 * transforms of ./winograd-6x6 are made of these). Two rewrites, found from
 * M's entries alone:
 *
 * - columns j, k whose entries are equal or opposite in every row: x_j + x_k
 *   and x_j - x_k are formed once and each row takes one term instead of two
 *   (Aᵀ of F(4x4, 3x3): 1, ±1, 1, ±1 on one pair, 1, ±2, 4, ±8 on another);
 * - rows a, b that are e - o and e + o for sparser e and o (rows of Bᵀ built
 *   from the points 1, -1 and 2, -2): e x and o x once, then their difference and sum.
 *
 * A rewrite is taken only when it saves operations (`cost`).
 */
import { FunctionWriter, Local } from "./wasm-writer";

export type Matrix = readonly (readonly number[])[];

/** How `applyMatrix` computes M x. */
export interface MatrixPlan {
  /** Columns [j, k] replaced by x_j + x_k (input `columns + 2i`) and x_j - x_k (input `columns + 2i + 1`). */
  columnPairs: [number, number][];
  /** M's rows over the inputs x and those sums and differences. */
  rows: number[][];
  /** Rows a and b computed as e - o and e + o, e and o over the same inputs. */
  rowPairs: { a: number; b: number; even: number[]; odd: number[] }[];
}

/** Vector operations of one row's sum: an add or subtract per extra term, a multiply per coefficient not ±1, a negation if no term is positive. */
export function cost(row: readonly number[]): number {
  const terms = row.filter((c) => c !== 0);
  if (terms.length === 0) return 0;
  return terms.length - 1 + terms.filter((c) => Math.abs(c) !== 1).length + (terms.some((c) => c > 0) ? 0 : 1);
}

/** Whether some sum of the plan takes input i. */
function usesInput(plan: MatrixPlan, i: number): boolean {
  const paired = new Set(plan.rowPairs.flatMap((p) => [p.a, p.b]));
  return plan.rows.some((row, a) => !paired.has(a) && row[i] !== 0) || plan.rowPairs.some((p) => p.even[i] !== 0 || p.odd[i] !== 0);
}

/** The operations of a whole plan (what `applyMatrix` emits, not counting loads and stores). */
export function planCost(plan: MatrixPlan): number {
  const paired = new Set(plan.rowPairs.flatMap((p) => [p.a, p.b]));
  const first = plan.rows[0].length - 2 * plan.columnPairs.length;
  const sums = plan.columnPairs.flatMap((_, i) => [first + 2 * i, first + 2 * i + 1]).filter((i) => usesInput(plan, i)).length;
  const single = plan.rows.filter((_, a) => !paired.has(a)).reduce((s, row) => s + cost(row), 0);
  return sums + single + plan.rowPairs.reduce((s, p) => s + cost(p.even) + cost(p.odd) + 2, 0);
}

/** Columns j, k of `rows` as one sum and one difference, or undefined when some row's entries there differ in magnitude. */
function pairColumns(rows: number[][], j: number, k: number): number[][] | undefined {
  if (rows.some((row) => Math.abs(row[j]) !== Math.abs(row[k])) || rows.every((row) => row[j] === 0)) return undefined;
  return rows.map((row) => {
    const same = Math.sign(row[j]) === Math.sign(row[k]);
    const rest = row.map((c, i) => (i === j || i === k ? 0 : c));
    return [...rest, same ? row[j] : 0, same ? 0 : row[j]];
  });
}

/** The plan for M: every column pair and then every row pair that lowers the cost, greedily. */
export function planMatrix(m: Matrix): MatrixPlan {
  let plan: MatrixPlan = { columnPairs: [], rows: m.map((row) => [...row]), rowPairs: [] };
  const width = m[0].length;
  for (let j = 0; j < width; j++) {
    for (let k = j + 1; k < width; k++) {
      if (plan.columnPairs.some(([a, b]) => [a, b].includes(j) || [a, b].includes(k))) continue;
      const rows = pairColumns(plan.rows, j, k);
      const candidate: MatrixPlan = { ...plan, columnPairs: [...plan.columnPairs, [j, k]], rows: rows ?? [] };
      if (rows && planCost(candidate) < planCost(plan)) plan = candidate;
    }
  }
  for (let a = 0; a < plan.rows.length; a++) {
    for (let b = a + 1; b < plan.rows.length; b++) {
      if (plan.rowPairs.some((p) => [p.a, p.b].includes(a) || [p.a, p.b].includes(b))) continue;
      const even = plan.rows[a].map((c, i) => (c + plan.rows[b][i]) / 2);
      const odd = plan.rows[a].map((c, i) => (plan.rows[b][i] - c) / 2);
      if (cost(even) === 0 || cost(odd) === 0) continue;
      const candidate: MatrixPlan = { ...plan, rowPairs: [...plan.rowPairs, { a, b, even, odd }] };
      if (planCost(candidate) < planCost(plan)) plan = candidate;
    }
  }
  return plan;
}

/** Splatted constants, one local each, set where the function starts. */
export class Constants {
  private readonly locals = new Map<number, Local>();
  constructor(f: FunctionWriter, plan: MatrixPlan) {
    const entries = [...plan.rows.flat(), ...plan.rowPairs.flatMap((q) => [...q.even, ...q.odd])];
    for (const c of entries) {
      const magnitude = Math.abs(c);
      if (magnitude === 0 || magnitude === 1 || this.locals.has(magnitude)) continue;
      const l = f.local("v128");
      f.f32(magnitude).f32x4Splat().set(l);
      this.locals.set(magnitude, l);
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

/** Scratch locals for `applyMatrix`: two per column pair, and the even and odd parts of a row pair. */
export interface PlanScratch {
  sums: Local[];
  even: Local;
  odd: Local;
}

export function planScratch(f: FunctionWriter, plan: MatrixPlan): PlanScratch {
  return { sums: Array.from({ length: 2 * plan.columnPairs.length }, () => f.local("v128")), even: f.local("v128"), odd: f.local("v128") };
}

/** Emits out[a] = (M x)[a] for every row a of the plan's M. */
export function applyMatrix(f: FunctionWriter, k: Constants, plan: MatrixPlan, x: readonly Local[], scratch: PlanScratch, out: readonly Local[]): void {
  const inputs = [...x];
  plan.columnPairs.forEach(([j, l], i) => {
    const [sum, difference] = [scratch.sums[2 * i], scratch.sums[2 * i + 1]];
    const column = inputs.length;
    if (usesInput(plan, column)) f.get(x[j]).get(x[l]).f32x4Add().set(sum);
    if (usesInput(plan, column + 1)) f.get(x[j]).get(x[l]).f32x4Sub().set(difference);
    inputs.push(sum, difference);
  });
  const paired = new Set(plan.rowPairs.flatMap((p) => [p.a, p.b]));
  plan.rows.forEach((row, a) => {
    if (!paired.has(a)) combine(f, k, row, inputs, out[a]);
  });
  for (const { a, b, even, odd } of plan.rowPairs) {
    combine(f, k, even, inputs, scratch.even);
    combine(f, k, odd, inputs, scratch.odd);
    f.get(scratch.even).get(scratch.odd).f32x4Sub().set(out[a]);
    f.get(scratch.even).get(scratch.odd).f32x4Add().set(out[b]);
  }
}
