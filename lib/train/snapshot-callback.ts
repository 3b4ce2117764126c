/**
 * The built-in snapshot callback: a snapshot every snapshotInterval epochs
 * and after the last one (as Keras's ModelCheckpoint), and a final one where
 * training ended, so an interrupted run can resume exactly.
 */
import { modelInfo } from "../models";
import type { Callback, CallbackState, TrainingContext } from "./callbacks";
import type { EpochRecord } from "../history";
import { TrainingRun } from "./run";
import { writeSnapshot } from "./snapshot";
import { solverState } from "./solvers";
import type { StopOnNaNCallback } from "./stop-on-nan";

export class SnapshotWriter implements Callback {
  readonly name = "snapshots";
  private lastSnapshotStep = -1;

  constructor(
    private readonly run: TrainingRun,
    /** The run's folder. */
    private readonly runDir: string,
    /** Once it has stopped the run, the weights are broken: nothing more is written. */
    private readonly nanGuard: StopOnNaNCallback | undefined,
  ) {}

  async onEpochEnd(record: EpochRecord, ctx: TrainingContext): Promise<void> {
    const interval = this.run.options.snapshotInterval;
    const lastEpoch = record.epoch === this.run.options.epochs || ctx.stopRequested;
    if (!(interval > 0 && record.epoch % interval === 0) && !lastEpoch) return;
    if (this.nanGuard?.stopped) return;
    await this.write();
    this.lastSnapshotStep = this.run.position.step;
  }

  /** After training: a snapshot where it ended, unless one was just taken (or the weights broke). */
  async finish(): Promise<void> {
    const step = this.run.position.step;
    if (step !== this.lastSnapshotStep && !this.nanGuard?.stopped && step > 0) await this.write();
  }

  private async write(): Promise<void> {
    const { run } = this;
    const { model, options, data, result, position } = run;
    const t0 = performance.now();
    const callbacks = run.userCallbacks.map((cb, i) => ({ name: TrainingRun.callbackName(cb, i), state: cb.saveState?.() as CallbackState | undefined }));
    const solver = await solverState(run.optimizer);
    const { snapshots: _s, snapshotDir: _d, live: _l, ...savedOptions } = options;
    const info = await writeSnapshot(this.runDir, {
      model,
      modelInfo: { architecture: modelInfo(model)?.architecture, seed: modelInfo(model)?.seed },
      solver,
      solverClassName: run.optimizer.getClassName(),
      callbacks,
      state: {
        epochsCompleted: position.epochsDone,
        batchInEpoch: position.batchInEpoch,
        step: position.step,
        partial: position.batchInEpoch > 0 ? position.partial : undefined,
        options: savedOptions,
        history: result.history,
        points: result.points,
        lrScale: position.lrScale,
        dataset: { name: data.name, shape: [...data.shape], classNames: [...data.classNames], trainSize: data.size("train") },
        elapsedSeconds: position.priorSeconds + run.trainMs / 1000,
        images: position.step * options.batchSize,
      },
    });
    // The iteration counter tensor getWeights() made is ours to free.
    solver.weights[0]?.tensor.dispose();
    result.snapshots.push(info);
    result.timing.snapshotSeconds += (performance.now() - t0) / 1000;
  }
}
