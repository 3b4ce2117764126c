/**
 * Learning-rate policies, as DIGITS offers them and Caffe computes them.
 *
 * DIGITS gives each policy's parameters in percent of training and converts
 * them to Caffe's solver parameters with scale = max_iter / 100
 * (digits/model/tasks/caffe_train.py); Caffe then computes the rate at
 * iteration `iter` (SGDSolver::GetLearningRate):
 *
 * | policy    | DIGITS parameters (defaults)            | Caffe parameters                        | rate at iter                          |
 * |-----------|-----------------------------------------|-----------------------------------------|---------------------------------------|
 * | fixed     |                                         |                                         | base                                  |
 * | step      | stepSize 33 (%), gamma 0.1              | stepsize = ⌈33·scale⌉                   | base · gamma^⌊iter / stepsize⌋        |
 * | multistep | stepValues [50, 85] (%), gamma 0.5      | stepvalue_i = ⌈v_i·scale⌉               | base · gamma^(stepvalues ≤ iter)      |
 * | exp       | gamma 0.95                              | gamma' = gamma^(1/scale)                | base · gamma'^iter                    |
 * | inv       | gamma 0.1, power 0.5                    | gamma' = gamma / scale                  | base · (1 + gamma'·iter)^(−power)     |
 * | poly      | power 3                                 |                                         | base · (1 − iter / max_iter)^power    |
 * | sigmoid   | stepSize 50 (%), gamma 0.1              | gamma' = −gamma / scale, stepsize = ⌈50·scale⌉ | base / (1 + e^(−gamma'·(iter − stepsize))) |
 *
 * So with DIGITS's parameters, exp multiplies the rate by gamma every 1% of
 * training, and the curves have the same shape whatever the dataset size.
 */

import { plural } from "../display/html";

export type LrPolicyName = "fixed" | "step" | "multistep" | "exp" | "inv" | "poly" | "sigmoid";

export const LR_POLICY_NAMES: readonly LrPolicyName[] = ["fixed", "step", "multistep", "exp", "inv", "poly", "sigmoid"];

/** A learning-rate policy with DIGITS's parameters (omitted ones take DIGITS's defaults). */
export type LrPolicy =
  | { policy: "fixed" }
  /** Multiply by gamma every stepSize percent of training. Defaults 33 and 0.1. */
  | { policy: "step"; stepSize?: number; gamma?: number }
  /** Multiply by gamma at each of stepValues (percents of training). Defaults [50, 85] and 0.5. */
  | { policy: "multistep"; stepValues?: number[]; gamma?: number }
  /** Multiply by gamma every 1 % of training. Default 0.95. */
  | { policy: "exp"; gamma?: number }
  /** base · (1 + gamma · percent)^(−power). Defaults 0.1 and 0.5. */
  | { policy: "inv"; gamma?: number; power?: number }
  /** base · (1 − progress)^power, reaching 0 at the end. Default 3. */
  | { policy: "poly"; power?: number }
  /** A falling sigmoid centred at stepSize percent, steepness gamma. Defaults 50 and 0.1. */
  | { policy: "sigmoid"; stepSize?: number; gamma?: number };

/** Every parameter filled in. */
export interface ResolvedLrPolicy {
  policy: LrPolicyName;
  /** Percent of training (step, sigmoid). */
  stepSize?: number;
  /** Percents of training (multistep). */
  stepValues?: number[];
  gamma?: number;
  power?: number;
}

/** DIGITS's defaults (digits/model/forms.py). */
export const LR_POLICY_DEFAULTS: { [P in LrPolicyName]: ResolvedLrPolicy } = {
  fixed: { policy: "fixed" },
  step: { policy: "step", stepSize: 33, gamma: 0.1 },
  multistep: { policy: "multistep", stepValues: [50, 85], gamma: 0.5 },
  exp: { policy: "exp", gamma: 0.95 },
  inv: { policy: "inv", gamma: 0.1, power: 0.5 },
  poly: { policy: "poly", power: 3 },
  sigmoid: { policy: "sigmoid", stepSize: 50, gamma: 0.1 },
};

