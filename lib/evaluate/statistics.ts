/** Statistics and small histograms of activations and weights, for classifyOne's per-layer view. */
import { describeDistribution, type DistributionStats } from "../charts";
import { countInBins } from "../charts/histogram";
import { escapeHtml, formatNumber } from "../display/html";

export type { DistributionStats };

export interface Histogram {
  /** bins + 1 bin edges, rising. */
  edges: number[];
  /** Values per bin (the last bin includes its upper edge). NaN and ±Infinity are not counted. */
  counts: number[];
}

/** Mean, std (population), min, max, share of zeros and count of non-finite values. */
export function statistics(values: ArrayLike<number>): DistributionStats {
  return describeDistribution(values);
}

/** Equal-width bins between the finite minimum and maximum. */
export function histogram(values: ArrayLike<number>, bins: number, stats: DistributionStats = statistics(values)): Histogram {
  if (!Number.isInteger(bins) || bins < 1) throw new Error(`bins must be a whole number ≥ 1 (got ${String(bins)}).`);
  if (stats.count === 0) return { edges: [], counts: [] };
  const lo = stats.min;
  const hi = stats.max > stats.min ? stats.max : stats.min + 1;
  const width = (hi - lo) / bins;
  const counts = countInBins(values, lo, width, bins);
  return { edges: Array.from({ length: bins + 1 }, (_, i) => lo + i * width), counts };
}

/** A compact inline SVG of a histogram, with its range underneath: small enough for a table cell. */
export function histogramSvg(hist: Histogram, label: string, width = 150, height = 36): string {
  if (hist.counts.length === 0) return `<span style="color:#888">no finite values</span>`;
  const max = Math.max(...hist.counts);
  const barWidth = width / hist.counts.length;
  const bars = hist.counts
    .map((c, i) => {
      if (c === 0) return "";
      // A square-root scale keeps small bins visible next to a tall spike (e.g. ReLU zeros).
      const h = Math.max(1, (Math.sqrt(c) / Math.sqrt(max)) * height);
      return `<rect x="${(i * barWidth).toFixed(2)}" y="${(height - h).toFixed(2)}" width="${Math.max(0.5, barWidth - 0.5).toFixed(2)}" height="${h.toFixed(2)}"/>`;
    })
    .join("");
  const lo = formatNumber(hist.edges[0]);
  const hi = formatNumber(hist.edges[hist.edges.length - 1]);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height + 12}" role="img" aria-label="${escapeHtml(label)}">` +
    `<title>${escapeHtml(label)} (bar height: square root of count)</title>` +
    `<g fill="#4c78a8">${bars}</g>` +
    `<text x="0" y="${height + 10}" font-size="9" fill="#888" font-family="sans-serif">${escapeHtml(lo)}</text>` +
    `<text x="${width}" y="${height + 10}" font-size="9" fill="#888" text-anchor="end" font-family="sans-serif">${escapeHtml(hi)}</text></svg>`
  );
}
