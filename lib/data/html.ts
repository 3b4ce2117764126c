/** Small helpers for the HTML that data displays produce. */

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/** 12,345 */
export function formatCount(n: number): string {
  return n.toLocaleString("en-US");
}

/** 1.2 MB, 30.1 MB, 2.4 GB (decimal units, as file managers show). */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ["kB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = -1;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}

/** A plain table; cells are escaped unless they are marked as HTML with {html}. */
export function htmlTable(headers: string[], rows: (string | number | { html: string })[][], caption?: string): string {
  const cell = (value: string | number | { html: string }, tag: "td" | "th"): string => {
    const numeric = typeof value === "number";
    const content = typeof value === "object" ? value.html : escapeHtml(numeric ? formatCount(value) : value);
    return `<${tag} style="text-align:${numeric ? "right" : "left"};padding:2px 8px">${content}</${tag}>`;
  };
  return (
    `<table style="border-collapse:collapse;font-size:13px">` +
    (caption ? `<caption style="text-align:left;font-weight:bold;padding:4px 0">${escapeHtml(caption)}</caption>` : "") +
    `<thead><tr>${headers.map((h) => cell(h, "th")).join("")}</tr></thead>` +
    `<tbody>${rows.map((r) => `<tr>${r.map((v) => cell(v, "td")).join("")}</tr>`).join("")}</tbody></table>`
  );
}
