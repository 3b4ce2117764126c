/**
 * A plain-language reading of a classification report: what a learner should
 * notice when "accuracy is misleading" (imbalanced classes, a class the
 * model never predicts, the class it serves worst and where its samples go).
 */
import type { PrecisionRecallF1 } from "./classification-report";
import type { ConfusionMatrix } from "./confusion-matrix";
import { quoted } from "./format";
import { formatCount, percent } from "../display/html";

/** A few sentences, most important first; empty when there is nothing to say. */
export function readReport(matrix: ConfusionMatrix, metrics: PrecisionRecallF1): string[] {
  const lines: string[] = [];
  const names = matrix.classNames;
  const n = matrix.numClasses;
  const total = matrix.total;
  if (total === 0 || n < 2) return lines;
  if (matrix.correct === total) return [`Every one of the ${formatCount(total)} samples is classified correctly.`];

  // Where the samples of class c go when they are wrong: its largest off-diagonal cell.
  const commonestMistake = (c: number) => {
    let best = -1;
    for (let j = 0; j < n; j++) if (j !== c && matrix.counts[c][j] > 0 && (best < 0 || matrix.counts[c][j] > matrix.counts[c][best])) best = j;
    return best;
  };
  // What a wrong prediction of class c usually is really.
  const commonestImpostor = (c: number) => {
    let best = -1;
    for (let i = 0; i < n; i++) if (i !== c && matrix.counts[i][c] > 0 && (best < 0 || matrix.counts[i][c] > matrix.counts[best][c])) best = i;
    return best;
  };

  const present = metrics.classes.filter((m) => m.support > 0);
  const largest = present.reduce((a, m) => (m.support > a.support ? m : a), present[0]);
  const smallest = present.reduce((a, m) => (m.support < a.support ? m : a), present[0]);
  const ratio = largest.support / smallest.support;
  if (present.length >= 2 && ratio >= 2) {
    lines.push(
      `The classes are imbalanced: ${quoted(largest.className)} has ${formatCount(largest.support)} samples, ${quoted(smallest.className)} only ` +
        `${formatCount(smallest.support)} (${ratio.toFixed(ratio < 10 ? 1 : 0)}× fewer). Always answering ${quoted(largest.className)} would score ` +
        `${percent(largest.support / total)} accuracy, so judge the model by the macro average and the per-class recall, not accuracy alone.`,
    );
  }

  if (metrics.accuracy - metrics.balancedAccuracy >= 0.05) {
    lines.push(
      `Accuracy is ${percent(metrics.accuracy)} but balanced accuracy (the mean recall of the classes) is ${percent(metrics.balancedAccuracy)}: ` +
        `some classes are recognised far less often than the overall number suggests.`,
    );
  }

  const mentioned = new Set<number>();
  for (const m of metrics.classes) {
    if (m.predicted === 0 && m.support > 0) {
      const to = commonestMistake(m.classIndex);
      lines.push(
        `The model never predicts ${quoted(m.className)}: all ${formatCount(m.support)} of its samples are called something else` +
          (to >= 0 ? `, most often ${quoted(names[to])} (${formatCount(matrix.counts[m.classIndex][to])})` : "") +
          ".",
      );
      mentioned.add(m.classIndex);
    }
  }

  const weakest = present
    .filter((m) => !mentioned.has(m.classIndex) && m.recall < 1)
    .reduce<(typeof present)[number] | undefined>((a, m) => (!a || m.recall < a.recall ? m : a), undefined);
  if (weakest) {
    const to = commonestMistake(weakest.classIndex);
    lines.push(
      `${quoted(weakest.className)} has the lowest recall, ${percent(weakest.recall)}: the model finds ${formatCount(weakest.truePositives)} ` +
        `of its ${formatCount(weakest.support)} samples` +
        (to >= 0 ? ` and most often calls it ${quoted(names[to])} instead (${formatCount(matrix.counts[weakest.classIndex][to])} times).` : "."),
    );
    mentioned.add(weakest.classIndex);
  }

  const leastPrecise = metrics.classes
    .filter((m) => m.predicted > 0 && m.precision < 1)
    .reduce<(typeof metrics.classes)[number] | undefined>((a, m) => (!a || m.precision < a.precision ? m : a), undefined);
  if (leastPrecise) {
    const from = commonestImpostor(leastPrecise.classIndex);
    lines.push(
      `When the model says ${quoted(leastPrecise.className)} it is right ${percent(leastPrecise.precision)} of the time ` +
        `(${formatCount(leastPrecise.truePositives)} of ${formatCount(leastPrecise.predicted)})` +
        (from >= 0 ? `; its wrong ${quoted(leastPrecise.className)} answers are mostly ${quoted(names[from])} (${formatCount(matrix.counts[from][leastPrecise.classIndex])}).` : "."),
    );
  }

  // Other frequent confusions: a class sent to one wrong class at least 10% of the time.
  const pairs = matrix
    .mostConfused({ top: n * n })
    .pairs.filter((p) => p.shareOfActual >= 0.1 && p.count >= 2 && !mentioned.has(p.actual))
    .slice(0, 2);
  for (const p of pairs) {
    lines.push(`${quoted(p.actualName)} is often predicted as ${quoted(p.predictedName)}: ${formatCount(p.count)} of ${formatCount(matrix.support[p.actual])} (${percent(p.shareOfActual)}).`);
  }
  return lines;
}
