/**
 * A whole split as two tensors, for datasets small enough to hold at once
 * (MNIST's test split is 31 MB as float32). Larger ones should stream with
 * dataset.batches(). The caller owns and disposes the tensors.
 */
import * as tf from "@tensorflow/tfjs";
import type { Dataset, SplitTensors, TensorsOptions } from "./dataset";
import { checkSplitName, type SplitName } from "./split-names";
import { augmentSeed, labelTensor, prepareImages } from "./batches";
import { resolveAugmentOptions } from "./augment";

const GiB = 1024 ** 3;

export async function splitToTensors(dataset: Dataset, split: SplitName, options: TensorsOptions = {}): Promise<SplitTensors> {
  checkSplitName(split);
  if (options.augment) resolveAugmentOptions(options.augment);
  const indices = dataset.indices(split);
  if (indices.length === 0) {
    throw new Error(
      `The ${split} split of ${dataset.name} is empty. Its splits are: ${dataset.splitNames.join(", ") || "none"}. ` +
        `Use split(dataset, { train: 0.6, validation: 0.2, test: 0.2 }) to make one.`,
    );
  }
  const [height, width, channels] = dataset.shape;
  const bytes = indices.length * height * width * channels * 4;
  const maxBytes = options.maxBytes ?? GiB;
  if (bytes > maxBytes) {
    throw new Error(
      `The ${split} split of ${dataset.name} would take ${(bytes / 2 ** 20).toFixed(0)} MiB as one float32 tensor ` +
        `(limit ${(maxBytes / 2 ** 20).toFixed(0)} MiB). Stream it with dataset.batches({ split: "${split}" }) instead, ` +
        `or raise the limit with { maxBytes }.`,
    );
  }
  const { inputs, labels } = await prepareImages(dataset, indices, options.augment, augmentSeed(options.seed ?? 0, 0));
  const xs = tf.tensor4d(inputs, [indices.length, height, width, channels], "float32");
  const ys = labelTensor(labels, dataset.numClasses, options.labels);
  return { xs, ys, labels, size: indices.length };
}
