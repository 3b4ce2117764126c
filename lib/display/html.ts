/**
 * The HTML and text every display of the library is built from: escaping, a
 * tagged `html` template, tables (HTML and plain text) and the number,
 * count and percent formats a learner reads. One place, so every table in a
 * notebook looks alike and a number reads the same wherever it appears.
 *
 * No project imports: every package may use it.
 */

/** Escapes the five characters HTML gives a meaning to, so text shows as text (also inside attributes). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/** Escapes text and shows its `backtick` spans as code, as Markdown does. */
export function textWithCode(text: string): string {
  return escapeHtml(text).replace(/`([^`]+)`/g, "<code>$1</code>");
}

/** HTML that is already safe: what `html` and `rawHtml` make, and what `html` inserts as it is. */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

/** Marks trusted markup (an SVG, a built table) so `html` inserts it unescaped. */
export function rawHtml(text: string): Html {
  return new Html(text);
}

type Interpolated = Html | string | number | boolean | null | undefined | readonly Interpolated[];

function interpolate(value: Interpolated): string {
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(interpolate).join("");
  if (value === null || value === undefined || value === false) return "";
  return escapeHtml(String(value));
}

/**
 * A template whose values are escaped unless they are Html (another `html`
 * template, or `rawHtml(...)`); arrays are joined, null, undefined and false
 * leave nothing:
 *
 *     html`<div>${name}</div>${rows.map((r) => html`<p>${r}</p>`)}`.text
 */
export function html(strings: TemplateStringsArray, ...values: Interpolated[]): Html {
  let out = strings[0];
  values.forEach((value, i) => (out += interpolate(value) + strings[i + 1]));
  return new Html(out);
}

/** A table cell: text (escaped), a number (right-aligned, with thousands separators) or ready HTML. */
export type Cell = string | number | Html | { html: string; align?: "left" | "right" | "center"; style?: string; colspan?: number };

/** A table row: its cells, or its cells and a style for the whole row (a separator line, say). */
export type Row = Cell[] | { cells: Cell[]; style: string };

const CELL_STYLE = "padding:2px 8px;border-bottom:1px solid rgba(128,128,128,0.25)";
const TABLE_STYLE = "border-collapse:collapse;font-size:13px;font-variant-numeric:tabular-nums";

function cellHtml(value: Cell, tag: "td" | "th"): string {
  if (value instanceof Html) return `<${tag} style="text-align:left;${CELL_STYLE}">${value.text}</${tag}>`;
  if (typeof value === "object") {
    const span = value.colspan ? ` colspan="${value.colspan}"` : "";
    return `<${tag}${span} style="text-align:${value.align ?? "left"};${CELL_STYLE};${value.style ?? ""}">${value.html}</${tag}>`;
  }
  const numeric = typeof value === "number";
  return `<${tag} style="text-align:${numeric ? "right" : "left"};${CELL_STYLE}">${escapeHtml(numeric ? formatCount(value) : value)}</${tag}>`;
}

/** An HTML table: numbers right-aligned, strings escaped, an optional caption above. */
export function htmlTable(headers: readonly Cell[], rows: readonly Row[], caption?: string): string {
  const body = rows
    .map((row) => {
      const [cells, style] = Array.isArray(row) ? [row, ""] : [(row as { cells: Cell[] }).cells, (row as { style: string }).style];
      return `<tr${style ? ` style="${style}"` : ""}>${cells.map((c) => cellHtml(c, "td")).join("")}</tr>`;
    })
    .join("");
  return (
    `<table style="${TABLE_STYLE}">` +
    (caption ? `<caption style="text-align:left;font-weight:bold;padding:4px 0">${escapeHtml(caption)}</caption>` : "") +
    `<thead><tr>${headers.map((h) => cellHtml(h, "th")).join("")}</tr></thead><tbody>${body}</tbody></table>`
  );
}

/** A table of labels and values, the labels as row headers: facts about a dataset, a backend. */
export function keyValueTable(rows: readonly (readonly [string, Cell])[], className?: string): string {
  const body = rows.map(([label, value]) => `<tr>${cellHtml(label, "th")}${cellHtml(value, "td")}</tr>`).join("");
  return `<table${className ? ` class="${escapeHtml(className)}"` : ""} style="${TABLE_STYLE}"><tbody>${body}</tbody></table>`;
}

/** A right-aligned number cell whose text is already formatted. */
export function numberCell(text: string, style = ""): Cell {
  return { html: escapeHtml(text), align: "right", style };
}

export interface TextTableOptions {
  /** Row indices to put a blank line before (to set totals apart). */
  separatorsBefore?: readonly number[];
  /** Each column's alignment. Default: the first left, the others right (labels, then numbers). */
  align?: readonly ("left" | "right")[];
  /** Rules of dashes above and below the header and under the last row, instead of a blank line under the header. */
  ruled?: boolean;
}

/** A plain-text table with aligned columns (numbers get thousands separators), for text/plain outputs. */
export function textTable(headers: readonly string[], rows: readonly (readonly (string | number)[])[], options: TextTableOptions = {}): string {
  const all = [headers, ...rows].map((r) => r.map((v) => (typeof v === "number" ? formatCount(v) : v)));
  const widths = headers.map((_, i) => Math.max(...all.map((r) => (r[i] ?? "").length)));
  const right = (i: number) => (options.align ? options.align[i] === "right" : i > 0);
  const line = (r: string[]) => r.map((v, i) => (right(i) ? v.padStart(widths[i]) : v.padEnd(widths[i]))).join("  ").trimEnd();
  const body: string[] = [];
  all.slice(1).forEach((r, i) => {
    if (options.separatorsBefore?.includes(i)) body.push("");
    body.push(line(r));
  });
  if (!options.ruled) return [line(all[0]), "", ...body].join("\n");
  const rule = "-".repeat(widths.reduce((a, b) => a + b + 2, -2));
  return [rule, line(all[0]), rule, ...body, rule].join("\n");
}

/** 12345 → "12,345". */
export function formatCount(n: number): string {
  return n.toLocaleString("en-US");
}

/**
 * A number as a person writes it: three significant digits, thousands
 * separators, an exponent only when tiny or huge. 0.3127 → "0.313",
 * 1234.5 → "1,230", 0.00010000000000000002 → "0.0001", 1e-5 → "1e-5"; zero
 * is "0" (never "-0").
 */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return "0";
  const abs = Math.abs(value);
  if (abs < 1e-4 || abs >= 1e6) return value.toExponential(2).replace(/\.?0+e/, "e").replace("e+", "e");
  if (Number.isInteger(value)) return formatCount(value);
  return Number(value.toPrecision(3)).toLocaleString("en-US", { maximumFractionDigits: 6 });
}

/** For tables, where the decimals line up: 0.9731 → "97.3%", 0.9 → "90.0%" (`decimals` 1); NaN → "–". */
export function percent(fraction: number, decimals = 1): string {
  return Number.isFinite(fraction) ? `${(fraction * 100).toFixed(decimals)}%` : "–";
}

/** For sentences, rounded half up as a person rounds: 0.9731 → "97.3%", 0.7605 → "76.1%", 0.9 → "90%"; NaN → "–". */
export function percentText(fraction: number): string {
  if (!Number.isFinite(fraction)) return "–";
  const value = Math.round(fraction * 1000) / 10;
  return `${Number.isInteger(value) ? value.toFixed(0) : value.toFixed(1)}%`;
}

/** A metric with a fixed number of decimals (scikit-learn's report uses 2); NaN → "–". */
export function fixed(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : "–";
}

/** "1 image", "2 images", "1,000 images". */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${formatCount(n)} ${n === 1 ? word : many}`;
}

/** 1.2 MB, 30.1 MB, 2.4 GB (decimal units, as file managers show). */
/**
 * `text` broken at spaces into lines of at most `width` characters (a longer
 * word keeps a line of its own): front ends wrap a long output line
 * anywhere, mid-word included.
 */
export function wrapText(text: string, width = 88): string {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/ +/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines.join("\n");
}

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
