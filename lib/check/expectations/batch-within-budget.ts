/**
 * A batch size chosen from a measured sweep (measureBatchSizes): the one
 * that gets the most images through per second while one call stays within
 * a latency budget. The right batch comes from the learner's own sweep, so
 * the check holds on any machine.
 */
import type { Expectation } from "../exercise";
import { AnswerProblem, readInstance, readNumber } from "../answers";
import { BatchSweep } from "../../deploy";

export interface BatchWithinBudgetOptions {
  /** The sweep the batch is chosen from (a BatchSweep answer). */
  sweep: string;
  budgetMs: number;
}

export function batchWithinBudget(name: string, options: BatchWithinBudgetOptions): Expectation {
  return {
    describe: `\`${name}\`: the fastest batch whose call takes at most ${options.budgetMs} ms`,
    evaluate(answers) {
      const sweep = readInstance(answers, options.sweep, BatchSweep, "what measureBatchSizes returns");
      if (sweep instanceof AnswerProblem) return sweep.finding;
      const batch = readNumber(answers, name);
      if (batch instanceof AnswerProblem) return batch.finding;
      const point = sweep.points.find((p) => p.batch === batch);
      if (!point) return { passed: false, message: `Not yet: ${batch} is not one of the batch sizes measured (${sweep.points.map((p) => p.batch).join(", ")}). Pick one of them.` };
      const best = sweep.fastestWithin(options.budgetMs);
      if (!best) return { passed: true, message: `No batch fits ${options.budgetMs} ms on this machine right now, so any choice is as good; the lesson's text explains what that means.` };
      if (point.latencyMs > options.budgetMs) {
        return { passed: false, message: `Not yet: a call with batch ${batch} takes ${point.latencyMs.toFixed(2)} ms, over the ${options.budgetMs} ms budget. Look at the latency panel: which batches stay under the budget?` };
      }
      if (point !== best) {
        return {
          passed: false,
          message: `Not yet: batch ${batch} fits the budget (${point.latencyMs.toFixed(2)} ms), but another batch that fits gets more images through per second. Compare the throughput of the batches under the budget.`,
        };
      }
      return { passed: true, message: `Batch ${batch}: ${Math.round(point.imagesPerSecond)} images/s, each call ${point.latencyMs.toFixed(2)} ms, within ${options.budgetMs} ms.` };
    },
  };
}
