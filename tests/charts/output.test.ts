/** What a chart hands the notebook (its MIME bundle) and what it saves to files. */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { display, DISPLAY, toBundle } from "../../lib/display";
import { historyChart, usesFontMetrics, VEGA_LITE_MIME, VEGA_LITE_SCHEMA, confusionMatrixChart } from "../../lib/charts";
import * as convlab from "../../lib";
import { FakeNotebookHost } from "./fake-host";
import { overfittingHistory, exampleConfusionMatrix, FASHION_CLASSES } from "./examples";
import { assertValidVegaLite } from "./helpers";

describe("chart output", function () {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), "convlab-charts-"))));
  after(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(() => FakeNotebookHost.uninstall());

  it("is exported from the library's entry point", function () {
    assert.equal(typeof convlab.historyChart, "function");
    assert.equal(typeof convlab.liveChart, "function");
    assert.equal(typeof convlab.imageGrid, "function");
  });

  it("displays as a bundle with the spec as a JSON object, an SVG, a PNG and a text summary", async function () {
    const host = new FakeNotebookHost(false).install();
    const chart = historyChart(overfittingHistory());
    await display(chart);
    assert.equal(host.sent.length, 1);
    const bundle = host.sent[0].bundle;
    assert.deepEqual(Object.keys(bundle).sort(), ["application/vnd.vegalite.v5+json", "image/png", "image/svg+xml", "text/plain"]);
    assert.equal(Buffer.from(bundle["image/png"] as string, "base64").subarray(1, 4).toString(), "PNG", "for the classic Notebook's untrusted notebooks");
    const spec = bundle[VEGA_LITE_MIME] as Record<string, unknown>;
    assert.equal(typeof spec, "object", "never a string");
    assert.equal(spec.$schema, VEGA_LITE_SCHEMA);
    assert.match(bundle["image/svg+xml"] as string, /^<svg /);
    assert.equal(bundle["text/plain"], chart.summary);
  });

  it("adds a PNG on request", async function () {
    const bundle = await toBundle(historyChart(overfittingHistory(), { png: { scale: 1 } }));
    const png = Buffer.from(bundle["image/png"] as string, "base64");
    const meta = await sharp(png).metadata();
    assert.equal(meta.format, "png");
    assert.ok((meta.width ?? 0) > 480 && (meta.height ?? 0) > 280, `${meta.width}×${meta.height}`);
  });

  it("gives a copy of its spec, so edits do not leak into the chart", function () {
    const chart = historyChart(overfittingHistory());
    const spec = chart.spec;
    spec.title = "changed";
    assert.notEqual(chart.spec.title, "changed");
  });

  it("themes differ where they should: background and text colours", function () {
    const chart = historyChart(overfittingHistory());
    const config = (theme: "auto" | "light" | "dark") => chart.withTheme(theme).spec.config as { background: string; axis: { labelColor: string } };
    assert.equal(config("auto").background, "transparent");
    assert.equal(config("light").background, "#ffffff");
    assert.notEqual(config("dark").axis.labelColor, config("light").axis.labelColor);
    assert.throws(() => chart.withTheme("neon" as never).spec, /Unknown chart theme "neon"/);
  });

  it("measures labels with the DejaVu Sans metrics the SVG names first", function () {
    assert.equal(usesFontMetrics(), true, "DejaVu Sans (Debian fonts-dejavu-core) is installed");
    assert.match(historyChart(overfittingHistory()).toSVG(), /font-family="DejaVu Sans, Verdana, Geneva, sans-serif"/);
  });

  it("saves SVG, PNG, HTML and the Vega-Lite spec", async function () {
    const chart = confusionMatrixChart(exampleConfusionMatrix(), FASHION_CLASSES);
    const svgPath = await chart.save(join(dir, "cm.svg"));
    assert.equal(readFileSync(svgPath, "utf8"), chart.toSVG());

    const pngPath = await chart.save(join(dir, "slides", "cm.png"), { theme: "light", scale: 2 });
    const meta = await sharp(readFileSync(pngPath)).metadata();
    assert.equal(meta.format, "png");
    const svgWidth = Number(/width="(\d+(?:\.\d+)?)"/.exec(chart.withTheme("light").toSVG())?.[1]);
    assert.equal(meta.width, Math.round(svgWidth * 2), "scale 2: twice the SVG's pixels");

    const specPath = await chart.save(join(dir, "cm.vl.json"));
    const saved = JSON.parse(readFileSync(specPath, "utf8"));
    assert.deepEqual(saved, chart.spec);
    assertValidVegaLite(saved);

    const html = readFileSync(await chart.save(join(dir, "cm.html")), "utf8");
    assert.ok(html.includes(chart.toSVG()), "the SVG is inline");
    assert.doesNotMatch(html, /<script[^>]+src=/, "no network by default");
    const embedded = /<script type="application\/json" id="vega-lite-spec">([\s\S]*?)<\/script>/.exec(html);
    assert.deepEqual(JSON.parse(embedded?.[1] ?? "null"), chart.spec);
    const interactive = chart.toHTML({ interactive: true });
    assert.match(interactive, /vega-lite@5\.6\.1/);
  });

  it("refuses a file name it cannot tell the format of", async function () {
    await assert.rejects(historyChart([]).save(join(dir, "chart.pdf")), /End the file name with one of: \.svg, \.png, \.html, \.vl\.json/);
  });

  it("prints its summary in text-only places", function () {
    const chart = historyChart(overfittingHistory());
    assert.equal(String(chart), chart.summary);
    assert.equal(typeof chart[DISPLAY], "function");
  });
});
