/**
 * liveChart: a chart that redraws in place while a loop feeds it data.
 *
 * It shows once (display_data with a display id) and then replaces that
 * output (update_display_data), never adding outputs, so a notebook saved
 * afterwards holds one chart in its final state. Updates are throttled: at
 * most `maxUpdatesPerSecond` (4), and further apart when drawing is slow, so
 * that drawing takes at most `maxDrawFraction` (3 %) of the loop's time.
 *
 * Updates in between carry the Vega-Lite spec only: building it takes a
 * millisecond or two, while rendering the SVG as well costs about twenty
 * times that (measured on a 40-point training chart), which under the 3 %
 * budget held a 5-epoch run to a redraw every few seconds. The first and the
 * final state carry the SVG too (and `finish()` adds the PNG), so front ends
 * without a Vega-Lite renderer (the classic Notebook, nbconvert) show the
 * chart at its start and its end.
 */
import { displayBundle, interruptSignal, isHeadless, wasInterrupted, type DisplayHandle } from "../display";
import type { Chart } from "./chart";
import { historyChart, type HistoryChartOptions } from "./history";
import type { EpochRecord } from "../history";

export interface LiveChartOptions<T> {
  /** Records to start with. Default none. */
  initial?: readonly T[];
  /** Most updates per second sent to the notebook. Default 4. */
  maxUpdatesPerSecond?: number;
  /**
   * Largest share of wall time spent drawing (building the chart and
   * rendering its SVG); when a draw is slow, updates are spaced further
   * apart to stay under it. Default 0.03.
   */
  maxDrawFraction?: number;
  /**
   * Send in-between updates when nobody watches (nbconvert, CI). Default
   * false: a headless run draws only the first and the final state.
   */
  updateWhenHeadless?: boolean;
  /** Milliseconds clock; tests pass a fake one. Default performance.now. */
  now?: () => number;
}

export class LiveChart<T> {
  private readonly data: T[];
  private readonly handle: DisplayHandle;
  private readonly minInterval: number;
  private readonly maxDrawFraction: number;
  private readonly quiet: boolean;
  private readonly now: () => number;
  private readonly signal: AbortSignal;
  // On interrupt the loop stops: show everything so far, as a final state.
  private readonly onAbort = () => this.settle();
  private interval: number;
  private lastSent: number;
  private dirty = false;
  private timer: NodeJS.Timeout | undefined;
  private finished = false;
  private sent = 0;
  private drawTime = 0;
  private typicalDraw: number | undefined;
  private lastChart: Chart;
  /** The last bundle sent had the SVG (the first one does). */
  private svgSent = true;

  constructor(
    private readonly draw: (records: readonly T[]) => Chart,
    options: LiveChartOptions<T> = {},
  ) {
    const rate = options.maxUpdatesPerSecond ?? 4;
    if (!(rate > 0)) throw new Error(`liveChart: maxUpdatesPerSecond must be > 0 (got ${String(rate)}).`);
    const fraction = options.maxDrawFraction ?? 0.03;
    if (!(fraction > 0 && fraction <= 1)) throw new Error(`liveChart: maxDrawFraction must be in (0, 1] (got ${String(fraction)}).`);
    this.minInterval = 1000 / rate;
    this.interval = this.minInterval;
    this.maxDrawFraction = fraction;
    this.now = options.now ?? (() => performance.now());
    this.quiet = isHeadless() && !options.updateWhenHeadless;
    this.data = [...(options.initial ?? [])];
    const start = this.now();
    this.lastChart = this.draw(this.data);
    this.handle = displayBundle(this.lastChart.bundle());
    // The first draw pays one-off costs (loading fonts, warming up the
    // compiler), so it counts towards the total but does not set the pace.
    this.drawTime += this.now() - start;
    this.lastSent = this.now();
    this.signal = interruptSignal();
    // On interrupt, show everything recorded so far, even if the loop never
    // pushes again.
    if (this.signal.aborted) this.dirty = true;
    else this.signal.addEventListener("abort", this.onAbort, { once: true });
  }

  /** The records so far (the array the chart is drawn from; do not modify). */
  get records(): readonly T[] {
    return this.data;
  }

  /** Updates sent to the notebook after the first display. */
  get updates(): number {
    return this.sent;
  }

