/**
 * Every chart type: the spec validates against Vega-Lite 5.6.1's schema,
 * compiles with vega-lite, renders with vega without warnings, and the SVG
 * holds the marks a learner needs to see.
 */
import assert from "node:assert/strict";
import {
  classBarChart,
  confusionMatrixChart,
  historyChart,
  learningRateChart,
  lineChart,
  bandChart,
  scatterChart,
  histogramChart,
  THEME_NAMES,
  type Chart,
} from "../../lib/charts";
import { chartExamples, exampleConfusionMatrix, FASHION_CLASSES, overfittingHistory } from "./examples";
import { assertRendersCleanly, markItems, markTexts, roleTexts, translation } from "./helpers";

describe("chart types", function () {
  let examples: Record<string, Chart>;
  const svgs: Record<string, string> = {};

  before(async function () {
    examples = await chartExamples();
  });

  it("covers every chart type the lessons need", function () {
    assert.deepEqual(Object.keys(examples).sort(), [
      "bands",
      "class-bars",
      "confusion-matrix",
      "histogram",
      "history",
      "image-grid",
      "learning-rate",
      "line",
      "parallel-coordinates",
      "pr-curve",
      "roc-curve",
      "scatter",
    ]);
    for (const [name, chart] of Object.entries(examples)) assert.equal(chart.kind, name);
  });

  for (const name of [
    "history", "line", "learning-rate", "confusion-matrix", "pr-curve", "roc-curve", "class-bars",
    "histogram", "parallel-coordinates", "bands", "scatter", "image-grid",
  ]) {
    it(`${name}: validates, compiles and renders without warnings in every theme`, async function () {
      svgs[name] = await assertRendersCleanly(examples[name]);
      for (const theme of THEME_NAMES) await assertRendersCleanly(examples[name].withTheme(theme));
    });
  }

  const svg = (name: string) => svgs[name] ?? examples[name].toSVG();

  it("history: train and val lines for loss and accuracy, on two axes", function () {
    const s = svg("history");
    assert.equal(markItems(s, "loss_lines").length, 2, "train and validation loss");
    assert.equal(markItems(s, "accuracy_lines").length, 2, "train and validation accuracy");
    assert.equal(markItems(s, "loss_points").length, 40, "20 epochs × 2 loss series");
    const titles = roleTexts(s, "axis-title");
    for (const t of ["epoch", "loss", "accuracy"]) assert.ok(titles.includes(t), `axis title "${t}" in ${titles}`);
    assert.deepEqual(roleTexts(s, "legend-label"), ["train", "validation"]);
  });

  it("history: the best-epoch rule stands at the epoch of lowest validation loss", function () {
    const s = svg("history");
    const history = overfittingHistory();
    const best = history.reduce((a, r) => ((r.valLoss as number) < (a.valLoss as number) ? r : a));
    assert.equal(best.epoch, 9);
    const rules = markItems(s, "best_epoch");
    assert.equal(rules.length, 1);
    assert.deepEqual(markTexts(s, "best_epoch_label"), ["best 9"]);
    // The loss points come in epoch order, train then validation per epoch.
    const point = markItems(s, "loss_points")[(best.epoch - 1) * 2];
    assert.ok(Math.abs(translation(rules[0])[0] - translation(point)[0]) < 0.01, "rule x = x of epoch 9");
  });

  it("history: the gap-opens rule marks the first epoch from which valLoss stays >10% above loss", function () {
    const s = svg("history");
    const history = overfittingHistory();
    const gapped = history.map((r) => (r.valLoss as number) - (r.loss as number) > 0.1 * (r.loss as number));
    const opens = history[gapped.lastIndexOf(false) + 1].epoch;
    assert.equal(opens, 7);
    assert.equal(markItems(s, "gap_opens").length, 1);
    assert.deepEqual(markTexts(s, "gap_opens_label"), [`gap opens ${opens}`]);
    const rule = markItems(s, "gap_opens")[0];
    const point = markItems(s, "loss_points")[(opens - 1) * 2];
    assert.ok(Math.abs(translation(rule)[0] - translation(point)[0]) < 0.01);
    assert.match(examples.history.summary, /best epoch 9 \(valLoss 0\.358\); train\/val gap opens at epoch 7/);
  });

  it("history: no best or gap rule when the history does not support one", async function () {
    const improving = [1, 2, 3].map((epoch) => ({ epoch, loss: 1 / epoch, valLoss: 0.9 / epoch }));
    const s = await assertRendersCleanly(historyChart(improving));
    assert.deepEqual(markTexts(s, "best_epoch_label"), ["best 3"]);
    assert.equal(markItems(s, "gap_opens").length, 0, "validation below training: no gap");
    const lossOnly = await assertRendersCleanly(historyChart([{ epoch: 1, loss: 0.5 }, { epoch: 2, loss: 0.4 }]));
    assert.equal(markItems(lossOnly, "accuracy_lines").length, 0);
    assert.deepEqual(markTexts(lossOnly, "best_epoch_label"), ["best 2"], "falls back to training loss");
    const empty = await assertRendersCleanly(historyChart([]));
    assert.equal(markItems(empty, "best_epoch").length, 0);
  });

  it("history: points within epochs count as the epochs they cover, and the axis labels each whole epoch once", async function () {
    const withinEpochs = [0.5, 1, 1.5, 2].map((epoch) => ({ epoch, loss: 1 / epoch }));
    const chart = historyChart(withinEpochs);
    assert.match(chart.summary, /^Training history: 2 epochs/);
    const s = await assertRendersCleanly(chart);
    // The points (0.5 to 2) sit on an axis from whole epoch 0 to 2, labelled once each; the loss axis's labels all have decimals.
    assert.deepEqual(roleTexts(s, "axis-label").filter((t) => /^\d+$/.test(t)), ["0", "1", "2"]);
  });

  it("line: one line per series with a legend", function () {
    const s = svg("line");
    assert.equal(markItems(s, "series").length, 2);
    assert.deepEqual(roleTexts(s, "legend-label"), ["lr 0.01", "lr 0.1"]);
    assert.ok(roleTexts(s, "axis-title").includes("loss"));
  });

  it("line: explicit points, log axis, gaps for NaN, and an empty chart", async function () {
    const s = await assertRendersCleanly(
      lineChart({ a: [{ x: 0, y: 1 }, { x: 5, y: 0.1 }], b: [1, NaN, 0.5] }, { logY: true, xTitle: "batch" }),
    );
    assert.equal(markItems(s, "series").length, 2);
    assert.equal(markItems(s, "series_points").length, 4, "NaN and log-invalid values leave no point");
    assert.ok(roleTexts(s, "axis-title").includes("batch"));
    await assertRendersCleanly(lineChart({}));
  });

  it("line: a long series is thinned to its lows and highs, spikes included", async function () {
    const losses = Array.from({ length: 20_000 }, (_, i) => 1 / (1 + i / 1000));
    losses[12_345] = 9; // a loss spike must still show
    const chart = lineChart({ loss: losses }, { maxPoints: 500 });
    const values = (chart.spec.data as { values: { x: number; y: number }[] }).values;
    assert.ok(values.length <= 500, `${values.length} points drawn`);
    assert.ok(values.some((v) => v.x === 12_346 && v.y === 9), "the spike is kept");
    assert.deepEqual(values[values.length - 1], { series: "loss", x: 20_000, y: losses[19_999] });
    assert.match(chart.summary, /up to 20000 points \(drawn with each stretch's lowest and highest of up to 500\)/);
    await assertRendersCleanly(chart);
  });

  it("learning-rate: a step line with one point per epoch", function () {
    const s = svg("learning-rate");
    assert.equal(markItems(s, "schedule").length, 1);
    assert.equal(markItems(s, "schedule_points").length, 20);
    assert.ok(roleTexts(s, "axis-title").includes("learning rate"));
  });

  it("learning-rate: log scale for schedules spanning more than 20×, from an array of rates", async function () {
    const rates = Array.from({ length: 100 }, (_, i) => 0.1 * 0.95 ** i);
    const chart = learningRateChart(rates);
    const y = (chart.spec.encoding as { y: { scale: { type?: string } } }).y;
    assert.equal(y.scale.type, "log");
    const s = await assertRendersCleanly(chart);
    assert.ok(roleTexts(s, "axis-title").includes("step"));
    const flat = learningRateChart([0.01, 0.01, 0.001]);
    assert.equal((flat.spec.encoding as { y: { scale: { type?: string } } }).y.scale.type, undefined);
  });

  it("confusion-matrix: 100 cells, each with its count and row rate", function () {
    const s = svg("confusion-matrix");
    const matrix = exampleConfusionMatrix();
    assert.equal(markItems(s, "cells").length, 100);
    const labels = markTexts(s, "cell_labels");
    assert.equal(labels.length, 100);
    // Cells are in row-major order: matrix[i][j] with the share of row i.
    const rowSum = matrix[6].reduce((a, b) => a + b, 0);
    assert.equal(labels[6 * 10 + 6], `${matrix[6][6]}\n${Math.round((100 * matrix[6][6]) / rowSum)}%`);
    const titles = roleTexts(s, "axis-title");
    assert.ok(titles.includes("true class") && titles.includes("predicted class"));
    const axisLabels = roleTexts(s, "axis-label");
    for (const name of FASHION_CLASSES) assert.ok(axisLabels.includes(name), `class "${name}" labelled`);
  });

  it("confusion-matrix: column normalization, many classes without cell text", async function () {
    const pred = await assertRendersCleanly(confusionMatrixChart([[8, 2], [4, 6]], ["cat", "dog"], { normalize: "pred" }));
    assert.deepEqual(markTexts(pred, "cell_labels"), ["8\n67%", "2\n25%", "4\n33%", "6\n75%"]);
    const n = 30;
    const big = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 50 : (i + j) % 3)));
    const s = await assertRendersCleanly(confusionMatrixChart(big));
    assert.equal(markItems(s, "cells").length, n * n);
    assert.equal(markItems(s, "cell_labels").length, 0);
  });

  it("pr-curve: one curve per class, average precision in the legend", function () {
    const s = svg("pr-curve");
    assert.equal(markItems(s, "curves").length, 4);
    const legend = roleTexts(s, "legend-label");
    assert.equal(legend.length, 4);
    for (const label of legend) assert.match(label, /\(AP 0\.\d\d\)$/);
    assert.ok(roleTexts(s, "axis-title").includes("recall"));
  });

  it("roc-curve: one curve per class, AUC in the legend, the chance diagonal", function () {
    const s = svg("roc-curve");
    assert.equal(markItems(s, "curves").length, 4);
    assert.equal(markItems(s, "chance").length, 1);
    for (const label of roleTexts(s, "legend-label")) assert.match(label, /\(AUC 0\.\d\d\)$/);
    assert.ok(roleTexts(s, "axis-title").includes("false-positive rate"));
  });

  it("class-bars: one bar and one value label per class", async function () {
    const s = svg("class-bars");
    assert.equal(markItems(s, "bars").length, 10);
    const labels = markTexts(s, "bar_labels");
    assert.equal(labels.length, 10);
    for (const l of labels) assert.match(l, /^\d+\.\d%$/);
    const grouped = await assertRendersCleanly(
      classBarChart(["cat", "dog", "bird"], { precision: [0.9, 0.8, 0.7], recall: [0.85, 0.75, 0.95] }, { sort: "descending" }),
    );
    assert.equal(markItems(grouped, "bars").length, 6);
    assert.deepEqual(roleTexts(grouped, "legend-label"), ["precision", "recall"]);
  });

  it("histogram: 40 bins per panel, panel headings with mean, std and zeros", async function () {
    const s = svg("histogram");
    assert.equal(markItems(s, "bins").length, 80);
    // Independent scales give each panel its own title.
    const headers = roleTexts(s, "title-text");
    assert.ok(headers.some((h) => /^relu1 activations: mean .*zeros 6\d\.\d%$/.test(h)), `headers: ${headers}`);
    const single = await assertRendersCleanly(histogramChart(new Float32Array([0, 1, 1, 2, NaN]), { bins: 4 }));
    assert.equal(markItems(single, "bins").length, 4);
    assert.match(histogramChart([0, 1, 1, 2, NaN]).summary, /1 NaN\/Inf/);
  });

  it("parallel-coordinates: one line per run, one axis per hyperparameter, axis ranges labelled", function () {
    const s = svg("parallel-coordinates");
    assert.equal(markItems(s, "runs").length, 16);
    assert.equal(markItems(s, "axes").length, 4);
    const labels = [...markTexts(s, "axis_labels_above"), ...markTexts(s, "axis_labels_below"), ...markTexts(s, "axis_labels_beside")];
    for (const l of ["0.0001", "0.1", "32", "128", "adam", "sgd"]) assert.ok(labels.includes(l), `"${l}" in ${labels}`);
    assert.deepEqual(roleTexts(s, "axis-label"), ["lr", "batchSize", "optimizer", "valAccuracy"]);
  });

  it("bands: a mean line and a ±std band per setting", async function () {
    const s = svg("bands");
    assert.equal(markItems(s, "bands").length, 2);
    assert.equal(markItems(s, "means").length, 2);
    await assertRendersCleanly(bandChart({ only: [[1, 2, 3]] }));
  });

  it("bands: accuracies summed up in percent, their spread in points", () => {
    const runs = { "rate 0.03": [[0.9, 0.92], [0.9, 0.935], [0.9, 0.925]] };
    assert.match(bandChart(runs, { percent: true }).summary, /at the end: rate 0\.03 92\.7% ± 0\.8 points \(3 runs\)$/);
    assert.match(bandChart(runs).summary, /at the end: rate 0\.03 0\.927 ± 0\.00764 \(3 runs\)$/);
  });

  it("scatter: one point per record, coloured by class", async function () {
    const s = svg("scatter");
    assert.equal(markItems(s, "points").length, 120);
    assert.equal(roleTexts(s, "legend-label").length, 4);
    await assertRendersCleanly(scatterChart([], {}));
    const sized = await assertRendersCleanly(
      scatterChart(
        [
          { params: 1e4, valAccuracy: 0.8, lr: 0.1 },
          { params: 1e5, valAccuracy: 0.9, lr: 0.01 },
        ],
        { x: "params", y: "valAccuracy", color: "lr", logX: true },
      ),
    );
    assert.equal(markItems(sized, "points").length, 2);
  });

  it("image-grid: every image embedded as PNG, captions red where the prediction is wrong", function () {
    const s = svg("image-grid");
    const images = markItems(s, "images");
    assert.equal(images.length, 12);
    for (const image of images) assert.match(image, /href="data:image\/png;base64,iVBORw0KGgo[^"]+"/);
    const captions = markItems(s, "captions");
    assert.equal(captions.length, 12);
    const wrong = captions.filter((c) => c.includes('fill="#e0452f"'));
    assert.equal(wrong.length, 2);
    assert.deepEqual(wrong.map((c) => markTextsOf(c)), ["Coat\n(Dress)", "Ankle boot\n(Bag)"]);
  });
});

function markTextsOf(element: string): string {
  return [...element.matchAll(/<tspan[^>]*>([\s\S]*?)<\/tspan>/g)].map((m) => m[1]).join("\n");
}
