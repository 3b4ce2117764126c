/** The numbers charts print: AP, AUC, mean ± std, distributions, confusion summary. */
import assert from "node:assert/strict";
import {
  areaUnderROC,
  averagePrecision,
  describeDistribution,
  meanAndStd,
  summarizeConfusion,
} from "../../lib/charts";

describe("chart analysis", function () {
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
