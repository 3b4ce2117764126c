/** Number formats and small HTML/text building blocks for the evaluation displays. */

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/** 0.9731 → "97.3%"; NaN → "–" (undefined). */
export function percent(fraction: number, decimals = 1): string {
  return Number.isFinite(fraction) ? `${(fraction * 100).toFixed(decimals)}%` : "–";
}

/** A metric with a fixed number of decimals (scikit-learn's report uses 2); NaN → "–". */
export function fixed(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : "–";
}

/** 12345 → "12,345". */
export function count(n: number): string {
  return n.toLocaleString("en-US");
}

/** A short number for statistics: 3 significant digits, exponent when tiny or huge. */
export function short(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e5)) return value.toExponential(2);
  return String(Number(value.toPrecision(3)));
}

/** "1 image", "2 images". */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${count(n)} ${n === 1 ? word : many}`;
}

/** A table cell: text (escaped), a number (right-aligned) or ready HTML. */
export type Cell = string | number | { html: string; align?: "left" | "right" | "center"; style?: string; colspan?: number };

const CELL_STYLE = "padding:2px 8px;border-bottom:1px solid rgba(128,128,128,0.25)";

/** An HTML table; numbers are right-aligned, strings escaped. Rows may carry a style (e.g. a separator). */
export function htmlTable(headers: Cell[], rows: (Cell[] | { cells: Cell[]; style: string })[], caption?: string): string {
  const cell = (value: Cell, tag: "td" | "th"): string => {
    if (typeof value === "object") {
      const span = value.colspan ? ` colspan="${value.colspan}"` : "";
      return `<${tag}${span} style="text-align:${value.align ?? "left"};${CELL_STYLE};${value.style ?? ""}">${value.html}</${tag}>`;
    }
    const numeric = typeof value === "number";
    return `<${tag} style="text-align:${numeric ? "right" : "left"};${CELL_STYLE}">${escapeHtml(numeric ? count(value) : value)}</${tag}>`;
  };
  const body = rows
    .map((row) => {
      const [cells, style] = Array.isArray(row) ? [row, ""] : [row.cells, row.style];
      return `<tr${style ? ` style="${style}"` : ""}>${cells.map((c) => cell(c, "td")).join("")}</tr>`;
    })
    .join("");
  return (
    `<table style="border-collapse:collapse;font-size:13px;font-variant-numeric:tabular-nums">` +
    (caption ? `<caption style="text-align:left;font-weight:bold;padding:4px 0">${escapeHtml(caption)}</caption>` : "") +
    `<thead><tr>${headers.map((h) => cell(h, "th")).join("")}</tr></thead><tbody>${body}</tbody></table>`
  );
}

/** A right-aligned number cell whose text is already formatted. */
export function num(text: string, style = ""): Cell {
  return { html: escapeHtml(text), align: "right", style };
}

/** A plain-text table with aligned columns; the first column is left-aligned, the rest right-aligned. */
export function textTable(headers: string[], rows: string[][], separatorsBefore: number[] = []): string {
  const all = [headers, ...rows];
  const widths = headers.map((_, i) => Math.max(...all.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) => r.map((v, i) => (i === 0 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join("  ").trimEnd();
  const out = [line(headers), ""];
  rows.forEach((r, i) => {
    if (separatorsBefore.includes(i)) out.push("");
    out.push(line(r));
  });
  return out.join("\n");
}

/** An <img> showing an SVG document: keeps several charts' ids and styles apart on one page. */
export function svgImage(svg: string, alt: string): string {
  const size = /<svg[^>]*\swidth="([\d.]+)"[^>]*\sheight="([\d.]+)"/.exec(svg);
  const dims = size ? ` width="${Math.round(Number(size[1]))}" height="${Math.round(Number(size[2]))}"` : "";
  return `<img alt="${escapeHtml(alt)}"${dims} src="data:image/svg+xml;base64,${Buffer.from(svg).toString("base64")}"/>`;
}

/** An <img> showing PNG bytes. */
export function pngImage(png: Buffer, alt: string, width?: number, height?: number): string {
  const dims = width && height ? ` width="${width}" height="${height}"` : "";
  return `<img alt="${escapeHtml(alt)}"${dims} style="image-rendering:pixelated" src="data:image/png;base64,${png.toString("base64")}"/>`;
}

/** A horizontal bar (0–1) drawn with a div, for probabilities in tables. */
export function barHtml(fraction: number, width = 120, color = "#4c78a8"): string {
  const w = Math.max(0, Math.min(1, Number.isFinite(fraction) ? fraction : 0)) * width;
  return (
    `<div style="display:inline-block;width:${width}px;height:10px;background:rgba(128,128,128,0.15);vertical-align:middle">` +
    `<div style="width:${w.toFixed(1)}px;height:10px;background:${color}"></div></div>`
  );
}

/** A block of plain-language findings as a list. */
export function readingHtml(lines: readonly string[], title = "Reading"): string {
  if (lines.length === 0) return "";
  return (
    `<div style="font-size:13px;margin:6px 0"><b>${escapeHtml(title)}</b>` +
    `<ul style="margin:2px 0 0 0;padding-left:20px">${lines.map((l) => `<li>${escapeHtml(l)}</li>`).join("")}</ul></div>`
  );
}

/** Quote a class name in prose. */
export function quoted(name: string): string {
  return `“${name}”`;
}
