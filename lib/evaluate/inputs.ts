/**
 * Checking and converting what learners pass to the metrics: class labels
 * (plain arrays, typed arrays, tensors) and per-class scores (nested arrays,
 * a flat array with a class count, or a [samples, classes] tensor).
 * Every metric runs on plain numbers after this, so results never depend on
 * the tfjs backend.
 */
import * as tf from "@tensorflow/tfjs";

/** One class index (0, 1, 2, ...) per sample. */
export type LabelsInput = ArrayLike<number> | tf.Tensor;

/**
 * Per-class scores, one row per sample: probabilities (softmax output) or
 * any score where higher means "more likely this class".
 */
export type ScoresInput =
  | readonly ArrayLike<number>[]
  | tf.Tensor
  | { values: ArrayLike<number>; numClasses: number };

/** Options shared by the metrics that name classes. */
export interface ClassNamesOption {
  /** One name per class, in class-index order. Default: "0", "1", ... */
  classNames?: readonly string[];
}

/** Scores as one flat row-major array. */
export interface ScoreMatrix {
  /** rows × numClasses values, row by row. */
  values: Float64Array;
  rows: number;
  numClasses: number;
}

/** Class labels as an Int32Array, checked to be whole numbers in [0, numClasses). */
export function toLabels(labels: LabelsInput, what: string, numClasses?: number): Int32Array {
  let values: ArrayLike<number>;
  if (labels instanceof tf.Tensor) {
    if (labels.rank === 2 && labels.shape[1]! > 1) {
      // One-hot labels, as Keras's categorical losses take them.
      values = tf.tidy(() => tf.argMax(labels, 1).dataSync());
    } else if (labels.rank === 1 || (labels.rank === 2 && labels.shape[1] === 1)) {
      values = labels.dataSync();
    } else {
      throw new Error(`${what}: expected class indices (a 1-D tensor) or one-hot labels (2-D), got a tensor of shape [${labels.shape.join(", ")}].`);
    }
  } else if (labels && typeof labels === "object" && typeof (labels as ArrayLike<number>).length === "number") {
    values = labels;
  } else {
    throw new Error(`${what}: expected one class index per sample, such as [0, 2, 1] or an Int32Array (got ${describe(labels)}).`);
  }
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0) {
      throw new Error(`${what}: sample ${i} has label ${String(v)}; labels must be class indices 0, 1, 2, ... (whole numbers ≥ 0).`);
    }
    if (numClasses !== undefined && v >= numClasses) {
      throw new Error(`${what}: sample ${i} has label ${v}, but there are only ${numClasses} classes (0 to ${numClasses - 1}).`);
    }
    out[i] = v;
  }
  return out;
}

/** Scores as a checked, finite [rows × numClasses] matrix. */
export function toScoreMatrix(scores: ScoresInput, what: string): ScoreMatrix {
  let values: Float64Array;
  let rows: number;
  let numClasses: number;
  if (scores instanceof tf.Tensor) {
    if (scores.rank !== 2) {
      throw new Error(`${what}: expected scores of shape [samples, classes], got a tensor of shape [${scores.shape.join(", ")}].`);
    }
    [rows, numClasses] = scores.shape as [number, number];
    values = Float64Array.from(scores.dataSync());
  } else if (Array.isArray(scores)) {
    rows = scores.length;
    numClasses = rows > 0 ? (scores[0]?.length ?? 0) : 0;
    values = new Float64Array(rows * numClasses);
    scores.forEach((row: ArrayLike<number>, i) => {
      if (!row || row.length !== numClasses) {
        throw new Error(`${what}: row ${i} has ${row?.length ?? "no"} scores, but row 0 has ${numClasses}; give one score per class in every row.`);
      }
      for (let j = 0; j < numClasses; j++) values[i * numClasses + j] = row[j];
    });
  } else if (scores && typeof scores === "object" && "values" in scores && "numClasses" in scores) {
    numClasses = scores.numClasses;
    if (!Number.isInteger(numClasses) || numClasses < 1) {
      throw new Error(`${what}: numClasses must be a whole number ≥ 1 (got ${String(numClasses)}).`);
    }
    if (scores.values.length % numClasses !== 0) {
      throw new Error(`${what}: ${scores.values.length} scores do not split into rows of ${numClasses} classes.`);
    }
    rows = scores.values.length / numClasses;
    values = Float64Array.from(scores.values);
  } else {
    throw new Error(
      `${what}: expected scores as rows of per-class numbers ([[0.1, 0.9], ...]), a [samples, classes] tensor, ` +
        `or { values, numClasses } (got ${describe(scores)}).`,
    );
  }
  if (rows > 0 && numClasses < 1) throw new Error(`${what}: the score rows are empty; give one score per class.`);
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      const row = Math.floor(i / numClasses);
      throw new Error(
        `${what}: sample ${row} has score ${values[i]} for class ${i % numClasses}. ` +
          `Scores must be finite numbers; NaN or Infinity usually means training diverged (try a lower learning rate).`,
      );
    }
  }
  return { values, rows, numClasses };
}

