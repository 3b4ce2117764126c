/**
 * train()'s options, with DIGITS's defaults (digits/model/forms.py and
 * digits/model/tasks/caffe_train.py), checked up front so a typo fails
 * before any training time is spent.
 */
import { type AugmentOptions, checkSplitName, resolveAugmentOptions, type SplitName } from "../data";
import { describeValue } from "../charts/format";
import type { Callback } from "./callbacks";
import type { Objective } from "./objective";
import { cleanRate, LrPolicy, LrPolicyName, resolveLrPolicy, ResolvedLrPolicy } from "./schedule";

/** The solvers DIGITS offers (Caffe's), as tfjs optimizers. */
export type SolverName = "sgd" | "momentum" | "nesterov" | "adagrad" | "rmsprop" | "adadelta" | "adam";

export const SOLVER_NAMES: readonly SolverName[] = ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adadelta", "adam"];

export interface TrainOptions {
  /** Passes over the training split. Default 30 (DIGITS). */
  epochs?: number;
  /** Images per step. Default 64 (DIGITS's LeNet; use a power of two that fits in memory). */
  batchSize?: number;
  /** Base learning rate, before the lrPolicy. Default 0.01 (DIGITS). */
  learningRate?: number;
  /**
   * Default "momentum": what DIGITS calls SGD, Caffe's SGD with momentum 0.9.
   * "sgd" is plain SGD (no momentum unless `momentum` is given).
   */
  solver?: SolverName;
  /**
   * Default 0.9 (DIGITS sets it for every solver but AdaGrad and RMSprop; 0
   * for plain "sgd"). As in Caffe it is also Adam's beta1 and AdaDelta's decay.
   */
  momentum?: number;
  /** Adam's beta2. Default 0.999 (Caffe). */
  momentum2?: number;
  /** RMSprop's decay of the mean square. Default 0.99 (DIGITS). */
  rmsDecay?: number;
  /** The small number RMSprop, AdaDelta and Adam add to avoid dividing by 0. Default 1e-8 (Caffe). */
  delta?: number;
  /**
   * L2 weight decay on conv and dense kernels (added to their gradients, as
   * Caffe does; biases are not decayed). Default learningRate / 100, DIGITS's rule.
   */
  weightDecay?: number;
  /**
   * Biases learn this many times faster than kernels: Caffe's `lr_mult: 2`,
   * which DIGITS's standard networks (LeNet, AlexNet, GoogLeNet) give every
   * bias. Applied by scaling the bias gradients, which is exactly Caffe's
   * rule for the SGD solvers. Default 2 for "sgd", "momentum" and
   * "nesterov"; 1 for the adaptive solvers, which rescale every step by the
   * gradient's own size, so a multiplier there would do nothing.
   */
  biasLearningRateMultiplier?: number;
  /**
   * Per-layer multipliers of the learning rate, by layer name: Caffe's
   * per-layer `lr_mult`. `{ conv1: 0.1, conv2: 0.1 }` trains those layers
   * ten times slower than the rest (fine-tuning a pretrained backbone under
   * a new head; `backboneRates(model, 0.1)` writes this map). Layers not
   * named learn at the full rate. Works with every solver (each group of
   * layers gets its own solver at its own rate). Default none.
   */
  learningRateMultipliers?: Readonly<Record<string, number>>;
  /** Default "step": ×0.1 every 33 % of training (DIGITS). See LrPolicy. */
  lrPolicy?: LrPolicy | LrPolicyName;
  /** Epochs between validations; 0.5 validates twice an epoch; 0 never. Default 1 (DIGITS). */
  validationInterval?: number;
  /** The split to validate on. Default "validation". */
  validationSplit?: SplitName;
  /** Epochs between snapshots (whole epochs); 0 snapshots only at the end. Default 1 (DIGITS). */
  snapshotInterval?: number;
  /** Write snapshots to disk at all. Default true. */
  snapshots?: boolean;
  /** Folder for this run's snapshots. Default runs/<model name>-<date>-<time> in the working folder. */
  snapshotDir?: string;
  /**
   * Seed of the batch order, augmentation and dropout masks. The same seed on
   * the same backend gives identical curves. Default: a fresh seed, recorded
   * in the result. (The initial weights come from the model's own seed.)
   */
  randomSeed?: number;
  /** Visit the training images in a new random order every epoch. Default true (DIGITS). */
  shuffle?: boolean;
  /** Random changes to training images (see AugmentOptions). Default none. */
  augment?: AugmentOptions | null;
  /** Hooks run during training: earlyStopping(), reduceLROnPlateau(), your own. Default none. */
  callbacks?: Callback[];
  /**
   * What to learn, when it is not one class per image: the targets of each
   * batch, the loss and what counts as right (see Objective; a detector's or
   * segmenter's `objective(scenes)`). Default: the images' classes, softmax
   * cross-entropy and accuracy.
   */
  objective?: Objective;
  /** Stop at a NaN or infinite loss, explain it and restore the last good weights. Default true. */
  stopOnNaN?: boolean;
  /** Show the live chart and progress line. Default: true in a notebook, false elsewhere. */
  live?: boolean;
  /** Continue from a snapshot folder (written by an earlier train()); options not given are taken from it. */
  resumeFrom?: string;
}

