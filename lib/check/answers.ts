/**
 * Reading the values a check cell passes. A learner's answer can be missing
 * (the cell above was not run), a Promise (an `await` was forgotten) or of
 * the wrong kind; each gets its own message instead of a stack trace.
 */
import type * as tf from "@tensorflow/tfjs";
import { Dataset } from "../data";
import type { Answers, Finding } from "./exercise";
import { describeValue } from "./format";

/** An answer that cannot be checked, and why (as a failed finding). */
export class AnswerProblem {
  constructor(readonly finding: Finding) {}
}

/** The answer called `name`, or an AnswerProblem saying why it cannot be used. */
export function readAnswer(answers: Answers, name: string): unknown {
  if (!(name in answers)) {
    return new AnswerProblem({
      passed: false,
      message: `The check needs \`${name}\`, but the check cell did not pass it. Pass it like this: check(…, { ${name}: yourValue }).`,
    });
  }
  const value = answers[name];
  if (value === undefined) {
    return new AnswerProblem({ passed: false, message: `\`${name}\` is undefined: run the exercise cell above, then this check again.` });
  }
  if (value instanceof Promise) {
    return new AnswerProblem({
      passed: false,
      message: `\`${name}\` is a Promise, not its result: add \`await\` in front of the call that made it, run that cell, then this check again.`,
    });
  }
  return value;
}

/**
 * The answer, when `isKind` accepts it; otherwise an AnswerProblem saying
 * "`name` should be <kind>, but it is …".
 */
export function readKind<T>(answers: Answers, name: string, isKind: (value: unknown) => value is T, kind: string): T | AnswerProblem {
  const value = readAnswer(answers, name);
  if (value instanceof AnswerProblem || isKind(value)) return value;
  return new AnswerProblem({ passed: false, message: `\`${name}\` should be ${kind}, but it is ${describeValue(value)}.` });
}

/** The answer as an instance of `type` (a SceneSet, a BatchSweep …), described to the learner as `kind`. */
export function readInstance<T>(answers: Answers, name: string, type: abstract new (...args: never[]) => T, kind: string): T | AnswerProblem {
  return readKind(answers, name, (value): value is T => value instanceof type, kind);
}

/** The answer as a tfjs Layers model (tf.sequential() or tf.model()). */
export function readModel(answers: Answers, name: string): tf.LayersModel | AnswerProblem {
  return readKind(answers, name, isLayersModel, "a network made with tf.sequential() or tf.model()");
}

/** The answer as a convlab Dataset. */
export function readDataset(answers: Answers, name: string): Dataset | AnswerProblem {
  return readInstance(answers, name, Dataset, "a dataset (from loadMnist(), importImageFolder(), normalize() …)");
}

/** The answer as a finite number. */
export function readNumber(answers: Answers, name: string): number | AnswerProblem {
  return readKind(answers, name, (value): value is number => typeof value === "number" && Number.isFinite(value), "a number");
}

/** The answer as an array of numbers (plain or typed). */
export function readNumbers(answers: Answers, name: string): number[] | AnswerProblem {
  const value = readAnswer(answers, name);
  if (value instanceof AnswerProblem) return value;
  if ((Array.isArray(value) || ArrayBuffer.isView(value)) && !(value instanceof DataView)) {
    const numbers = Array.from(value as ArrayLike<unknown>);
    const bad = numbers.findIndex((n) => typeof n !== "number" || !Number.isFinite(n));
    if (bad < 0) return numbers as number[];
    return new AnswerProblem({ passed: false, message: `\`${name}\`[${bad}] should be a number, but it is ${describeValue(numbers[bad])}.` });
  }
  if (isTensor(value)) {
    return new AnswerProblem({
      passed: false,
      message: `\`${name}\` is a tensor; the exercise asks for plain numbers. Turn it into an array with \`Array.from(await tensor.data())\`.`,
    });
  }
  return new AnswerProblem({ passed: false, message: `\`${name}\` should be an array of numbers, but it is ${describeValue(value)}.` });
}

export function isLayersModel(value: unknown): value is tf.LayersModel {
  const candidate = value as Partial<tf.LayersModel> | null;
  return (
    typeof candidate === "object" &&
    candidate !== null &&
    Array.isArray(candidate.layers) &&
    typeof candidate.predict === "function" &&
    Array.isArray(candidate.inputs)
  );
}

function isTensor(value: unknown): boolean {
  const candidate = value as { dataSync?: unknown; shape?: unknown } | null;
  return typeof candidate === "object" && candidate !== null && typeof candidate.dataSync === "function" && Array.isArray(candidate.shape);
}