/** Class names for `numClasses` classes: the given ones (checked) or "0", "1", .... */
export function resolveClassNames(numClasses: number, classNames: readonly string[] | undefined, what: string): string[] {
  if (classNames === undefined) return Array.from({ length: numClasses }, (_, i) => String(i));
  if (!Array.isArray(classNames) || classNames.some((n) => typeof n !== "string")) {
    throw new Error(`${what}: classNames must be an array of strings (got ${describe(classNames)}).`);
  }
  if (classNames.length !== numClasses) {
    throw new Error(`${what}: ${classNames.length} class names for ${numClasses} classes; give one name per class, in class-index order.`);
  }
  if (new Set(classNames).size !== classNames.length) {
    throw new Error(`${what}: class names must be distinct (got ${JSON.stringify(classNames)}).`);
  }
  return [...classNames];
}

/** Number of classes from what is known: class names, scores, or the largest label. */
export function inferNumClasses(classNames: readonly string[] | undefined, ...labelSets: Int32Array[]): number {
  if (classNames) return classNames.length;
  let max = -1;
  for (const labels of labelSets) for (const v of labels) if (v > max) max = v;
  return max + 1;
}

export function checkSameLength(a: { length: number }, b: { length: number }, what: string, aName: string, bName: string): void {
  if (a.length !== b.length) {
    throw new Error(`${what}: ${a.length} ${aName} but ${b.length} ${bName}; give one of each per sample.`);
  }
}

/** Index of the largest value in row `row` (the first one on ties, as numpy and tf.argMax). */
export function argMaxRow(values: ArrayLike<number>, row: number, numClasses: number): number {
  let best = 0;
  let bestValue = values[row * numClasses];
  for (let j = 1; j < numClasses; j++) {
    const v = values[row * numClasses + j];
    if (v > bestValue) {
      bestValue = v;
      best = j;
    }
  }
  return best;
}

/**
 * argMaxRow of each of `rows` rows of `values` (row-major, values.length / rows
 * columns), into `out`: class indices (Int32Array, the default) or a
 * segmentation's pixel classes (Uint8Array).
 */
export function argMaxRows<T extends Int32Array | Uint8Array = Int32Array>(values: ArrayLike<number>, rows: number, out?: T): T {
  const result = out ?? (new Int32Array(rows) as T);
  const columns = values.length / rows;
  for (let row = 0; row < rows; row++) result[row] = argMaxRow(values, row, columns);
  return result;
}

export function describe(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value instanceof tf.Tensor) return `a tensor of shape [${value.shape.join(", ")}]`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  return typeof value === "object" ? "an object" : `${typeof value} ${String(value)}`;
}

/** The item of a class, by its name or index, with the classes listed when there is none. */
export function classItem<T extends { className: string }>(items: readonly T[], classNames: readonly string[], classNameOrIndex: string | number): T {
  const found = typeof classNameOrIndex === "number" ? items[classNameOrIndex] : items.find((c) => c.className === classNameOrIndex);
  if (!found) {
    throw new Error(`There is no class ${JSON.stringify(classNameOrIndex)}; the classes are ${classNames.map((n) => JSON.stringify(n)).join(", ")}.`);
  }
  return found;
}
