/** The metrics on hand-made inputs: top-k, most-confused pairs, the report's reading and displays, input errors. */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { toBundle, VEGA_LITE_MIME } from "../../lib";
import {
  accuracy,
  classCurves,
  classificationReport,
  confusionMatrix,
  ConfusionMatrix,
  precisionRecallF1,
  rocAucScore,
  topKAccuracy,
} from "../../lib/evaluate";
import { embeddedImages, useTestBackend } from "./helpers";

describe("evaluation metrics", function () {
  before(useTestBackend);

  describe("top-k accuracy", function () {
    const scores = [
      [0.5, 0.3, 0.2], // true 0: rank 0
      [0.5, 0.3, 0.2], // true 1: rank 1
      [0.5, 0.3, 0.2], // true 2: rank 2
      [0.1, 0.1, 0.8], // true 1: tied with class 0 for second; the lower index ranks first, so rank 2
    ];
    const labels = [0, 1, 2, 1];

    it("counts the true class within the k highest scores", function () {
      assert.equal(topKAccuracy(labels, scores, 1), 1 / 4);
      assert.equal(topKAccuracy(labels, scores, 2), 2 / 4);
      assert.equal(topKAccuracy(labels, scores, 3), 1);
      assert.equal(topKAccuracy(labels, scores, 5), 1, "k beyond the class count: everything counts");
    });

    it("top-1 equals the accuracy of argmax predictions, ties going to the lower index", function () {
      const tied = [[0.4, 0.4, 0.2], [0.2, 0.4, 0.4], [0.3, 0.3, 0.4]];
      const argmax = [0, 1, 2];
      for (const truth of [[0, 1, 2], [1, 2, 0], [0, 0, 0]]) {
        assert.equal(topKAccuracy(truth, tied, 1), accuracy(truth, argmax));
      }
    });

    it("takes scores as a tensor or a flat array with a class count, and labels as a one-hot tensor", function () {
      const flat = { values: scores.flat(), numClasses: 3 };
      assert.equal(topKAccuracy(labels, flat, 2), 0.5);
      const tensor = tf.tensor2d(scores);
      const oneHot = tf.oneHot(tf.tensor1d(labels, "int32"), 3);
      try {
        assert.equal(topKAccuracy(oneHot, tensor, 2), 0.5);
      } finally {
        tf.dispose([tensor, oneHot]);
      }
    });

    it("explains bad input", function () {
      assert.throws(() => topKAccuracy([0, 1], scores, 1), /2 true labels but 4 score rows/);
      assert.throws(() => topKAccuracy(labels, scores, 0), /k must be a whole number ≥ 1/);
      assert.throws(() => topKAccuracy([0, 1, 2, 3], scores, 1), /label 3, but there are only 3 classes/);
      assert.throws(() => topKAccuracy(labels, [[0.1, NaN, 0.2], ...scores.slice(1)], 1), /NaN.*training diverged/);
      assert.throws(() => topKAccuracy(labels, [[0.1, 0.2], ...scores.slice(1)], 1), /row 1 has 3 scores, but row 0 has 2/);
      assert.throws(() => accuracy([0, 1.5], [0, 1]), /label 1.5; labels must be class indices/);
      assert.throws(() => accuracy([], []), /no samples/);
    });
  });

  describe("confusion matrix and most-confused pairs", function () {
    //          true: a a a a b b b c c c c c c
    const truth = [0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 2, 2, 2];
    const preds = [0, 0, 1, 2, 1, 0, 0, 2, 2, 0, 0, 0, 1];
    const names = ["a", "b", "c"];

    it("counts pairs, with rows as true classes, and gives per-class accuracy", function () {
      const m = confusionMatrix(truth, preds, { classNames: names });
      assert.deepEqual(m.counts, [[2, 1, 1], [2, 1, 0], [3, 1, 2]]);
      assert.deepEqual(m.support, [4, 3, 6]);
      assert.deepEqual(m.predictedCounts, [7, 3, 3]);
      assert.equal(m.accuracy, 5 / 13);
      assert.deepEqual(m.perClassAccuracy(), [2 / 4, 1 / 3, 2 / 6]);
      assert.deepEqual(m.normalized("all")[2], [3 / 13, 1 / 13, 2 / 13]);
    });

    it("lists the most-confused pairs, commonest first, with minCount and top", function () {
      const pairs = confusionMatrix(truth, preds, { classNames: names }).mostConfused();
      assert.equal(pairs.totalErrors, 8);
      assert.deepEqual(
        pairs.pairs.map((p) => [p.actualName, p.predictedName, p.count]),
        // Equal counts: the larger share of the true class first (a→b and a→c are 1 of 4, c→b 1 of 6).
        [["c", "a", 3], ["b", "a", 2], ["a", "b", 1], ["a", "c", 1], ["c", "b", 1]],
      );
      assert.equal(pairs.at(0)!.shareOfActual, 3 / 6);
      assert.equal(pairs.at(0)!.shareOfPredicted, 3 / 7);
      const frequent = confusionMatrix(truth, preds, { classNames: names }).mostConfused({ minCount: 2, top: 1 });
      assert.deepEqual([...frequent].map((p) => `${p.actualName}>${p.predictedName}`), ["c>a"]);
      assert.match(frequent.sentences()[0], /“c” is predicted as “a” 3 times \(50\.0% of “c”\)/);
    });

    it("keeps classes that never occur when classNames say they exist", function () {
      const m = confusionMatrix([0, 0], [0, 0], { classNames: ["x", "y", "z"] });
      assert.deepEqual(m.counts, [[2, 0, 0], [0, 0, 0], [0, 0, 0]]);
      assert.deepEqual(m.normalized("pred"), [[1, 0, 0], [0, 0, 0], [0, 0, 0]]);
      assert.ok(Number.isNaN(m.perClassAccuracy()[1]));
    });

    it("shows itself as the heatmap chart with a text table", async function () {
      const bundle = await toBundle(confusionMatrix(truth, preds, { classNames: names }));
      assert.ok(bundle[VEGA_LITE_MIME], "carries the Vega-Lite spec");
      assert.match(String(bundle["image/svg+xml"]), /^<svg/);
      const text = String(bundle["text/plain"]);
      assert.match(text, /accuracy 38\.5%/);
      assert.match(text, /^c\s+3\s+1\s+2\s+6\s+33\.3%$/m);
    });

    it("refuses bad counts and mismatched names", function () {
      assert.throws(() => new ConfusionMatrix([[1, 2], [3]]), /row 1 has 1 counts/);
      assert.throws(() => new ConfusionMatrix([[1, -2], [3, 4]]), /counts\[0\]\[1\] is -2/);
      assert.throws(() => confusionMatrix([0, 1], [1, 0], { classNames: ["only"] }), /confusionMatrix \(true labels\): sample 1 has label 1, but there are only 1 classes/);
      assert.throws(() => confusionMatrix([0, 1], [1, 0], { classNames: ["x", "x"] }), /distinct/);
    });
  });

  describe("classification report", function () {
    // An imbalanced problem: 18 "ok", 2 "fault"; the model finds one fault and raises one false alarm.
    const truth = [...new Array(18).fill(0), 1, 1];
    const preds = [...new Array(17).fill(0), 1, 1, 0];

    it("holds per-class metrics with support, accuracy, balanced accuracy and the three averages", function () {
      const report = classificationReport(truth, preds, { classNames: ["ok", "fault"] });
      const ok = report.of("ok");
      const fault = report.of(1);
      assert.deepEqual([ok.precision, ok.recall, ok.support, ok.predicted], [17 / 18, 17 / 18, 18, 18]);
      assert.deepEqual([fault.precision, fault.recall, fault.support, fault.predicted], [0.5, 0.5, 2, 2]);
      assert.equal(report.accuracy, 18 / 20);
      assert.equal(report.micro.f1, 18 / 20);
      assert.equal(report.balancedAccuracy, (17 / 18 + 0.5) / 2);
      assert.equal(report.macro.recall, (17 / 18 + 0.5) / 2);
      assert.equal(report.weighted.recall, (17 / 18) * 0.9 + 0.5 * 0.1);
      assert.throws(() => report.of("broken"), /no class "broken"; the classes are "ok", "fault"/);
    });

    it("shows the numbers, the support and the averages in HTML and text, like scikit-learn's report", async function () {
      const report = classificationReport(truth, preds, { classNames: ["ok", "fault"], title: "machines" });
      const bundle = await toBundle(report);
      const html = String(bundle["text/html"]);
      for (const expected of ["0.94", "0.50", "0.90", "0.72", ">18<", ">20<", "macro avg", "micro avg", "weighted avg", "balanced accuracy", "support", "machines"]) {
        assert.ok(html.includes(expected), `HTML shows ${expected}`);
      }
      const text = String(bundle["text/plain"]);
      assert.match(text, /^ok\s+0\.94\s+0\.94\s+0\.94\s+18\s+18$/m);
      assert.match(text, /^fault\s+0\.50\s+0\.50\s+0\.50\s+2\s+2$/m);
      assert.match(text, /^accuracy\s+0\.90\s+20$/m);
      assert.match(text, /^macro avg\s+0\.72\s+0\.72\s+0\.72\s+20$/m);
      const three = classificationReport(truth, preds, { classNames: ["ok", "fault"], digits: 3 }).toString();
      assert.match(three, /^fault\s+0\.500\s+0\.500\s+0\.500/m);
    });

    it("reads an imbalanced result in plain words: baseline, balanced accuracy, weakest class and where it goes", function () {
      const truth2 = [...new Array(95).fill(0), ...new Array(5).fill(1)];
      const preds2 = [...new Array(95).fill(0), 1, 0, 0, 0, 0];
      const report = classificationReport(truth2, preds2, { classNames: ["healthy", "sick"] });
      const reading = report.reading.join("\n");
      assert.match(reading, /imbalanced: “healthy” has 95 samples, “sick” only 5 \(19× fewer\)/);
      assert.match(reading, /Always answering “healthy” would score 95\.0% accuracy/);
      assert.match(reading, /Accuracy is 96\.0% but balanced accuracy .* is 60\.0%/);
      assert.match(reading, /“sick” has the lowest recall, 20\.0%: the model finds 1 of its 5 samples and most often calls it “healthy” instead \(4 times\)/);
      assert.ok(report.toHtml().includes("Always answering “healthy” would score 95.0% accuracy"), "the reading is in the HTML");
    });

    it("marks a class never predicted, counts it as zeroDivision in the averages, and says so", function () {
      const t = [0, 0, 1, 1, 2, 2];
      const p = [0, 0, 1, 1, 0, 1];
      const zero = classificationReport(t, p, { classNames: ["x", "y", "z"] });
      assert.equal(zero.of("z").precision, 0);
      assert.ok(zero.of("z").precisionUndefined);
      assert.match(zero.toString(), /^z\s+–\s+0\.00\s+0\.00\s+2\s+0$/m);
      assert.match(zero.undefinedNotes.join(" "), /Precision is undefined for “z”, never predicted: shown as “–” and counted as 0/);
      assert.match(zero.reading.join(" "), /never predicts “z”: all 2 of its samples are called something else/);
      const one = precisionRecallF1(t, p, { classNames: ["x", "y", "z"], zeroDivision: 1 });
      assert.equal(one.classes[2].precision, 1);
      assert.equal(one.macro.precision, (2 / 3 + 2 / 3 + 1) / 3);
      assert.throws(() => classificationReport(t, p, { zeroDivision: 0.5 as 0 }), /zeroDivision must be 0 or 1/);
    });

    it("says when everything is right", function () {
      assert.deepEqual(classificationReport([0, 1, 1], [0, 1, 1]).reading, ["Every one of the 3 samples is classified correctly."]);
    });
  });

  describe("precision–recall and ROC curves per class", function () {
    const truth = [0, 0, 1, 1, 2, 2];
    const scores = [
      [0.8, 0.1, 0.1],
      [0.4, 0.5, 0.1],
      [0.3, 0.6, 0.1],
      [0.2, 0.7, 0.1],
      [0.1, 0.2, 0.7],
      [0.5, 0.1, 0.4],
    ];

    it("computes AP and AUC per class and on average, and shows a table with both charts", async function () {
      const curves = classCurves(truth, scores, { classNames: ["a", "b", "c"] });
      // Class c: scores 0.7 and 0.4 for its samples, at most 0.1 for the others: perfectly ranked.
      assert.equal(curves.of("c").averagePrecision, 1);
      assert.equal(curves.of("c").rocAuc, 1);
      // Class a: positives 0.8 and 0.4, negatives 0.3, 0.2, 0.1, 0.5 → one inversion of 8 pairs.
      assert.equal(curves.of("a").rocAuc, 7 / 8);
      const bundle = await toBundle(curves);
      const html = String(bundle["text/html"]);
      assert.ok(html.includes(curves.averagePrecision.macro.toFixed(3)));
      assert.ok(html.includes("0.875"));
      const charts = embeddedImages(html, "svg+xml").map((b) => b.toString());
      assert.equal(charts.length, 2, "a precision–recall and a ROC chart");
      assert.ok(charts[0].includes("c (AP 1.00)") && charts[1].includes("a (AUC 0.88)"), "legends carry the scores");
      assert.match(String(bundle["text/plain"]), /^a\s+2\s+0\.\d{3}\s+0\.875$/m);
    });

    it("draws at most maxPoints per curve but keeps the exact AP in the legend", function () {
      const n = 2000;
      const t = Array.from({ length: n }, (_, i) => i % 2);
      const s = Array.from({ length: n }, (_, i) => {
        const p = ((i * 7919) % n) / n;
        return [1 - p, p];
      });
      const curves = classCurves(t, s);
      assert.ok(curves.of(1).pr.recall.length > 1000);
      const spec = curves.prChart({ maxPoints: 50 }).spec as { layer: { data?: { values?: { series: string }[] } }[] };
      const rows = spec.layer.flatMap((l) => l.data?.values ?? []);
      const forClass1 = rows.filter((r) => r.series.startsWith("1 "));
      assert.ok(forClass1.length <= 50 && forClass1.length >= 40, `${forClass1.length} points drawn`);
      assert.ok(rows.some((r) => r.series === `1 (AP ${curves.of(1).averagePrecision.toFixed(2)})`));
    });

    it("refuses ROC AUC without both classes, with the reason", function () {
      assert.throws(() => rocAucScore([1, 1, 1], [0.2, 0.5, 0.9]), /every sample is positive/);
      assert.throws(() => rocAucScore([0, 0], [0.2, 0.5]), /no positive samples/);
      assert.throws(() => rocAucScore([0, 1], [0.2]), /2 labels but 1 scores/);
    });
  });
});