const PARAMETERS: { [P in LrPolicyName]: string[] } = {
  fixed: [],
  step: ["stepSize", "gamma"],
  multistep: ["stepValues", "gamma"],
  exp: ["gamma"],
  inv: ["gamma", "power"],
  poly: ["power"],
  sigmoid: ["stepSize", "gamma"],
};

function example(policy: LrPolicyName): string {
  const d = LR_POLICY_DEFAULTS[policy];
  const parts = PARAMETERS[policy].map((k) => `${k}: ${JSON.stringify(d[k as keyof ResolvedLrPolicy])}`);
  return `{ policy: "${policy}"${parts.length ? ", " + parts.join(", ") : ""} }`;
}

/** Fills in DIGITS's defaults and checks every parameter. */
export function resolveLrPolicy(input: LrPolicy | LrPolicyName | undefined): ResolvedLrPolicy {
  const given: Record<string, unknown> = typeof input === "string" ? { policy: input } : { ...(input ?? { policy: "step" }) };
  const policy = given.policy as LrPolicyName;
  if (!LR_POLICY_NAMES.includes(policy)) {
    throw new Error(`Unknown lrPolicy "${String(policy)}". Use one of ${LR_POLICY_NAMES.map((p) => `"${p}"`).join(", ")}, e.g. ${example("step")}.`);
  }
  for (const key of Object.keys(given)) {
    if (key !== "policy" && !PARAMETERS[policy].includes(key)) {
      const allowed = PARAMETERS[policy];
      throw new Error(
        `lrPolicy "${policy}" has no parameter "${key}"` +
          (allowed.length ? `; its parameters are ${allowed.join(" and ")}, e.g. ${example(policy)}.` : "; it takes no parameters."),
      );
    }
  }
  const resolved: ResolvedLrPolicy = { ...LR_POLICY_DEFAULTS[policy], ...(given as Partial<ResolvedLrPolicy>) };
  const fail = (message: string): never => {
    throw new Error(`lrPolicy "${policy}": ${message} For example ${example(policy)}.`);
  };
  if (resolved.gamma !== undefined) {
    if (!(typeof resolved.gamma === "number" && Number.isFinite(resolved.gamma) && resolved.gamma > 0)) fail(`gamma must be a positive number (got ${String(resolved.gamma)}).`);
    if ((policy === "step" || policy === "multistep" || policy === "exp") && resolved.gamma > 1) {
      fail(`gamma ${resolved.gamma} would make the learning rate grow; use a value below 1 (0.1 divides it by 10).`);
    }
  }
  if (resolved.power !== undefined && !(typeof resolved.power === "number" && Number.isFinite(resolved.power) && resolved.power >= 0)) {
    fail(`power must be a number, 0 or more (got ${String(resolved.power)}).`);
  }
  if (resolved.stepSize !== undefined && !(typeof resolved.stepSize === "number" && resolved.stepSize > 0 && resolved.stepSize <= 100)) {
    fail(`stepSize is a percent of training, above 0 and at most 100 (got ${String(resolved.stepSize)}).`);
  }
  if (resolved.stepValues !== undefined) {
    const values = resolved.stepValues;
    if (!Array.isArray(values) || values.length === 0 || !values.every((v) => typeof v === "number" && v > 0 && v <= 100)) {
      fail(`stepValues are percents of training, each above 0 and at most 100 (got ${JSON.stringify(values)}).`);
    }
    if (values.some((v, i) => i > 0 && v <= values[i - 1])) fail(`stepValues must increase (got ${JSON.stringify(values)}).`);
    resolved.stepValues = [...values];
  }
  return resolved;
}

/** The parameters DIGITS would write into Caffe's solver.prototxt for this run. */
export interface CaffeSolverSchedule {
  policy: LrPolicyName;
  baseLr: number;
  maxIter: number;
  stepsize?: number;
  stepvalue?: number[];
  gamma?: number;
  power?: number;
}

