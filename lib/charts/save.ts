/** Saving charts: SVG, PNG, standalone HTML, or the Vega-Lite spec as JSON. */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { escapeHtml } from "../display/html";
import type { Chart } from "./chart";
import type { PNGOptions } from "./png";
import type { ThemeName } from "./theme";

export interface HTMLOptions {
  /**
   * Also load vega-embed from a CDN so the page becomes interactive (tooltips)
   * when online. The embedded SVG shows either way. Default false: the page
   * makes no network requests.
   */
  interactive?: boolean;
  /** The page's <title>. Default: the chart's summary. */
  pageTitle?: string;
}

export interface SaveOptions extends PNGOptions, HTMLOptions {
  /** Save in another theme, e.g. "light" for white slides. Default: the chart's own. */
  theme?: ThemeName;
}

const FORMATS = [".svg", ".png", ".html", ".vl.json", ".json"];

/** Writes `chart` to `path` in the format its extension names; returns the absolute path. */
export async function saveChart(chart: Chart, path: string, options: SaveOptions = {}): Promise<string> {
  const target = resolve(path);
  const lower = target.toLowerCase();
  const format = FORMATS.find((ext) => lower.endsWith(ext));
  if (!format) {
    throw new Error(
      `Cannot tell which format to save "${path}" in. End the file name with one of: ${FORMATS.join(", ")} ` +
        `(for example chart.save("loss.svg")).`,
    );
  }
  const themed = options.theme ? chart.withTheme(options.theme) : chart;
  await themed.render();
  let content: string | Buffer;
  switch (format) {
    case ".svg":
      content = themed.toSVG();
      break;
    case ".png":
      content = await themed.toPNG(options);
      break;
    case ".html":
      content = themed.toHTML(options);
      break;
    default:
      content = JSON.stringify(themed.spec, null, 2) + "\n";
  }
  await mkdir(dirname(target), { recursive: true });
  await writeFile(target, content);
  return target;
}

/** A page that shows the chart's SVG with no network, and carries its spec for reuse. */
export function chartHTML(chart: Chart, options: HTMLOptions = {}): string {
  const spec = JSON.stringify(chart.spec).replace(/</g, "\\u003c");
  const title = escapeHtml(options.pageTitle ?? chart.summary);
  const interactive = options.interactive
    ? `
<script src="https://cdn.jsdelivr.net/npm/vega@5"></script>
<script src="https://cdn.jsdelivr.net/npm/vega-lite@5.6.1"></script>
<script src="https://cdn.jsdelivr.net/npm/vega-embed@6"></script>
<script>
  // Swap the static SVG for the interactive chart only once it has rendered.
  if (window.vegaEmbed) {
    const target = document.createElement("div");
    vegaEmbed(target, JSON.parse(document.getElementById("vega-lite-spec").textContent), { actions: false })
      .then(() => document.getElementById("chart").replaceChildren(target))
      .catch(() => {});
  }
</script>`
    : "";
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="color-scheme" content="light dark">
<title>${title}</title>
<style>body { margin: 0; padding: 16px; background: Canvas; color: CanvasText; font-family: sans-serif; }</style>
</head>
<body>
<div id="chart">
${chart.toSVG()}
</div>
<script type="application/json" id="vega-lite-spec">${spec}</script>${interactive}
</body>
</html>
`;
}
