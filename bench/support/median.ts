/**
 * The median every benchmark reports: the middle value, or the mean of the
 * two middle ones for an even count (each benchmark once had its own copy,
 * and some took the upper middle instead).
 */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
