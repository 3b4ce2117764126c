/**
 * What train() throws when the learner interrupts it. Training stops at the
 * next batch and keeps everything (the model's weights, the history, a final
 * snapshot); the error then ends the cell, as an interrupt does in any
 * notebook, so the cells queued after it do not run on a half-trained model.
 * The run is on the error and in lastTraining(model).
 */
import type { TrainingResult } from "./result";

export class TrainingInterrupted extends Error {
  constructor(readonly result: TrainingResult) {
    const at = result.interruptedAt;
    const where = at ? ` at step ${at.step} (epoch ${at.epoch}, batch ${at.batch})` : "";
    const epochs = result.history.length;
    const snapshot = result.lastSnapshot
      ? ` and a snapshot to resume from: train(model, data, { resumeFrom: ${JSON.stringify(result.lastSnapshot.path)} })`
      : "";
    super(
      `Training was interrupted${where}. The model keeps its weights; lastTraining(model) holds the run, ` +
        `with its history (${epochs} epoch${epochs === 1 ? "" : "s"} completed)${snapshot}.`,
    );
    // The kernel shows an error of this name as an interruption, with this message.
    this.name = "Interrupted";
  }
}
