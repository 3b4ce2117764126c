/** The network's output shape: one score per class. */
import type { Expectation } from "../exercise";
import { AnswerProblem, readModel } from "../answers";

export interface OutputShapeOptions {
  /** Without the batch dimension, e.g. [10]. */
  shape: readonly number[];
  /** What the shape means: "one score per class". */
  meaning?: string;
}

export function outputShape(name: string, options: OutputShapeOptions): Expectation {
  const expected = `[${options.shape.join(", ")}]`;
  return {
    describe: `\`${name}\` outputs ${expected}`,
    evaluate(answers) {
      const model = readModel(answers, name);
      if (model instanceof AnswerProblem) return model.finding;
      const output = model.outputs[0]?.shape.slice(1) ?? [];
      const same = output.length === options.shape.length && output.every((size, i) => size === options.shape[i]);
      const actual = `[${output.map((s) => (s === null ? "?" : s)).join(", ")}]`;
      if (same) return { passed: true, message: `Each image's output has shape ${actual}.` };
      return {
        passed: false,
        message: `Each image's output has shape ${actual}; the exercise asks for ${expected}${options.meaning ? ` (${options.meaning})` : ""}.`,
      };
    },
  };
}
