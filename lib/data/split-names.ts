/**
 * The names of a dataset's splits. A module of its own, below dataset.ts,
 * so the modules Dataset delegates to (batches, tensors, summary) can check
 * a split name without importing Dataset back.
 */

/** The three splits of the workshop: fit on train, tune on validation, report on test. */
export type SplitName = "train" | "validation" | "test";
export const SPLIT_NAMES: readonly SplitName[] = ["train", "validation", "test"];

export function checkSplitName(split: string): SplitName {
  if (!(SPLIT_NAMES as readonly string[]).includes(split)) {
    throw new Error(`"${split}" is not a split name; use one of ${SPLIT_NAMES.map((s) => `"${s}"`).join(", ")}.`);
  }
  return split as SplitName;
}
