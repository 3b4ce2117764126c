/**
 * The main thread's side of the memory watch. Before each cell, a heap more
 * than half full is collected, so what the cell starts from (the baseline
 * the wire thread compares against) holds live data, not garbage left by an
 * earlier cell.
 */
import { getHeapStatistics, setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

let collect: (() => void) | undefined;

/** Gets V8's gc() without --expose-gc on the command line (a context made after the flag is set has it). */
function collector(): (() => void) | undefined {
  if (collect) return collect;
  try {
    setFlagsFromString("--expose-gc");
    collect = runInNewContext("gc") as () => void;
  } catch {
    collect = undefined;
  }
  return collect;
}

/** Bytes of live heap a cell starts from (collecting first if the heap is over half full). */
export function heapBeforeCell(): number {
  const { used_heap_size: used, heap_size_limit: limit } = getHeapStatistics();
  if (used < limit / 2) return used;
  collector()?.();
  return getHeapStatistics().used_heap_size;
}
