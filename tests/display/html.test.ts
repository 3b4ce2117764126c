/** The one HTML and text toolkit: escaping, the html template, tables, number formats. */
import assert from "node:assert/strict";
import {
  escapeHtml,
  formatCount,
  formatNumber,
  html,
  htmlTable,
  keyValueTable,
  numberCell,
  percent,
  percentText,
  plural,
  rawHtml,
  textTable,
  textWithCode,
} from "../../lib/display/html";

describe("display/html", function () {
  it("escapes the five special characters, quotes included", function () {
    assert.equal(escapeHtml(`<a href="x">Tom & Jerry's</a>`), "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;");
    assert.equal(textWithCode("use `a<b` here"), "use <code>a&lt;b</code> here");
  });

  it("html`` escapes values, keeps Html as it is, joins arrays and drops null, undefined and false", function () {
    const items = ["<b>", "x"].map((t) => html`<li>${t}</li>`);
    const out = html`<ul>${items}</ul>${null}${undefined}${false}${rawHtml("<hr>")}${3}`;
    assert.equal(out.toString(), "<ul><li>&lt;b&gt;</li><li>x</li></ul><hr>3");
  });

  it("htmlTable: numbers right-aligned with separators, text escaped, ready HTML kept, row styles and a caption", function () {
    const table = htmlTable(["class", numberCell("images")], [["<7>", 12345], { cells: ["total", rawHtml("<i>all</i>")], style: "font-weight:bold" }], "Counts & more");
    assert.match(table, /^<table style="border-collapse:collapse;[^"]*">/);
    assert.match(table, /<caption[^>]*>Counts &amp; more<\/caption>/);
    assert.match(table, /<td style="text-align:left;[^"]*">&lt;7&gt;<\/td><td style="text-align:right;[^"]*">12,345<\/td>/);
    assert.match(table, /<tr style="font-weight:bold"><td[^>]*>total<\/td><td[^>]*><i>all<\/i><\/td><\/tr>/);
    assert.match(keyValueTable([["backend", "wasm"]], "info"), /^<table class="info" style="[^"]*"><tbody><tr><th[^>]*>backend<\/th><td[^>]*>wasm<\/td><\/tr>/);
  });

  it("textTable: labels left, numbers right, a blank line under the header; or ruled, with chosen alignments", function () {
    assert.equal(textTable(["class", "images"], [["a", 1200], ["total", 1201]], { separatorsBefore: [1] }), ["class  images", "", "a       1,200", "", "total   1,201"].join("\n"));
    assert.equal(
      textTable(["Layer", "Params"], [["conv", "520"]], { align: ["left", "left"], ruled: true }),
      ["-------------", "Layer  Params", "-------------", "conv   520", "-------------"].join("\n"),
    );
  });

  it("formats numbers, counts and percents as a person writes them", function () {
    assert.equal(formatNumber(0.01 * 0.1 * 0.1), "0.0001");
    assert.equal(formatNumber(0.00001), "1e-5");
    assert.equal(formatNumber(0.31274), "0.313");
    assert.equal(formatNumber(1234.5), "1,230");
    assert.equal(formatNumber(-0), "0");
    assert.equal(formatNumber(2e-7), "2e-7");
    assert.equal(formatCount(60000), "60,000");
    assert.equal(percent(0.9731), "97.3%");
    assert.equal(percent(0.9), "90.0%");
    assert.equal(percent(NaN), "–");
    assert.equal(percent(0.97314, 2), "97.31%");
    assert.equal(percentText(0.9), "90%");
    assert.equal(percentText(0.9731), "97.3%");
    assert.equal(percentText(1521 / 2000), "76.1%");
    assert.equal(percentText(1509 / 2000), "75.5%");
    assert.equal(plural(1, "image"), "1 image");
    assert.equal(plural(1000, "image"), "1,000 images");
  });
});
