/**
 * sweep(): grid or random search over any settings, train() options and
 * model options alike, within a budget:
 *
 *     const results = await sweep({
 *       space: { learningRate: { logUniform: [1e-3, 1e-1] }, batchSize: [32, 64], dropout: [0, 0.5] },
 *       build: (p, seed) => myNet({ dropout: p.dropout as number, seed }),
 *       data, search: "random", trials: 8, budget: { seconds: 600 },
 *       options: { epochs: 5 },
 *     });
 *
 * Settings whose name is a train() option (learningRate, batchSize, solver,
 * ...) go to train(); every setting goes to `build`.
 */
import type * as tf from "@tensorflow/tfjs";
import { createRandom, type Dataset, mixSeeds } from "../data";
import type { TrainOptions } from "../train";
import { SAVED_OPTION_KEYS } from "../train/options";
import { runTrials, type Budget, type ParamValue, type Trial, type TrialResults, trialOptions } from "./trials";

/** A setting's values: a list (grid or random pick), or a range to sample (random search). */
export type SearchDimension =
  | readonly ParamValue[]
  | { logUniform: [number, number] }
  | { uniform: [number, number] }
  | { int: [number, number] };

export interface SweepOptions {
  /** Settings to vary and their values. */
  space: Record<string, SearchDimension>;
  /** A fresh model for a trial's settings; `seed` is the trial's model seed. */
  build: (params: Record<string, ParamValue>, seed: number) => tf.LayersModel;
  data: Dataset;
  /** "grid" tries every combination; "random" draws `trials` of them. Default: grid when every setting is a list. */
  search?: "grid" | "random";
  /** Trials for a random search. Default 8. */
  trials?: number;
  /** Seed of the random search and of each trial's model and training. Default 0. */
  seed?: number;
  /** train() options shared by every trial (each trial's settings override them). Default { epochs: 5 }. */
  options?: TrainOptions;
  budget?: Budget;
  title?: string;
}

/** train() options a sweep can set from its settings: those that shape a run's numbers. */
const TRAIN_KEYS = new Set<string>(SAVED_OPTION_KEYS);

function isRange(d: SearchDimension): d is { logUniform: [number, number] } | { uniform: [number, number] } | { int: [number, number] } {
  return !Array.isArray(d);
}

function checkSpace(space: Record<string, SearchDimension>): void {
  if (!space || typeof space !== "object" || Object.keys(space).length === 0) {
    throw new Error('sweep: space must name at least one setting, e.g. { learningRate: [0.001, 0.01, 0.1] }.');
  }
  for (const [name, d] of Object.entries(space)) {
    if (Array.isArray(d)) {
      if (d.length === 0) throw new Error(`sweep: setting "${name}" has no values.`);
      continue;
    }
    const range = (d as Record<string, unknown>).logUniform ?? (d as Record<string, unknown>).uniform ?? (d as Record<string, unknown>).int;
    if (!Array.isArray(range) || range.length !== 2 || !(range[0] < range[1])) {
      throw new Error(`sweep: setting "${name}" must be a list of values or { logUniform | uniform | int: [low, high] } with low < high.`);
    }
    if ("logUniform" in d && !(d.logUniform[0] > 0)) throw new Error(`sweep: a logUniform range needs positive ends ("${name}").`);
  }
}

/** Every combination of the lists, in order (the first setting varies slowest). */
export function gridPoints(space: Record<string, readonly ParamValue[]>): Record<string, ParamValue>[] {
  let points: Record<string, ParamValue>[] = [{}];
  for (const [name, values] of Object.entries(space)) {
    points = points.flatMap((p) => values.map((v) => ({ ...p, [name]: v })));
  }
  return points;
}

/** `count` seeded draws from the space. */
export function randomPoints(space: Record<string, SearchDimension>, count: number, seed: number): Record<string, ParamValue>[] {
  const random = createRandom(mixSeeds(seed, 17));
  return Array.from({ length: count }, () => {
    const point: Record<string, ParamValue> = {};
    for (const [name, d] of Object.entries(space)) {
      if (!isRange(d)) point[name] = d[random.int(d.length)];
      else if ("logUniform" in d) point[name] = +Math.exp(random.uniform(Math.log(d.logUniform[0]), Math.log(d.logUniform[1]))).toPrecision(3);
      else if ("uniform" in d) point[name] = +random.uniform(d.uniform[0], d.uniform[1]).toPrecision(3);
      else point[name] = d.int[0] + random.int(d.int[1] - d.int[0] + 1);
    }
    return point;
  });
}

const describe = (p: Record<string, ParamValue>) => Object.entries(p).map(([k, v]) => `${k} ${v}`).join(", ");

export async function sweep(options: SweepOptions): Promise<TrialResults> {
  if (!options || typeof options.build !== "function") throw new Error("sweep needs { space, build: (params, seed) => model, data }.");
  checkSpace(options.space);
  const allLists = Object.values(options.space).every((d) => !isRange(d));
  const search = options.search ?? (allLists ? "grid" : "random");
  if (search === "grid" && !allLists) throw new Error("sweep: a grid search needs a list of values for every setting; use search: \"random\" for ranges.");
  const seed = options.seed ?? 0;
  const points =
    search === "grid"
      ? gridPoints(options.space as Record<string, readonly ParamValue[]>)
      : randomPoints(options.space, options.trials ?? 8, seed);
  const base: TrainOptions = trialOptions(options.options);
  const trials: Trial[] = points.map((params) => {
    const trainSettings: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(params)) if (TRAIN_KEYS.has(k)) trainSettings[k] = v;
    return {
      name: describe(params),
      params,
      build: () => options.build(params, seed + 1),
      options: { randomSeed: seed + 1, ...base, ...(trainSettings as TrainOptions) },
    };
  });
  return runTrials(trials, options.data, { budget: options.budget, title: options.title ?? `${search === "grid" ? "Grid" : "Random"} search` });
}
