/** HTML building blocks of the evaluation displays: images, bars, findings (tables and numbers: lib/display/html). */
import { escapeHtml } from "../display/html";

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
