/**
 * oneVsRest(): a two-class dataset, "is it a 7?", made from a dataset of many
 * classes. The images and splits stay as they are; only the labels change:
 * class 1 is the chosen class, class 0 is every other one. With ten balanced
 * classes, about one image in ten is positive: the imbalanced problems where
 * accuracy misleads (a detector that always says "no" is right 90% of the time).
 */
import type { Dataset } from "./dataset";

export interface OneVsRestOptions {
  /** Name of the positive class (label 1). Default: the chosen class's name, e.g. "7". */
  positiveName?: string;
  /** Name of the negative class (label 0). Default "not " + the positive name, e.g. "not 7". */
  negativeName?: string;
  /** The new dataset's name. Default "<name>: <positive> vs rest". */
  name?: string;
}

/**
 * The dataset relabelled as the chosen class (label 1) against all the others
 * (label 0). `positive` is a class name ("7", "Sneaker") or a class index.
 */
export function oneVsRest(dataset: Dataset, positive: string | number, options: OneVsRestOptions = {}): Dataset {
  const classIndex = resolveClass(dataset, positive);
  const positiveName = options.positiveName ?? dataset.classNames[classIndex];
  const negativeName = options.negativeName ?? `not ${positiveName}`;
  if (positiveName === negativeName) {
    throw new Error(`oneVsRest: the two classes need different names (both are "${positiveName}").`);
  }
  const labels = Int32Array.from(dataset.labels, (label) => (label === classIndex ? 1 : 0));
  return dataset.derive({
    name: options.name ?? `${dataset.name}: ${positiveName} vs rest`,
    classNames: [negativeName, positiveName],
    labels,
  });
}

function resolveClass(dataset: Dataset, positive: string | number): number {
  const names = dataset.classNames;
  if (typeof positive === "number") {
    if (Number.isInteger(positive) && positive >= 0 && positive < names.length) return positive;
    throw new Error(`oneVsRest: ${dataset.name} has classes 0 to ${names.length - 1}; there is no class ${positive}.`);
  }
  if (typeof positive === "string") {
    const index = names.indexOf(positive);
    if (index >= 0) return index;
    throw new Error(`oneVsRest: ${dataset.name} has no class "${positive}". Its classes are: ${names.map((n) => `"${n}"`).join(", ")}.`);
  }
  throw new Error(`oneVsRest: the positive class must be a class name or index, e.g. oneVsRest(digits, "7") (got ${String(positive)}).`);
}