/** DIGITS's conversion from percents to iterations (caffe_train.py). */
export function toCaffeSchedule(policy: ResolvedLrPolicy, baseLr: number, maxIter: number): CaffeSolverSchedule {
  const scale = maxIter / 100;
  const out: CaffeSolverSchedule = { policy: policy.policy, baseLr, maxIter };
  switch (policy.policy) {
    case "fixed":
      break;
    case "step":
      out.stepsize = Math.ceil(policy.stepSize! * scale);
      out.gamma = policy.gamma;
      break;
    case "multistep":
      out.stepvalue = policy.stepValues!.map((v) => Math.ceil(v * scale));
      out.gamma = policy.gamma;
      break;
    case "exp":
      out.gamma = Math.pow(policy.gamma!, 1 / scale);
      break;
    case "inv":
      out.gamma = policy.gamma! / scale;
      out.power = policy.power;
      break;
    case "poly":
      out.power = policy.power;
      break;
    case "sigmoid":
      out.gamma = (-1 * policy.gamma!) / scale;
      out.stepsize = Math.ceil(policy.stepSize! * scale);
      break;
  }
  return out;
}

/** Caffe's SGDSolver::GetLearningRate at iteration `iter` (0-based). */
export function caffeLearningRate(s: CaffeSolverSchedule, iter: number): number {
  switch (s.policy) {
    case "fixed":
      return s.baseLr;
    case "step":
      return s.baseLr * Math.pow(s.gamma!, Math.floor(iter / Math.max(1, s.stepsize!)));
    case "multistep": {
      let passed = 0;
      for (const value of s.stepvalue!) if (iter >= value) passed++;
      return s.baseLr * Math.pow(s.gamma!, passed);
    }
    case "exp":
      return s.baseLr * Math.pow(s.gamma!, iter);
    case "inv":
      return s.baseLr * Math.pow(1 + s.gamma! * iter, -s.power!);
    case "poly":
      return s.baseLr * Math.pow(Math.max(0, 1 - iter / s.maxIter), s.power!);
    case "sigmoid":
      return s.baseLr * (1 / (1 + Math.exp(-s.gamma! * (iter - s.stepsize!))));
  }
}

/**
 * A rate without the noise of float arithmetic: γ^k·base gives
 * 0.00010000000000000002 where Caffe's log and a learner both read 0.0001.
 * Twelve significant digits keep every rate a float32 optimizer can tell apart.
 */
export function cleanRate(rate: number): number {
  return Number.isFinite(rate) ? +rate.toPrecision(12) : rate;
}

/** The learning rate of every step of one training run. */
export class LearningRateSchedule {
  readonly caffe: CaffeSolverSchedule;

  constructor(
    readonly policy: ResolvedLrPolicy,
    readonly baseLr: number,
    /** Steps (batches) in the whole run: batches per epoch × epochs. */
    readonly maxIter: number,
  ) {
    this.caffe = toCaffeSchedule(policy, baseLr, maxIter);
  }

  /** Rate at step `step` (0-based), as Caffe computes it. */
  at(step: number): number {
    return cleanRate(caffeLearningRate(this.caffe, step));
  }

  /** One line, e.g. "step: ×0.1 every 33% of training (every 1,320 steps)". */
  describe(): string {
    const p = this.policy;
    const steps = (n: number) => plural(n, "step");
    switch (p.policy) {
      case "fixed":
        return `fixed at ${this.baseLr}`;
      case "step":
        return `step: ×${p.gamma} every ${p.stepSize}% of training (every ${steps(this.caffe.stepsize!)})`;
      case "multistep":
        return `multistep: ×${p.gamma} at ${p.stepValues!.map((v) => `${v}%`).join(", ")} of training (steps ${this.caffe.stepvalue!.join(", ")})`;
      case "exp":
        return `exp: ×${p.gamma} every 1% of training`;
      case "inv":
        return `inv: (1 + ${p.gamma} × percent)^−${p.power}`;
      case "poly":
        return `poly: (1 − progress)^${p.power}, reaching 0 at the end`;
      case "sigmoid":
        return `sigmoid: falls around ${p.stepSize}% of training (gamma ${p.gamma})`;
    }
  }
}
