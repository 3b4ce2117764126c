/**
 * keepClasses(): a dataset of some of another's classes, relabelled 0, 1, …
 * in the order given. Transfer learning's classic set-up is made this way:
 * a network learns digits 0–4, then is reused for digits 5–9. The kept
 * images are copied into memory (with their splits), so the new dataset's
 * labels hold nothing but its own classes.
 */
import { Dataset, SPLIT_NAMES, type SplitName } from "./dataset";
import { MemoryPixelStore } from "./pixel-store";

export interface KeepClassesOptions {
  /** The new dataset's name. Default "<name> (<classes>)". */
  name?: string;
}

/** Keeps only `classes` (names or indices) of `dataset`; every split keeps its images of those classes. */
export async function keepClasses(dataset: Dataset, classes: readonly (string | number)[], options: KeepClassesOptions = {}): Promise<Dataset> {
  if (!Array.isArray(classes) || classes.length < 2) {
    throw new Error(`keepClasses needs a list of at least two classes to keep, e.g. keepClasses(digits, ["5", "6", "7", "8", "9"]) (got ${JSON.stringify(classes)}).`);
  }
  const kept = classes.map((c) => classIndex(dataset, c));
  if (new Set(kept).size !== kept.length) throw new Error(`keepClasses: a class is listed twice in ${JSON.stringify(classes)}.`);
  const newLabel = new Map(kept.map((old, i) => [old, i]));
  const order: number[] = [];
  const splits: Partial<Record<SplitName, Int32Array>> = {};
  for (const split of SPLIT_NAMES) {
    const start = order.length;
    for (const index of dataset.indices(split)) if (newLabel.has(dataset.labels[index])) order.push(index);
    splits[split] = Int32Array.from({ length: order.length - start }, (_, i) => start + i);
  }
  const pixels = await dataset.readImages(order);
  const classNames = kept.map((i) => dataset.classNames[i]);
  return new Dataset({
    name: options.name ?? `${dataset.name} (${classNames.join(", ")})`,
    shape: dataset.shape,
    classNames,
    pixels: new MemoryPixelStore(pixels, dataset.pixels.imageBytes),
    labels: Int32Array.from(order, (index) => newLabel.get(dataset.labels[index])!),
    splits,
    splitOrigins: Object.fromEntries(SPLIT_NAMES.map((s) => [s, `classes ${classNames.join(", ")} of: ${dataset.splitOrigin(s) ?? `the ${s} split`}`])),
    normalization: dataset.normalization,
    source: dataset.source,
  });
}

function classIndex(dataset: Dataset, c: string | number): number {
  const names = dataset.classNames;
  if (typeof c === "number" && Number.isInteger(c) && c >= 0 && c < names.length) return c;
  if (typeof c === "string" && names.includes(c)) return names.indexOf(c);
  throw new Error(`keepClasses: ${dataset.name} has no class ${JSON.stringify(c)}. Its classes are: ${names.map((n) => `"${n}"`).join(", ")}.`);
}
