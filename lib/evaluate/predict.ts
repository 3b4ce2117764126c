/**
 * Running a classifier over a dataset split or a tensor of images, in
 * batches, keeping only the probabilities: no giant tensors, every batch
 * disposed, progress shown on long runs, and the interrupt button honoured.
 */
import * as tf from "@tensorflow/tfjs";
import { Dataset, ProgressLine, checkSplitName, type SplitName } from "../data";
import { wasInterrupted } from "../display";
import { describe, LabelsInput, toLabels } from "./inputs";
import { looksLikeProbabilities, OutputKind, Predictions, softmaxRows } from "./predictions";

/** Images to classify: a dataset (one split of it), a batch tensor, or tensors with labels (e.g. from `ds.toTensors()`). */
export type PredictSource = Dataset | tf.Tensor4D | { xs: tf.Tensor4D; labels?: LabelsInput; ys?: tf.Tensor };

export interface PredictOptions {
  /** Which split of a dataset. Default "test". */
  split?: SplitName;
  /** Images per forward pass. Default 128. */
  batchSize?: number;
  /**
   * What the model outputs. "auto" (default): probabilities when the last
   * layer is a softmax (or the outputs are distributions), a single sigmoid
   * unit as the probability of class 1, else logits, to which softmax is
   * applied here.
   */
  outputs?: "auto" | OutputKind;
  /** Class names. Default: the dataset's, else "0", "1", .... */
  classNames?: readonly string[];
  /** Show a progress line when prediction takes longer than a second (in a notebook). Default true. */
  progress?: boolean;
}

/** Runs `model` over every image of `source` and keeps the per-class probabilities. */
export async function getPredictions(model: tf.LayersModel, source: PredictSource, options: PredictOptions = {}): Promise<Predictions> {
  checkModel(model);
  const batchSize = options.batchSize ?? 128;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batchSize must be a whole number ≥ 1 (got ${String(options.batchSize)}).`);
  const declared = options.outputs ?? "auto";
  if (!["auto", "probabilities", "logits", "sigmoid"].includes(declared)) {
    throw new Error(`outputs must be "auto", "probabilities", "logits" or "sigmoid" (got ${JSON.stringify(declared)}).`);
  }
  const outputUnits = model.outputs[0].shape[1] as number;
  const numClasses = outputUnits === 1 ? 2 : outputUnits;

  if (source instanceof Dataset) {
    const split = checkSplitName(options.split ?? "test");
    const size = source.size(split);
    if (size === 0) {
      throw new Error(
        `The ${split} split of ${source.name} has no images. ` +
          `Its splits are: ${source.splitNames.map((s) => `${s} (${source.size(s)})`).join(", ") || "none"}; pass { split: "..." }.`,
      );
    }
    checkInputShape(model, source.shape, `${source.name}'s images`);
    checkClassCount(numClasses, source.classNames.length, `${source.name} has ${source.classNames.length} classes`);
    const run = new BatchRunner(model, size, numClasses, declared, `Predicting ${source.name} (${split})`, options.progress ?? true);
    const labels = new Int32Array(size);
    const indices = new Int32Array(size);
    for await (const batch of source.batches({ split, batchSize, shuffle: false, labels: "index" })) {
      try {
        labels.set(batch.labels, run.done);
        indices.set(batch.indices, run.done);
        await run.add(batch.xs);
      } finally {
        batch.dispose();
      }
    }
    return new Predictions({
      probabilities: run.finish(),
      numClasses,
      classNames: options.classNames ?? source.classNames,
      labels,
      indices,
      dataset: source,
      split,
      outputs: run.kind,
    });
  }

  const { xs, labels } = tensorSource(source, numClasses);
  checkInputShape(model, xs.shape.slice(1), "the images");
  const size = xs.shape[0];
  if (size === 0) throw new Error("There are no images to predict (the tensor's first dimension is 0).");
  const run = new BatchRunner(model, size, numClasses, declared, "Predicting", options.progress ?? true);
  for (let start = 0; start < size; start += batchSize) {
    const slice = tf.slice(xs, [start, 0, 0, 0], [Math.min(batchSize, size - start), -1, -1, -1]);
    try {
      await run.add(slice);
    } finally {
      slice.dispose();
    }
  }
  return new Predictions({ probabilities: run.finish(), numClasses, classNames: options.classNames, labels, outputs: run.kind });
}

/** Feeds batches through the model and collects probabilities in one preallocated array. */
export class BatchRunner {
  readonly probabilities: Float32Array;
  done = 0;
  kind: OutputKind | undefined;
  private readonly started = performance.now();
  private progress: ProgressLine | undefined;
  private readonly singleUnit: boolean;

  constructor(
    private readonly model: tf.LayersModel,
    private readonly size: number,
    private readonly numClasses: number,
    declared: "auto" | OutputKind,
    private readonly title: string,
    private readonly showProgress: boolean,
  ) {
    this.probabilities = new Float32Array(size * numClasses);
    this.singleUnit = model.outputs[0].shape[1] === 1;
    this.kind = declared === "auto" ? declaredOutputs(model) : declared;
  }

