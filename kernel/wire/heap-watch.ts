/**
 * Watches the main thread's heap while a cell runs, so a cell that fills it
 * is stopped with an explanation instead of V8 ending the kernel ("FATAL
 * ERROR: Reached heap limit" after long garbage collection).
 *
 * V8 collects garbage before the heap comes near its limit, so a heap above
 * the threshold is (nearly) full of live data; near the limit, V8 spends its
 * time collecting and the cell hardly advances, so a reading every 100 ms
 * usually comes in time. A cell that allocates fast can still add tens of
 * MB between a reading and its interrupt, so at least RESERVE_BYTES stay
 * below the limit (with a 400 MB limit, 85% alone left 58 MB, and a test's
 * cell filled them first in one run of six or seven). Only a cell
 * that grew the heap is stopped: after a stop the heap stays full until the
 * learner lets go of some variables, and the cell that does so must run.
 */
export interface HeapWatchOptions {
  limitBytes: number;
  /** Fraction of the limit that counts as full. */
  fraction?: number;
  intervalMs?: number;
  /** The execute request running now, or 0. */
  runningRequest(): number;
  /** The heap in use when that request's cell began. */
  startBytes(): number;
  heapUsed(): Promise<number>;
  /** Called once per request that fills the heap. */
  onFull(request: number, usedBytes: number): void;
}

export const HEAP_FULL_FRACTION = 0.85;
/** Room kept below the limit whatever the fraction: what a fast cell may add before its interrupt lands. */
const RESERVE_BYTES = 128 * 2 ** 20;
/** The part of V8's heap_size_limit that is the young generation's, not for live data. */
const YOUNG_GENERATION_BYTES = 64 * 2 ** 20;
/** How much (a fraction of the limit) a cell must have added to the heap to be stopped. */
const GROWTH_FRACTION = 0.02;

export function watchHeap(options: HeapWatchOptions): { stop(): void } {
  const usable = Math.max(0, options.limitBytes - YOUNG_GENERATION_BYTES);
  const threshold = Math.min(usable * (options.fraction ?? HEAP_FULL_FRACTION), usable - RESERVE_BYTES);
  let stopped = 0;
  let reading = false;
  const timer = setInterval(() => {
    if (reading) return;
    const request = options.runningRequest();
    if (!request || request === stopped) return;
    reading = true;
    options
      .heapUsed()
      .then((used) => {
        const grew = used - options.startBytes() >= options.limitBytes * GROWTH_FRACTION;
        if (used >= threshold && grew && options.runningRequest() === request) {
          stopped = request;
          options.onFull(request, used);
        }
      })
      .catch(() => undefined)
      .finally(() => {
        reading = false;
      });
  }, options.intervalMs ?? 100);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
