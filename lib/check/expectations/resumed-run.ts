/**
 * A training run that continued from a snapshot and reached a given number
 * of epochs in all: the result of `train(model, data, { resumeFrom, epochs })`.
 */
import type { Expectation } from "../exercise";
import { AnswerProblem, readInstance } from "../answers";
import { plural } from "../../display/html";
import { TrainingResult } from "../../train";

export interface ResumedRunOptions {
  /** Epochs the run should have completed in all, counting those trained before the snapshot. */
  epochs: number;
  /** What to try when the run ended at another epoch. */
  hint?: string;
}

export function resumedRun(name: string, options: ResumedRunOptions): Expectation {
  return {
    describe: `\`${name}\` resumed from a snapshot and trained ${plural(options.epochs, "epoch")} in all`,
    evaluate(answers) {
      const run = readInstance(answers, name, TrainingResult, "what train() returns (`await train(...)`)");
      if (run instanceof AnswerProblem) return run.finding;
      if (run.resumedFrom === undefined) {
        return {
          passed: false,
          message: `\`${name}\` started from the model's current weights, not from a snapshot: give train() the option resumeFrom with a snapshot's folder.`,
        };
      }
      if (run.status !== "completed") {
        return { passed: false, message: `The resumed run did not finish (it was ${run.status}); run its cell again and let it complete.` };
      }
      const snapshot = run.resumedFrom.split(/[\\/]/).pop();
      const done = run.epochsCompleted;
      if (done === options.epochs) {
        return { passed: true, message: `Resumed from ${snapshot} and trained on to ${plural(done, "epoch")} in all.` };
      }
      return {
        passed: false,
        message:
          `The run resumed from ${snapshot} and ended with ${plural(done, "epoch")} trained in all; the exercise asks for ${options.epochs}.` +
          (options.hint ? " " + options.hint : ""),
      };
    },
  };
}
