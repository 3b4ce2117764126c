/**
 * What a learner reads when a cell filled the kernel's heap: how full it
 * was, which variables hold the most, how to free memory and how to raise
 * the limit. Sizes are estimates (a sample of each container's items).
 */
import type { KernelError } from "../engine/errors";

const SAMPLE = 64;
const MAX_DEPTH = 4;
const MAX_VISITS = 50_000;

/**
 * Rough bytes a value keeps alive on the JavaScript heap. A container counts
 * 8 bytes a slot; numbers and other primitives live in their slots.
 */
export function estimateHeapBytes(value: unknown): number {
  const seen = new Set<object>();
  let visits = 0;
  const size = (v: unknown, depth: number): number => {
    if (++visits > MAX_VISITS) return 0;
    if (typeof v === "string") return 16 + v.length;
    if (v === null || typeof v !== "object") return 0;
    if (seen.has(v)) return 0;
    seen.add(v);
    // Typed arrays keep their bytes outside the heap.
    if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer) return 64;
    if (depth >= MAX_DEPTH) return 64;
    const items: unknown[] = Array.isArray(v) ? v : v instanceof Map ? [...sampleOf(v.values())] : v instanceof Set ? [...sampleOf(v.values())] : [];
    const count = Array.isArray(v) ? v.length : v instanceof Map || v instanceof Set ? v.size : 0;
    if (count > 0) {
      const step = Math.max(1, Math.floor(items.length / SAMPLE));
      let sampled = 0;
      let bytes = 0;
      for (let i = 0; i < items.length && sampled < SAMPLE; i += step, sampled++) bytes += size(items[i], depth + 1);
      return 32 + 8 * count + (bytes / Math.max(1, sampled)) * count;
    }
    let bytes = 32;
    for (const key of Object.keys(v).slice(0, SAMPLE * 4)) bytes += 8 + size((v as Record<string, unknown>)[key], depth + 1);
    return bytes;
  };
  return size(value, 0);
}

function* sampleOf<T>(values: IterableIterator<T>): Generator<T> {
  let n = 0;
  for (const v of values) {
    if (n++ >= SAMPLE * 16) return;
    yield v;
  }
}

export function formatBytes(bytes: number): string {
  if (bytes >= 2 ** 30) return `${(bytes / 2 ** 30).toFixed(1)} GB`;
  if (bytes >= 2 ** 20) return `${Math.round(bytes / 2 ** 20)} MB`;
  return `${Math.max(1, Math.round(bytes / 2 ** 10))} kB`;
}

/** The largest variables, biggest first (those over 1 MB, at most `count`). */
export function largestVariables(variables: Record<string, unknown>, count = 3): { name: string; bytes: number }[] {
  return Object.keys(variables)
    .map((name) => ({ name, bytes: estimateHeapBytes(variables[name]) }))
    .filter((v) => v.bytes >= 2 ** 20)
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, count);
}

export function memoryError(usedBytes: number, limitBytes: number, variables: Record<string, unknown>): KernelError {
  const largest = largestVariables(variables);
  const held = largest.length
    ? `The largest variables: ${largest.map((v) => `${v.name} (about ${formatBytes(v.bytes)})`).join(", ")}. ` +
      `Free memory by letting go of what you no longer need (e.g. \`${largest[0].name} = undefined\`), or restart the kernel (which loses every variable).`
    : "None of the notebook's variables is large, so the stopped cell itself held the memory, and it is free again.";
  const evalue =
    `The cell was stopped before the kernel ran out of memory: the JavaScript heap held ${formatBytes(usedBytes)} of its ${formatBytes(limitBytes)} limit. ` +
    held +
    " To give the kernel more, start Jupyter with NODE_OPTIONS=--max-old-space-size=MB (see \"Memory\" in convlab's README).";
  return { ename: "MemoryError", evalue, traceback: [`\u001b[0;31mMemoryError\u001b[0m: ${evalue}`] };
}
