/** The numbers charts print: best epoch, gap opening, AP, AUC, mean ± std, distributions, confusion summary. */
import assert from "node:assert/strict";
import {
  areaUnderROC,
  averagePrecision,
  describeDistribution,
  findBestEpoch,
  findGapOpening,
  meanAndStd,
  summarizeConfusion,
} from "../../lib/charts";

describe("chart analysis", function () {
  describe("findBestEpoch", function () {
    const history = [
      { epoch: 1, loss: 1.0, valLoss: 1.2, valAccuracy: 0.6 },
      { epoch: 2, loss: 0.6, valLoss: 0.8, valAccuracy: 0.7 },
      { epoch: 3, loss: 0.4, valLoss: 0.8, valAccuracy: 0.75 },
      { epoch: 4, loss: 0.3, valLoss: 0.9, valAccuracy: 0.75 },
    ];

    it("takes the lowest valLoss by default, the earliest on ties", function () {
      assert.deepEqual(findBestEpoch(history), { epoch: 2, monitor: "valLoss", value: 0.8, mode: "min" });
    });

    it("maximizes accuracy-like metrics and honours an explicit mode", function () {
      assert.equal(findBestEpoch(history, { monitor: "valAccuracy" })?.epoch, 3);
      assert.equal(findBestEpoch(history, { monitor: "valLoss", mode: "max" })?.epoch, 1);
    });

    it("falls back to training loss without validation, skips NaN, and is undefined with no values", function () {
      assert.equal(findBestEpoch([{ epoch: 1, loss: 0.5 }, { epoch: 2, loss: NaN }, { epoch: 3, loss: 0.4 }])?.epoch, 3);
      assert.equal(findBestEpoch([]), undefined);
    });
  });

  describe("findGapOpening", function () {
    it("finds the first epoch of a gap above 10 % that lasts to the end", function () {
      const history = [
        { epoch: 1, loss: 1.0, valLoss: 1.2 }, // 20 % gap, but it closes again
        { epoch: 2, loss: 0.8, valLoss: 0.82 },
        { epoch: 3, loss: 0.6, valLoss: 0.7 }, // 16.7 %, and stays open
        { epoch: 4, loss: 0.5, valLoss: 0.7 },
        { epoch: 5, loss: 0.4, valLoss: 0.75 },
      ];
      const gap = findGapOpening(history);
      assert.equal(gap?.epoch, 3);
      assert.ok(Math.abs((gap?.relativeGap ?? 0) - 0.1 / 0.6) < 1e-12);
      assert.ok(Math.abs((gap?.finalRelativeGap ?? 0) - 0.35 / 0.4) < 1e-12);
    });

    it("is undefined when the last epoch has no gap, and respects the threshold", function () {
      const closing = [
        { epoch: 1, loss: 0.5, valLoss: 0.7 },
        { epoch: 2, loss: 0.4, valLoss: 0.42 },
      ];
      assert.equal(findGapOpening(closing), undefined);
      assert.equal(findGapOpening(closing, { gapThreshold: 0.01 })?.epoch, 1);
      assert.equal(findGapOpening([{ epoch: 1, loss: 0.5 }]), undefined, "no validation loss, no gap");
      assert.throws(() => findGapOpening(closing, { gapThreshold: -1 }), /gapThreshold must be a fraction/);
    });
  });

  it("averagePrecision weights precision by each step in recall", function () {
    // Recall steps 0.5 at precision 1, then 0.5 at precision 0.5: AP = 0.75.
    assert.equal(averagePrecision([{ recall: 1, precision: 0.5 }, { recall: 0.5, precision: 1 }]), 0.75);
    assert.equal(averagePrecision([{ recall: 1, precision: 1 }]), 1);
  });

  it("areaUnderROC: 1 for a perfect classifier, 0.5 for chance", function () {
    assert.equal(areaUnderROC([{ fpr: 0, tpr: 1 }]), 1);
    assert.equal(areaUnderROC([{ fpr: 0.5, tpr: 0.5 }]), 0.5);
    // (0,0) → (0.5,1) → (1,1): a triangle of 0.25 and a rectangle of 0.5.
    assert.equal(areaUnderROC([{ fpr: 0.5, tpr: 1 }]), 0.75);
  });

  it("meanAndStd uses the sample std over the runs that reached each x", function () {
    const points = meanAndStd([[1, 2, 3], [3, 4]], 1);
    assert.deepEqual(points[0], { x: 1, mean: 2, std: Math.SQRT2, runs: 2 });
    assert.deepEqual(points[2], { x: 3, mean: 3, std: 0, runs: 1 });
  });

  it("describeDistribution counts zeros and non-finite values apart", function () {
    const stats = describeDistribution(new Float32Array([0, 0, 2, 2, NaN, Infinity]));
    assert.deepEqual(stats, { count: 4, mean: 1, std: 1, min: 0, max: 2, zeroFraction: 0.5, nonFinite: 2 });
  });

  it("summarizeConfusion: accuracy and the commonest mistake", function () {
    const summary = summarizeConfusion([[5, 1, 0], [3, 6, 1], [0, 0, 4]], ["a", "b", "c"]);
    assert.equal(summary.total, 20);
    assert.equal(summary.correct, 15);
    assert.equal(summary.accuracy, 0.75);
    assert.deepEqual(summary.worst, { actual: "b", predicted: "a", count: 3 });
  });
});
