/**
 * train() options whose learning rate follows a given shape: the rate the
 * check reads off the schedule train() would use (scheduleFor), at chosen
 * points of the training, against the rate the exercise describes.
 */
import type { Expectation } from "../exercise";
import { AnswerProblem, readAnswer } from "../answers";
import { describeValue } from "../format";
import { formatNumber } from "../../display/html";
import { scheduleFor, type TrainOptions } from "../../train";

export interface LearningRateScheduleOptions {
  /** The rate expected at fractions of training (0 = the first step, 0.5 = half-way): `[{ at: 0.6, rate: 0.01 }, ...]`. */
  points: readonly { at: number; rate: number }[];
  /** Accepted relative difference. Default 0.001 (0.1%). */
  tolerance?: number;
  /** What to try when a point is missed. */
  hint?: string;
}

const percentOf = (fraction: number) => `${formatNumber(fraction * 100)}%`;

export function learningRateSchedule(name: string, options: LearningRateScheduleOptions): Expectation {
  const tolerance = options.tolerance ?? 0.001;
  if (!Array.isArray(options.points) || options.points.length === 0) throw new Error("learningRateSchedule needs at least one point to compare.");
  return {
    describe: `the learning rate of \`${name}\` at ${options.points.length} points of training`,
    evaluate(answers) {
      const value = readAnswer(answers, name);
      if (value instanceof AnswerProblem) return value.finding;
      if (typeof value !== "object" || value === null || Array.isArray(value)) {
        return { passed: false, message: `\`${name}\` should be train() options, such as { learningRate: 0.01, lrPolicy: "step" }, but it is ${describeValue(value)}.` };
      }
      // Bad options throw the same learner-facing error train() would; check() turns it into a finding.
      const { schedule } = scheduleFor(value as TrainOptions);
      const misses: string[] = [];
      for (const point of options.points) {
        const step = Math.min(schedule.maxIter - 1, Math.floor(point.at * schedule.maxIter));
        const rate = schedule.at(step);
        if (Math.abs(rate - point.rate) > tolerance * Math.abs(point.rate)) {
          misses.push(`at ${percentOf(point.at)} of training it is ${formatNumber(rate)}, where the exercise asks for ${formatNumber(point.rate)}`);
        }
      }
      const described = `Your schedule: ${schedule.describe()}.`;
      if (misses.length === 0) return { passed: true, message: `${described} It gives the rates the exercise asks for.` };
      return {
        passed: false,
        message: `${described} Its learning rate ${misses.join("; ")}.${options.hint ? " " + options.hint : ""}`,
      };
    },
  };
}
