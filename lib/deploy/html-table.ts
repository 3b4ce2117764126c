/** Small HTML and text tables for the deploy reports' rich displays. */

export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

export function htmlTable(header: string[], rows: (string | number)[][]): string {
  const cell = (tag: string, v: string | number) => `<${tag} style="text-align:${typeof v === "number" ? "right" : "left"}">${escapeHtml(String(v))}</${tag}>`;
  return (
    `<table><thead><tr>${header.map((h) => cell("th", h)).join("")}</tr></thead>` +
    `<tbody>${rows.map((r) => `<tr>${r.map((v) => cell("td", v)).join("")}</tr>`).join("")}</tbody></table>`
  );
}

export function textTable(header: string[], rows: (string | number)[][]): string {
  const all = [header, ...rows].map((r) => r.map(String));
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? "").length)));
  return all.map((r) => r.map((v, i) => v.padEnd(widths[i])).join("  ").trimEnd()).join("\n");
}
