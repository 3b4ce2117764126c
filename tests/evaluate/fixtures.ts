/** The scikit-learn reference values (made by fixtures/make_sklearn_fixtures.py) and helpers to compare with them. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";

export interface SklearnCase {
  name: string;
  note: string;
  numClasses: number;
  yTrue: number[];
  yPred: number[];
  scores: number[][];
  accuracy: number;
  balancedAccuracy: number;
  confusionMatrix: number[][];
  confusionNormalized: Record<"true" | "pred" | "all", number[][]>;
  prf: Record<
    "0" | "1",
    {
      perClass: { precision: number[]; recall: number[]; f1: number[]; support: number[] };
    } & Record<"macro" | "micro" | "weighted", { precision: number; recall: number; f1: number }>
  >;
  perClass: {
    positives: number;
    pr: { precision: number[]; recall: number[]; thresholds: number[] };
    averagePrecision: number;
    roc: { fpr: (number | null)[]; tpr: (number | null)[]; thresholds: (number | string)[] };
    rocAuc: number | null;
    rocAucError?: string;
  }[];
  averagePrecision: Record<"macro" | "micro" | "weighted", number>;
  rocAuc: Record<string, number | string | null>;
  topK?: Record<string, number>;
}

export interface SklearnFixture {
  generator: string;
  sklearn: string;
  numpy: string;
  cases: SklearnCase[];
}

// The tests run from dist/tests/evaluate; the fixture stays in the source tree.
const FIXTURE = resolve(__dirname, "../../../tests/evaluate/fixtures/sklearn-metrics.json");

export function sklearnFixture(): SklearnFixture {
  return JSON.parse(readFileSync(FIXTURE, "utf8"));
}

/** JSON null stands for NaN and "Infinity" for infinity in the fixture. */
export function fromJson(value: number | string | null): number {
  if (value === null) return NaN;
  if (value === "Infinity") return Infinity;
  if (value === "-Infinity") return -Infinity;
  return value as number;
}

const TOLERANCE = 1e-12;

export function assertClose(actual: number, expected: number | string | null, what: string, tolerance = TOLERANCE): void {
  const e = fromJson(expected);
  if (Number.isNaN(e)) {
    assert.ok(Number.isNaN(actual), `${what}: expected NaN (undefined), got ${actual}`);
    return;
  }
  assert.ok(Math.abs(actual - e) <= tolerance * Math.max(1, Math.abs(e)), `${what}: expected ${e}, got ${actual}`);
}

export function assertAllClose(actual: ArrayLike<number>, expected: readonly (number | string | null)[], what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) assertClose(actual[i], expected[i], `${what}[${i}]`);
}
