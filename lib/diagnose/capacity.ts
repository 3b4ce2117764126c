/**
 * capacitySweep(): the same data on networks of growing size. Training
 * accuracy keeps rising with capacity; validation accuracy rises, then
 * stalls or falls where the larger networks start to memorize.
 */
import type * as tf from "@tensorflow/tfjs";
import { type Chart, scatterChart } from "../charts";
import type { Dataset } from "../data";
import type { TrainOptions } from "../train";
import { runTrials, type Budget, type Trial, type TrialResults, trialOptions } from "./trials";

export interface CapacitySweepOptions {
  /** train() options. Default { epochs: 5 }. */
  options?: TrainOptions;
  /** Seed of every model and run. Default 1. */
  seed?: number;
  budget?: Budget;
}

/** Accuracy (training and validation) against the number of parameters, one point per network. */
export function capacityChart(results: TrialResults): Chart {
  const records = results.finished.flatMap((t) => [
    { params: t.modelParams, accuracy: t.final?.accuracy ?? null, split: "train", network: t.name },
    { params: t.modelParams, accuracy: t.bestValAccuracy ?? null, split: "validation", network: t.name },
  ]);
  return scatterChart(records, { x: "params", y: "accuracy", color: "split", label: "network", logX: true, title: "Capacity", xTitle: "parameters", yTitle: "accuracy" });
}

export async function capacitySweep(
  builders: Record<string, (seed: number) => tf.LayersModel>,
  data: Dataset,
  options: CapacitySweepOptions = {},
): Promise<TrialResults & { chart(): Chart }> {
  const names = Object.keys(builders ?? {});
  if (names.length < 2) throw new Error('capacitySweep compares networks: give at least two, e.g. { small: (s) => mlp({ hidden: [16], seed: s }), large: ... }.');
  const seed = options.seed ?? 1;
  const trials: Trial[] = names.map((name) => ({
    name,
    params: { network: name },
    build: () => builders[name](seed),
    options: trialOptions(options.options, { randomSeed: seed }),
  }));
  const results = await runTrials(trials, data, { budget: options.budget, title: "Capacity sweep" });
  for (const t of results.trials) t.params.parameters = t.modelParams;
  return Object.assign(results, { chart: () => capacityChart(results) });
}
