/**
 * Per-layer learning rates (the learningRateMultipliers option, Caffe's
 * per-layer lr_mult): the model's trainable variables are grouped by their
 * layer's multiplier, and each group gets its own solver at the run's rate
 * times its multiplier. One solver per group, not scaled gradients: Adam,
 * RMSprop, AdaGrad and AdaDelta divide every step by the gradient's own
 * size, so a scaled gradient would make the same step.
 *
 * The groups step together (one applyGradients per step, routed by
 * variable), so their iteration counts and Adam's bias corrections stay
 * equal; a snapshot saves every group's state under its group's prefix.
 */
import * as tf from "@tensorflow/tfjs";
import type { NamedTensor } from "@tensorflow/tfjs-core/dist/tensor_types";
import type { ResolvedTrainOptions } from "./options";

/** What a solver factory makes: a tfjs optimizer at a rate. */
export type MakeSolver = (learningRate: number) => tf.Optimizer;

interface Group {
  multiplier: number;
  /** Names of the tf.Variables this group updates. */
  variables: Set<string>;
  optimizer: tf.Optimizer;
}

/** Sets an optimizer's rate (solvers.ts knows how each tfjs optimizer keeps it). */
export type SetRate = (optimizer: tf.Optimizer, rate: number) => void;

/** Group prefix in saved solver weights: "group0/", "group1/", … */
const prefix = (i: number) => `group${i}/`;

export class LayerRateOptimizer extends tf.Optimizer {
  constructor(
    readonly groups: readonly Group[],
    private readonly setRate: SetRate,
    private readonly dispose1: (optimizer: tf.Optimizer) => void,
  ) {
    super();
  }

  /** tfjs's name of the solver every group uses (snapshots check it on resume). */
  override getClassName(): string {
    return this.groups[0].optimizer.getClassName();
  }

  /** Gives every group the run's rate times its multiplier. */
  setLearningRate(rate: number): void {
    for (const g of this.groups) this.setRate(g.optimizer, rate * g.multiplier);
  }

  override applyGradients(variableGradients: NamedTensor[] | Record<string, tf.Tensor>): void {
    const list: NamedTensor[] = Array.isArray(variableGradients)
      ? variableGradients
      : Object.entries(variableGradients).map(([name, tensor]) => ({ name, tensor }));
    for (const g of this.groups) {
      const mine = list.filter((v) => g.variables.has(v.name));
      if (mine.length > 0) g.optimizer.applyGradients(mine);
    }
  }

  override async getWeights(): Promise<NamedTensor[]> {
    const all: NamedTensor[] = [];
    for (const [i, g] of this.groups.entries()) {
      const [iterations, ...slots] = await g.optimizer.getWeights();
      // One iteration count for all: the groups step together.
      if (i === 0) all.push(iterations);
      else iterations.tensor.dispose();
      all.push(...slots.map((s) => ({ name: prefix(i) + s.name, tensor: s.tensor })));
    }
    return all;
  }

  override async setWeights(weights: NamedTensor[]): Promise<void> {
    const [iterations, ...slots] = weights;
    for (const [i, g] of this.groups.entries()) {
      const mine = slots.filter((s) => s.name.startsWith(prefix(i))).map((s) => ({ name: s.name.slice(prefix(i).length), tensor: s.tensor }));
      await g.optimizer.setWeights([iterations, ...mine]);
    }
  }

  override dispose(): void {
    for (const g of this.groups) this.dispose1(g.optimizer);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { groups: this.groups.map((g) => ({ multiplier: g.multiplier, ...g.optimizer.getConfig() })) };
  }
}

/**
 * The run's solver: a plain one when no layer has its own multiplier, else a
 * LayerRateOptimizer with one solver per multiplier. Unknown layer names are
 * refused with the model's layer names.
 */
export function solverForLayers(
  model: tf.LayersModel,
  options: Pick<ResolvedTrainOptions, "learningRateMultipliers">,
  learningRate: number,
  make: MakeSolver,
  setRate: SetRate,
  dispose: (optimizer: tf.Optimizer) => void,
): tf.Optimizer {
  const multipliers = options.learningRateMultipliers;
  const named = Object.keys(multipliers);
  if (named.length === 0) return make(learningRate);
  const layers = model.layers.filter((l) => l.getClassName() !== "InputLayer");
  const unknown = named.filter((name) => !layers.some((l) => l.name === name));
  if (unknown.length > 0) {
    throw new Error(
      `learningRateMultipliers names ${unknown.map((n) => `"${n}"`).join(", ")}, which model "${model.name}" does not have. ` +
        `Its layers with weights: ${layers.filter((l) => l.weights.length > 0).map((l) => l.name).join(", ")}.`,
    );
  }
  const byMultiplier = new Map<number, Set<string>>();
  for (const layer of layers) {
    const m = multipliers[layer.name] ?? 1;
    for (const w of layer.trainableWeights) {
      if (!byMultiplier.has(m)) byMultiplier.set(m, new Set());
      byMultiplier.get(m)!.add((w.read() as tf.Variable).name);
    }
  }
  // Full-rate group first, then the others from the largest multiplier down: a stable order for snapshots.
  const groups = [...byMultiplier.entries()]
    .sort(([a], [b]) => (a === 1 ? -1 : b === 1 ? 1 : b - a))
    .map(([multiplier, variables]) => ({ multiplier, variables, optimizer: make(learningRate * multiplier) }));
  if (groups.length === 0) return make(learningRate);
  return new LayerRateOptimizer(groups, setRate, dispose);
}

/** "conv1, conv2 at ×0.1", for the run's description. */
export function describeMultipliers(multipliers: Readonly<Record<string, number>>): string {
  const byValue = new Map<number, string[]>();
  for (const [layer, m] of Object.entries(multipliers)) byValue.set(m, [...(byValue.get(m) ?? []), layer]);
  return [...byValue.entries()].map(([m, layers]) => `${layers.join(", ")} at ×${m}`).join("; ");
}
