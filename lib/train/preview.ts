/**
 * previewSchedule(options, data?): the learning-rate curve a run will use,
 * drawn before training, as DIGITS draws it beside its solver options.
 */
import { type Chart, learningRateChart } from "../charts";
import type { Dataset } from "../data";
import { resolveTrainOptions, type TrainOptions } from "./options";
import { planRun, type RunPlan } from "./plan";

const MAX_POINTS = 400;

/** The plan train() would follow with these options (and this dataset's training split). */
export function scheduleFor(options: TrainOptions = {}, data?: Dataset): RunPlan {
  const resolved = resolveTrainOptions({ ...options, live: false, callbacks: undefined }, () => 0);
  return planRun(resolved, data?.size("train"));
}

/** The learning rate over training (x in epochs), with every step where it jumps. */
export function previewSchedule(options: TrainOptions = {}, data?: Dataset): Chart {
  const { schedule, stepsPerEpoch, maxIter } = scheduleFor(options, data);
  const steps = new Set<number>();
  const count = Math.min(maxIter, MAX_POINTS);
  for (let i = 0; i < count; i++) steps.add(Math.round((i * (maxIter - 1)) / Math.max(1, count - 1)));
  // The exact steps where step policies jump, so the chart shows them where they are.
  const c = schedule.caffe;
  if (c.stepsize && c.policy === "step") for (let s = c.stepsize; s < maxIter; s += c.stepsize) steps.add(s);
  for (const s of c.stepvalue ?? []) if (s < maxIter) steps.add(s);
  steps.add(maxIter - 1);
  const points = [...steps].sort((a, b) => a - b).map((s) => ({ epoch: s / stepsPerEpoch, lr: schedule.at(s) }));
  return learningRateChart(points, {
    title: `Learning rate: ${schedule.describe()}`,
    xTitle: "epoch",
  });
}
