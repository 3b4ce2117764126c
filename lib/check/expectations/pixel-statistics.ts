/**
 * The mean and standard deviation of a split's pixels as a network would see
 * them (after the dataset's normalization), measured by reading every image.
 */
import type { SplitName } from "../../data";
import type { Expectation } from "../exercise";
import { AnswerProblem, readDataset } from "../answers";
import { formatNumber } from "../../display/html";
import { normalizedPixelStatistics } from "../measure";

export interface PixelStatisticsOptions {
  /** Default "train". */
  split?: SplitName;
  mean: number;
  std: number;
  /** Accepted distance for both. Default 0.05. */
  tolerance?: number;
  hint?: string;
}

/** A measured statistic to three decimals, as a person writes it: 0, not -9.81e-12 (rounding leaves nothing of it) or -0.000. */
function measured(value: number): string {
  const rounded = Math.round(value * 1000) / 1000;
  return formatNumber(rounded === 0 ? 0 : rounded);
}

export function pixelStatistics(name: string, options: PixelStatisticsOptions): Expectation {
  const split = options.split ?? "train";
  const tolerance = options.tolerance ?? 0.05;
  const wanted = `mean ${formatNumber(options.mean)} and standard deviation ${formatNumber(options.std)}`;
  return {
    describe: `${split} pixels with ${wanted}`,
    async evaluate(answers) {
      const data = readDataset(answers, name);
      if (data instanceof AnswerProblem) return data.finding;
      const { mean, std } = await normalizedPixelStatistics(data, split);
      const found = `The ${split} pixels, as the network will see them, have mean ${measured(mean)} and standard deviation ${measured(std)}`;
      if (Math.abs(mean - options.mean) <= tolerance && Math.abs(std - options.std) <= tolerance) {
        return { passed: true, message: `${found}.` };
      }
      return { passed: false, message: `${found}; the exercise asks for ${wanted} (±${formatNumber(tolerance)}).${options.hint ? " " + options.hint : ""}` };
    },
  };
}