/** Every option filled in (what a run actually used; saved in its snapshots). */
export interface ResolvedTrainOptions {
  epochs: number;
  batchSize: number;
  learningRate: number;
  solver: SolverName;
  momentum: number;
  momentum2: number;
  rmsDecay: number;
  delta: number;
  weightDecay: number;
  biasLearningRateMultiplier: number;
  learningRateMultipliers: Record<string, number>;
  lrPolicy: ResolvedLrPolicy;
  validationInterval: number;
  validationSplit: SplitName;
  snapshotInterval: number;
  snapshots: boolean;
  snapshotDir: string | undefined;
  randomSeed: number;
  shuffle: boolean;
  augment: AugmentOptions | null;
  stopOnNaN: boolean;
  live: boolean;
}

/** The options that shape the numbers (saved in a snapshot and reused on resume). */
export const SAVED_OPTION_KEYS = [
  "epochs",
  "batchSize",
  "learningRate",
  "solver",
  "momentum",
  "momentum2",
  "rmsDecay",
  "delta",
  "weightDecay",
  "biasLearningRateMultiplier",
  "learningRateMultipliers",
  "lrPolicy",
  "validationInterval",
  "validationSplit",
  "snapshotInterval",
  "randomSeed",
  "shuffle",
  "augment",
  "stopOnNaN",
] as const;

const KNOWN_KEYS: (keyof TrainOptions)[] = [
  ...SAVED_OPTION_KEYS,
  "snapshots",
  "snapshotDir",
  "callbacks",
  "objective",
  "live",
  "resumeFrom",
];

/** Names learners type from other tools, and what they are called here. */
const ALIASES: Record<string, keyof TrainOptions> = {
  lr: "learningRate",
  baseLr: "learningRate",
  base_lr: "learningRate",
  learning_rate: "learningRate",
  learningrate: "learningRate",
  batch_size: "batchSize",
  batchsize: "batchSize",
  epoch: "epochs",
  seed: "randomSeed",
  random_seed: "randomSeed",
  optimizer: "solver",
  solverType: "solver",
  weight_decay: "weightDecay",
  decay: "weightDecay",
  lr_policy: "lrPolicy",
  lr_mult: "biasLearningRateMultiplier",
  layerLearningRates: "learningRateMultipliers",
  lrMultipliers: "learningRateMultipliers",
  biasLrMult: "biasLearningRateMultiplier",
  schedule: "lrPolicy",
  validation_interval: "validationInterval",
  val_interval: "validationInterval",
  snapshot_interval: "snapshotInterval",
  resume: "resumeFrom",
};

function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
}

