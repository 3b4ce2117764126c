/** Bad input gets an error that says what is wrong and what to pass instead. */
import assert from "node:assert/strict";
import {
  bandChart,
  classBarChart,
  confusionMatrixChart,
  histogramChart,
  historyChart,
  imageGrid,
  learningRateChart,
  lineChart,
  parallelCoordinatesChart,
  prCurveChart,
  rocCurveChart,
  scatterChart,
} from "../../lib/charts";

describe("chart input errors", function () {
  it("historyChart", function () {
    assert.throws(() => historyChart({ loss: [1] } as never), /history must be an array/);
    assert.throws(() => historyChart([{ loss: 1 } as never]), /record 0 has no numeric "epoch"/);
  });

  it("lineChart", function () {
    assert.throws(() => lineChart([1, 2] as never), /expects an object of named series/);
    assert.throws(() => lineChart({ a: [1, "x"] as never }), /series "a" item 1/);
  });

  it("learningRateChart", function () {
    assert.throws(() => learningRateChart([{ epoch: 1, loss: 1 }]), /no learning rates found/);
  });

  it("confusionMatrixChart", function () {
    assert.throws(() => confusionMatrixChart([]), /square array of counts/);
    assert.throws(() => confusionMatrixChart([[1, 2], [3]]), /row 1 has 1 entries/);
    assert.throws(() => confusionMatrixChart([[1, -2], [3, 4]]), /matrix\[0\]\[1\] is -2/);
    assert.throws(() => confusionMatrixChart([[1, 2], [3, 4]], ["cat"]), /1 class names for a 2×2 matrix/);
    assert.throws(() => confusionMatrixChart([[1]], ["a"], { normalize: "rows" as never }), /normalize must be/);
  });

  it("prCurveChart and rocCurveChart", function () {
    assert.throws(() => prCurveChart([{ className: "cat", points: [{ recall: 2, precision: 1 }] }]), /recall and precision must be numbers in \[0, 1\]/);
    assert.throws(() => rocCurveChart([{ points: [] } as never]), /needs a className/);
  });

  it("classBarChart", function () {
    assert.throws(() => classBarChart(["a", "b"], [1]), /1 values for 2 classes/);
    assert.throws(() => classBarChart(["a"], [NaN]), /value for "a" is NaN/);
  });

  it("histogramChart", function () {
    assert.throws(() => histogramChart({ w: "weights" as never }), /"w" is string weights/);
    assert.throws(() => histogramChart([1, 2], { bins: 0 }), /bins must be a whole number/);
  });

  it("parallelCoordinatesChart", function () {
    assert.throws(() => parallelCoordinatesChart([{ lr: 0.1 }], { dimensions: ["lr", "momentum"] }), /no run has "momentum"/);
  });

  it("bandChart and scatterChart", function () {
    assert.throws(() => bandChart({ a: [1, 2] as never }), /"a" must be an array of runs/);
    assert.throws(() => scatterChart([{ a: 1, b: 2 }]), /no record has a number in "x"/);
  });

  it("imageGrid", async function () {
    await assert.rejects(imageGrid([{ pixels: new Uint8Array(10), width: 28, height: 28 }]), /10 values do not make a 28×28 image/);
    await assert.rejects(imageGrid([{ pixels: new Uint8Array(4), width: 2, height: 2 }], { columns: 0 }), /columns must be a whole number/);
  });
});
