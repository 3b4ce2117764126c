/**
 * overfittingVerdict(history): what a training history says about
 * overfitting, in sentences a learner can act on: the best epoch, the epoch
 * where the train/validation gap opens, and what early stopping with a given
 * patience would have done.
 */
import { type Chart, historyChart } from "../charts";
import { DISPLAY, type MimeBundle } from "../display";
import { escapeHtml, wrapText } from "../display/html";
import {
  analyzeHistory,
  DEFAULT_PATIENCE,
  describeGap,
  findBestEpoch,
  type BestEpoch,
  type EarlyStopReplay,
  type EpochRecord,
  type GapOpening,
} from "../history";

export interface VerdictOptions {
  /** Patience of the early stopping to simulate. Default 5 (as earlyStopping()). */
  patience?: number;
  /** Relative gap that counts (see findGapOpening). Default 0.1. */
  gapThreshold?: number;
}

export type FitKind = "overfitting" | "still improving" | "good fit" | "no validation";

const num = (x: number) => String(+x.toPrecision(3));

export class OverfittingVerdict {
  constructor(
    readonly history: readonly EpochRecord[],
    readonly kind: FitKind,
    readonly best: BestEpoch | undefined,
    readonly gap: GapOpening | undefined,
    readonly earlyStopping: EarlyStopReplay | undefined,
    /** The verdict, sentence by sentence. */
    readonly sentences: string[],
  ) {}

  /** The sentences, one a paragraph, wrapped at spaces (printed, a long line would wrap mid-word). */
  toString(): string {
    return this.sentences.map((sentence) => wrapText(sentence)).join("\n");
  }

  /** The history with the best epoch and the gap opening this verdict names. */
  chart(): Chart {
    return historyChart(this.history, { analysis: { best: this.best, gap: this.gap } });
  }

  [DISPLAY](): MimeBundle {
    const svg = this.history.length ? this.chart().toSVG() : "";
    return {
      "text/html":
        `<div style="font-family:sans-serif;font-size:13px"><div style="font-weight:bold">Verdict: ${escapeHtml(this.kind)}</div>` +
        this.sentences.map((s) => `<p style="margin:0.3em 0">${escapeHtml(s)}</p>`).join("") +
        `<div>${svg}</div></div>`,
      "text/plain": `Verdict: ${this.kind}.\n${this.toString()}`,
    };
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return `Verdict: ${this.kind}.\n${this.toString()}`;
  }
}

/**
 * Reads a history (or a training result's) for signs of overfitting:
 *
 *     overfittingVerdict(run)
 *     // "The best epoch is 7 (valLoss 0.041). The gap between training and validation loss opens at
 *     //  epoch 9 ... Early stopping with patience 5 would have stopped at epoch 12 with validation loss 0.041."
 */
export function overfittingVerdict(
  input: readonly EpochRecord[] | { history: readonly EpochRecord[] },
  options: VerdictOptions = {},
): OverfittingVerdict {
  const history = Array.isArray(input) ? (input as readonly EpochRecord[]) : (input as { history: readonly EpochRecord[] })?.history;
  if (!Array.isArray(history)) {
    throw new Error("overfittingVerdict() takes a training history ([{ epoch, loss, valLoss }, ...]) or train()'s result.");
  }
  const patience = options.patience ?? DEFAULT_PATIENCE;
  if (!(Number.isInteger(patience) && patience >= 1)) throw new Error(`patience is a whole number of epochs, at least 1 (got ${String(options.patience)}).`);
  const hasValidation = history.some((r) => typeof r.valLoss === "number" && Number.isFinite(r.valLoss));
  const sentences: string[] = [];
  if (!hasValidation) {
    sentences.push(
      "This history has no validation loss, so overfitting cannot be seen: a model can only be judged on images it did not train on. " +
        "Train with a validation split (split(dataset)).",
    );
    return new OverfittingVerdict(history, "no validation", findBestEpoch(history), undefined, undefined, sentences);
  }
  const analysis = analyzeHistory(history, { monitor: "valLoss", gapThreshold: options.gapThreshold, patience });
  const best = analysis.best!;
  const gap = analysis.gap;
  const replay = analysis.earlyStopping;
  const last = history[history.length - 1];
  sentences.push(`The best epoch is ${best.epoch} of ${last.epoch} (validation loss ${num(best.value)}).`);
  let kind: FitKind;
  if (gap) {
    kind = "overfitting";
    sentences.push(
      `The gap between training and validation loss opens at epoch ${gap.epoch} and stays open: by the last epoch ` +
        `${describeGap(gap.finalLoss, gap.finalValLoss)}. From there the network learns its training images ` +
        `better than images it has not seen: it overfits. More data, augmentation, dropout or weight decay, or a smaller network, narrow the gap.`,
    );
  } else if (best.epoch >= last.epoch - 1) {
    kind = "still improving";
    sentences.push("Validation loss was still falling at the end and no train/validation gap has opened: more epochs would probably help.");
  } else {
    kind = "good fit";
    sentences.push("No lasting gap between training and validation loss has opened: the network generalizes about as well as it fits.");
  }
  if (replay) {
    if (replay.stopEpoch !== undefined) {
      sentences.push(
        `Early stopping with patience ${patience} would have stopped at epoch ${replay.stopEpoch} with validation loss ${num(replay.valLoss)} ` +
          `(the weights of epoch ${replay.keptEpoch})` +
          (replay.epochsSaved > 0 ? `, ${replay.epochsSaved} epoch${replay.epochsSaved === 1 ? "" : "s"} sooner.` : "."),
      );
    } else {
      sentences.push(`Early stopping with patience ${patience} would not have stopped this run; it would keep epoch ${replay.keptEpoch}.`);
    }
  }
  return new OverfittingVerdict(history, kind, best, gap, replay, sentences);
}