  /** Milliseconds spent drawing so far, the first display included. */
  get drawMilliseconds(): number {
    return this.drawTime;
  }

  /** True once `done()` has drawn the final state. */
  get isDone(): boolean {
    return this.finished;
  }

  /** The chart last drawn. */
  get chart(): Chart {
    return this.lastChart;
  }

  /**
   * Adds records (cheap: an array push) and redraws if the throttle allows;
   * otherwise a redraw is scheduled for when it does.
   */
  push(...records: T[]): void {
    if (this.finished) throw new Error("liveChart: push() after done(). Start a new liveChart for a new run.");
    for (const record of records) this.data.push(record);
    this.dirty = true;
    // The host's signal is fresh for every cell: a chart fed from a later
    // cell listens to that cell's interrupt too.
    if (this.signal.aborted || wasInterrupted()) {
      this.settle();
      return;
    }
    if (this.quiet) return;
    const wait = this.lastSent + this.interval - this.now();
    if (wait <= 0) this.send();
    else if (!this.timer) {
      // A trailing update, so a loop that pauses (awaiting data, say) still
      // shows its latest state. unref: never keeps Node alive by itself.
      this.timer = setTimeout(() => {
        this.timer = undefined;
        if (this.dirty && !this.finished) this.send();
      }, wait);
      this.timer.unref?.();
    }
  }

  /** Draws the final state now (whatever the throttle says, with its SVG) and stops updating. Returns the final chart. */
  done(): Chart {
    if (this.finished) return this.lastChart;
    this.settle();
    this.finished = true;
    this.signal.removeEventListener("abort", this.onAbort);
    return this.lastChart;
  }

  /** `done()`, then the final state once more with its PNG as well (for untrusted classic notebooks). */
  async finish(): Promise<Chart> {
    const chart = this.done();
    await this.handle.update(chart);
    return chart;
  }

  /** Same as `done()`. */
  close(): Chart {
    return this.done();
  }

  /** Sends the current state with its SVG, unless that is what the notebook shows already. */
  private settle(): void {
    if (this.dirty || !this.svgSent) this.send(true);
  }

  /** Sends the current state if anything changed since the last update. */
  flush(): void {
    if (this.dirty) this.send();
  }

  private send(final = false): void {
    // A trailing update still pending would follow this one too closely.
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const start = this.now();
    if (this.dirty) this.lastChart = this.draw(this.data);
    this.handle.updateBundle(final ? this.lastChart.bundle() : this.lastChart.liveBundle());
    this.svgSent = final;
    // Sending (serializing the bundle for the kernel) counts as drawing too.
    const end = this.now();
    this.sent++;
    this.dirty = false;
    this.noteDrawTime(end - start);
    this.lastSent = end;
  }

  private noteDrawTime(took: number): void {
    this.drawTime += took;
    // Draws get slower as data accumulates, so a slower draw counts at once;
    // a faster one (after a garbage-collection pause, say) only halfway.
    // Waiting typicalDraw / fraction between draws keeps drawing under that
    // share of the time.
    this.typicalDraw =
      this.typicalDraw === undefined || took >= this.typicalDraw ? took : 0.5 * (this.typicalDraw + took);
    this.interval = Math.max(this.minInterval, this.typicalDraw / this.maxDrawFraction);
  }
}

/**
 * A chart that redraws in place as records arrive:
 *
 * ```ts
 * const live = liveChart((history) => historyChart(history));
 * for (...) live.push({ epoch, loss, valLoss });
 * live.done();
 * ```
 *
 * `draw` turns all records so far into a chart; it runs only when an update
 * is sent. Call `done()` at the end: the final state always lands. An
 * interrupt also sends the state so far.
 */
export function liveChart<T>(draw: (records: readonly T[]) => Chart, options: LiveChartOptions<T> = {}): LiveChart<T> {
  if (typeof draw !== "function") {
    throw new Error("liveChart expects a function that draws the records so far, e.g. liveChart((h) => historyChart(h)).");
  }
  return new LiveChart(draw, options);
}

/** A live training-history chart: push one `{ epoch, loss, valLoss, ... }` per epoch. */
export function liveHistoryChart(
  options: HistoryChartOptions & LiveChartOptions<EpochRecord> = {},
): LiveChart<EpochRecord> {
  return new LiveChart((history) => historyChart(history, options), options);
}