function number(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

/** Checks options and fills in the defaults. `randomSeed` defaults to `freshSeed`. */
export function resolveTrainOptions(options: TrainOptions, freshSeed: () => number): ResolvedTrainOptions {
  check(options !== null && typeof options === "object", "train()'s options must be an object, e.g. { epochs: 10, learningRate: 0.01 }.");
  checkKnownKeys(options);
  const epochs = options.epochs ?? 30;
  check(Number.isInteger(epochs) && epochs >= 1, `epochs must be a whole number of at least 1 (got ${describeValue(options.epochs)}).`);
  const batchSize = options.batchSize ?? 64;
  check(Number.isInteger(batchSize) && batchSize >= 1, `batchSize must be a whole number of at least 1 (got ${describeValue(options.batchSize)}); powers of two such as 32 or 64 are usual.`);
  const learningRate = options.learningRate ?? 0.01;
  check(number(learningRate) && learningRate > 0, `learningRate must be a positive number (got ${describeValue(options.learningRate)}); 0.01 is DIGITS's default.`);
  const solver = resolveSolverOptions(options, learningRate);
  const learningRateMultipliers = resolveLearningRateMultipliers(options);
  const lrPolicy = resolveLrPolicy(options.lrPolicy);
  const intervals = resolveIntervals(options);
  const randomSeed = options.randomSeed ?? freshSeed();
  check(Number.isInteger(randomSeed) && randomSeed >= 0, `randomSeed must be a whole number, 0 or more (got ${describeValue(options.randomSeed)}).`);
  const augment = options.augment ?? null;
  if (augment) resolveAugmentOptions(augment);
  checkCallbacksAndObjective(options, augment);
  if (options.snapshotDir !== undefined) check(typeof options.snapshotDir === "string" && options.snapshotDir.length > 0, "snapshotDir must be a folder path.");
  return {
    epochs,
    batchSize,
    learningRate,
    ...solver,
    learningRateMultipliers,
    lrPolicy,
    ...intervals,
    snapshots: options.snapshots ?? true,
    snapshotDir: options.snapshotDir,
    randomSeed,
    shuffle: options.shuffle ?? true,
    augment,
    stopOnNaN: options.stopOnNaN ?? true,
    live: options.live ?? false,
  };
}

/** Refuses an option train() does not have, naming the one meant when it is a known alias (Caffe's, DIGITS's). */
function checkKnownKeys(options: TrainOptions): void {
  for (const key of Object.keys(options)) {
    if (!(KNOWN_KEYS as string[]).includes(key)) {
      const alias = ALIASES[key];
      throw new Error(
        `train() has no option "${key}".` +
          (alias ? ` Did you mean "${alias}"?` : "") +
          ` The options are: ${KNOWN_KEYS.join(", ")}.`,
      );
    }
  }
}

type SolverOptions = Pick<
  ResolvedTrainOptions,
  "solver" | "momentum" | "momentum2" | "rmsDecay" | "delta" | "weightDecay" | "biasLearningRateMultiplier"
>;

/** The solver and its settings, with the defaults that depend on the solver (momentum, the bias multiplier) and on the learning rate (weight decay). */
function resolveSolverOptions(options: TrainOptions, learningRate: number): SolverOptions {
  const solver = options.solver ?? "momentum";
  check(SOLVER_NAMES.includes(solver), `Unknown solver "${String(solver)}". Use one of ${SOLVER_NAMES.map((s) => `"${s}"`).join(", ")}.`);
  const momentum = options.momentum ?? (solver === "sgd" || solver === "adagrad" || solver === "rmsprop" ? 0 : 0.9);
  check(number(momentum) && momentum >= 0 && momentum < 1, `momentum must be a number in [0, 1) (got ${describeValue(options.momentum)}); 0.9 is usual.`);
  check(!(options.momentum !== undefined && (solver === "adagrad" || solver === "rmsprop")), `The ${solver} solver takes no momentum (DIGITS sets none for it); leave momentum out.`);
  const momentum2 = options.momentum2 ?? 0.999;
  check(number(momentum2) && momentum2 > 0 && momentum2 < 1, `momentum2 (Adam's beta2) must be in (0, 1) (got ${describeValue(options.momentum2)}).`);
  const rmsDecay = options.rmsDecay ?? 0.99;
  check(number(rmsDecay) && rmsDecay > 0 && rmsDecay < 1, `rmsDecay must be in (0, 1) (got ${describeValue(options.rmsDecay)}).`);
  const delta = options.delta ?? 1e-8;
  check(number(delta) && delta > 0, `delta must be a small positive number (got ${describeValue(options.delta)}).`);
  const weightDecay = options.weightDecay ?? cleanRate(learningRate / 100);
  check(number(weightDecay) && weightDecay >= 0, `weightDecay must be a number, 0 or more (got ${describeValue(options.weightDecay)}); 0 turns it off.`);
  const sgdFamily = solver === "sgd" || solver === "momentum" || solver === "nesterov";
  const biasLearningRateMultiplier = options.biasLearningRateMultiplier ?? (sgdFamily ? 2 : 1);
  check(
    number(biasLearningRateMultiplier) && biasLearningRateMultiplier > 0,
    `biasLearningRateMultiplier must be a positive number (got ${describeValue(options.biasLearningRateMultiplier)}); 2 is Caffe's, 1 treats biases like kernels.`,
  );
  check(
    sgdFamily || biasLearningRateMultiplier === 1,
    `biasLearningRateMultiplier works with the "sgd", "momentum" and "nesterov" solvers only: ${solver} divides each step by the gradient's own size, so a larger bias gradient would not make a larger step. Leave it out (or set 1).`,
  );
  return { solver, momentum, momentum2, rmsDecay, delta, weightDecay, biasLearningRateMultiplier };
}

function resolveLearningRateMultipliers(options: TrainOptions): Record<string, number> {
  const learningRateMultipliers = { ...(options.learningRateMultipliers ?? {}) };
  check(
    typeof learningRateMultipliers === "object" && !Array.isArray(learningRateMultipliers),
    `learningRateMultipliers maps layer names to multipliers, e.g. { conv1: 0.1, conv2: 0.1 } (got ${JSON.stringify(options.learningRateMultipliers)}).`,
  );
  for (const [layer, multiplier] of Object.entries(learningRateMultipliers)) {
    check(
      number(multiplier) && multiplier > 0,
      `learningRateMultipliers: layer "${layer}" has multiplier ${String(multiplier)}; use a positive number (0.1 learns ten times slower). To keep a layer as it is, freeze it: freeze(model, "${layer}").`,
    );
  }
  return learningRateMultipliers;
}

/** How often train() validates and snapshots, and on which split it validates. */
function resolveIntervals(options: TrainOptions): Pick<ResolvedTrainOptions, "validationInterval" | "validationSplit" | "snapshotInterval"> {
  const validationInterval = options.validationInterval ?? 1;
  check(number(validationInterval) && validationInterval >= 0, `validationInterval is in epochs, 0 or more (got ${describeValue(options.validationInterval)}); 0 turns validation off.`);
  const validationSplit = checkSplitName(options.validationSplit ?? "validation");
  const snapshotInterval = options.snapshotInterval ?? 1;
  check(
    Number.isInteger(snapshotInterval) && snapshotInterval >= 0,
    `snapshotInterval is a whole number of epochs, 0 or more (got ${describeValue(options.snapshotInterval)}); 0 snapshots only at the end.`,
  );
  return { validationInterval, validationSplit, snapshotInterval };
}

function checkCallbacksAndObjective(options: TrainOptions, augment: AugmentOptions | null): void {
  if (options.callbacks !== undefined) {
    check(Array.isArray(options.callbacks), "callbacks must be a list, e.g. [earlyStopping(), reduceLROnPlateau()].");
    options.callbacks.forEach((cb, i) =>
      check(cb !== null && typeof cb === "object", `callbacks[${i}] is not a callback; use earlyStopping(), reduceLROnPlateau() or callback({ onEpochEnd() {...} }).`),
    );
  }
  if (options.objective !== undefined) {
    const o = options.objective as Partial<Objective> | null;
    check(
      o !== null && typeof o === "object" && ["targets", "loss", "correct"].every((k) => typeof (o as Record<string, unknown>)[k] === "function"),
      "objective must have targets(indices), loss(output, targets) and correct(output, targets), e.g. detector.objective(scenes).",
    );
    check(!augment, "augment moves an image's pixels but not its objective's targets (boxes, masks); train without augment when an objective is given.");
  }
}
