/**
 * loadFashionMnist(): Zalando's Fashion-MNIST (60,000 training and 10,000
 * test images), bundled in datasets/fashion-mnist/. The official test set is
 * kept as it is; validation images are held out of the official training set.
 */
import { Dataset } from "../dataset";
import { split } from "../split";
import { BundledLoadOptions, loadBundled } from "./bundled";

export interface LoadFashionMnistOptions extends BundledLoadOptions {
  /**
   * Images of the official training set held out for validation: a fraction
   * (below 1) or a count. Default 10,000 (1,000 per class), leaving 50,000 for
   * training. 0 keeps the official split as it is.
   */
  validation?: number;
  /** Seed of the stratified hold-out. Default 0. */
  seed?: number;
}

export async function loadFashionMnist(options: LoadFashionMnistOptions = {}): Promise<Dataset> {
  const { dataset } = await loadBundled("fashion-mnist", { train: "train", test: "test" }, options);
  const requested = options.validation ?? 10_000;
  const trainSize = dataset.size("train");
  if (!(requested >= 0 && requested < trainSize)) {
    throw new Error(`validation must be a fraction below 1 or a count below ${trainSize} (got ${requested}).`);
  }
  if (requested === 0) return dataset;
  const fraction = requested < 1 ? requested : requested / trainSize;
  return split(dataset, { from: ["train"], train: 1 - fraction, validation: fraction, seed: options.seed ?? 0, stratify: true });
}