  async add(xs: tf.Tensor): Promise<void> {
    if (wasInterrupted()) throw new Error(`Prediction interrupted after ${this.done} of ${this.size} images; nothing was kept.`);
    const n = xs.shape[0]!;
    const output = tf.tidy(() => {
      const y = this.model.predict(xs, { batchSize: n });
      if (Array.isArray(y)) throw new Error(`This model has ${y.length} outputs; evaluation needs a classifier with one output of class scores.`);
      return y;
    });
    let values: Float32Array;
    try {
      values = Float32Array.from(await output.data());
    } finally {
      output.dispose();
    }
    // Undeclared outputs are decided once, from the first batch, then applied to all.
    if (this.singleUnit) {
      // One unit: the probability (or logit) of class 1.
      this.kind ??= values.every((v) => v >= 0 && v <= 1) ? "sigmoid" : "logits";
      if (this.kind === "logits") values = values.map((v) => 1 / (1 + Math.exp(-v)));
      values = sigmoidToTwoClasses(values);
    } else {
      if (this.kind === "sigmoid") throw new Error(`outputs: "sigmoid" is for models with one output unit; this one has ${this.numClasses}.`);
      this.kind ??= looksLikeProbabilities(values, this.numClasses) ? "probabilities" : "logits";
      if (this.kind === "logits") softmaxRows(values, this.numClasses);
    }
    for (let i = 0; i < values.length; i++) {
      if (!Number.isFinite(values[i])) {
        throw new Error(
          `The model's output for image ${this.done + Math.floor(i / this.numClasses)} is ${values[i]}. ` +
            `NaN or Infinity usually means training diverged; retrain with a lower learning rate.`,
        );
      }
    }
    this.probabilities.set(values, this.done * this.numClasses);
    this.done += n;
    if (this.showProgress) {
      if (!this.progress && performance.now() - this.started > 1000) this.progress = new ProgressLine(this.title, this.size);
      this.progress?.update(this.done);
    }
  }

  finish(): Float32Array {
    if (this.done !== this.size) throw new Error(`Predicted ${this.done} of ${this.size} images; the batches ended early.`);
    return this.probabilities;
  }
}

function sigmoidToTwoClasses(values: Float32Array): Float32Array {
  const out = new Float32Array(values.length * 2);
  for (let i = 0; i < values.length; i++) {
    out[2 * i] = 1 - values[i];
    out[2 * i + 1] = values[i];
  }
  return out;
}

/** What the last layer says it outputs, when it says. */
export function declaredOutputs(model: tf.LayersModel): OutputKind | undefined {
  const last = model.outputLayers?.[0] ?? model.layers[model.layers.length - 1];
  if (!last) return undefined;
  const className = last.getClassName();
  if (className === "Softmax") return "probabilities";
  const activation = (last.getConfig() as { activation?: unknown }).activation;
  if (activation === "softmax") return "probabilities";
  if (activation === "sigmoid" && model.outputs[0].shape[1] === 1) return "sigmoid";
  if (activation === "linear" && className === "Dense") return "logits";
  return undefined;
}

export function checkModel(model: tf.LayersModel): void {
  if (!model || typeof (model as Partial<tf.LayersModel>).predict !== "function" || !Array.isArray(model.outputs)) {
    throw new Error(`Expected a tfjs LayersModel (from tf.sequential(), tf.model() or tf.loadLayersModel()), got ${describe(model)}.`);
  }
  if (model.outputs.length !== 1 || model.outputs[0].shape.length !== 2) {
    const shapes = model.outputs.map((o) => `[${o.shape.map((d) => d ?? "batch").join(", ")}]`).join(", ");
    throw new Error(`Evaluation needs a classifier with one output of shape [batch, classes]; this model outputs ${shapes}.`);
  }
  if (model.inputs.length !== 1) throw new Error(`Evaluation needs a model with one image input; this one has ${model.inputs.length} inputs.`);
}

/** The model's input shape must match the images (height, width, channels). */
export function checkInputShape(model: tf.LayersModel, imageShape: readonly number[], what: string): void {
  const expected = model.inputs[0].shape.slice(1);
  const matches = expected.length === imageShape.length && expected.every((d, i) => d === null || d === imageShape[i]);
  if (!matches) {
    throw new Error(
      `The model expects inputs of shape [${expected.map((d) => d ?? "any").join(", ")}] (height, width, channels), ` +
        `but ${what} are [${imageShape.join(", ")}]. Use images of the size the model was built for.`,
    );
  }
}

export function checkClassCount(modelClasses: number, classes: number, what: string): void {
  if (modelClasses !== classes) {
    throw new Error(`The model predicts ${modelClasses} classes but ${what}; they must match (is this the model trained on this data?).`);
  }
}

function tensorSource(source: Exclude<PredictSource, Dataset>, numClasses: number): { xs: tf.Tensor4D; labels?: Int32Array } {
  if (source instanceof tf.Tensor) {
    if (source.rank !== 4) throw new Error(`Expected images as a 4-D tensor [images, height, width, channels], got shape [${source.shape.join(", ")}].`);
    return { xs: source };
  }
  if (!source || !(source.xs instanceof tf.Tensor) || source.xs.rank !== 4) {
    throw new Error(
      `Expected a Dataset, a 4-D image tensor, or { xs, labels } with xs a [images, height, width, channels] tensor (got ${describe(source)}).`,
    );
  }
  const given = source.labels ?? source.ys;
  const labels = given === undefined ? undefined : toLabels(given, "labels", numClasses);
  if (labels && labels.length !== source.xs.shape[0]) {
    throw new Error(`There are ${labels.length} labels for ${source.xs.shape[0]} images; give one label per image.`);
  }
  return { xs: source.xs, labels };
}
