/**
 * The words an import's report sums itself up with: the image-folder import
 * and the VOC import count their splits and their skipped files the same way.
 */
import { formatCount } from "../../display/html";
import type { SplitName } from "../dataset";

/** How many were skipped for each reason. */
export function countByReason<Reason extends string>(skipped: readonly { reason: Reason }[]): Partial<Record<Reason, number>> {
  const counts: Partial<Record<Reason, number>> = {};
  for (const s of skipped) counts[s.reason] = (counts[s.reason] ?? 0) + 1;
  return counts;
}

/** The headline's tail: "; skipped 3 files (2 unreadable, 1 too small)", or "; no file skipped". */
export function skippedClause(skipped: readonly { reason: string }[], noun: "file" | "image"): string {
  if (!skipped.length) return `; no ${noun} skipped`;
  const reasons = Object.entries(countByReason(skipped)).map(([reason, n]) => `${n} ${reason}`);
  return `; skipped ${formatCount(skipped.length)} ${noun}s (${reasons.join(", ")})`;
}

/** Images in all splits together. */
export function splitTotal(sizes: Record<SplitName, number>): number {
  return sizes.train + sizes.validation + sizes.test;
}

/** "train 4,000, validation 300, test 500". */
export function splitSizesText(sizes: Record<SplitName, number>): string {
  return `train ${formatCount(sizes.train)}, validation ${formatCount(sizes.validation)}, test ${formatCount(sizes.test)}`;
}
