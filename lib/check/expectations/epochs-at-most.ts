/** A training run that stayed within an epoch budget: "`myRun` trained 5 epochs; the exercise allows 3". */
import type { Expectation } from "../exercise";
import { AnswerProblem, readInstance } from "../answers";
import { plural } from "../../display/html";
import { TrainingResult } from "../../train";

export interface EpochsAtMostOptions {
  /** The most epochs the run may have trained. */
  epochs: number;
  hint?: string;
}

export function epochsAtMost(name: string, options: EpochsAtMostOptions): Expectation {
  return {
    describe: `\`${name}\` trained at most ${plural(options.epochs, "epoch")}`,
    evaluate(answers) {
      const run = readInstance(answers, name, TrainingResult, "what train() returns (`await train(...)`)");
      if (run instanceof AnswerProblem) return run.finding;
      const done = run.epochsCompleted;
      if (done <= options.epochs) return { passed: true, message: `\`${name}\` trained ${plural(done, "epoch")}, within the exercise's ${options.epochs}.` };
      return {
        passed: false,
        message: `\`${name}\` trained ${plural(done, "epoch")}; the exercise allows ${plural(options.epochs, "epoch")}.${options.hint ? " " + options.hint : ""}`,
      };
    },
  };
}
