/**
 * IoU, non-maximum suppression, AP per class, mAP, and precision and recall
 * at IoU 0.5, against fixtures/make_detection_fixtures.py: the same formulas
 * written independently with numpy, stored as JSON so the tests need no Python.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { evaluateDetections, iou, nonMaxSuppression, type Detection } from "../../lib/detect";
import type { SceneObject } from "../../lib/data/scenes";

interface Case {
  name: string;
  note: string;
  numClasses: number;
  truth: SceneObject[][];
  detections: Detection[][];
  classes: { objects: number; detections: number; ap: number | null; truePositives: number; falsePositives: number; recallCurve: number[]; precisionCurve: number[] }[];
  mAP: number | null;
  precision: number;
  recall: number;
}

interface Fixture {
  numpy: string;
  cases: Case[];
  nms: { threshold: number; boxes: number[][]; scores: number[]; classes: number[]; kept: number[] }[];
  iou: { a: number[]; b: number[]; iou: number }[];
}

// The tests run from dist/tests/detect; the fixture stays in the source tree.
const fixture: Fixture = JSON.parse(readFileSync(resolve(__dirname, "../../../tests/detect/fixtures/detection-metrics.json"), "utf8"));
const close = (actual: number, expected: number | null, what: string) => {
  if (expected === null) assert.ok(Number.isNaN(actual), `${what}: expected NaN, got ${actual}`);
  else assert.ok(Math.abs(actual - expected) <= 1e-12, `${what}: ${actual} ≠ ${expected}`);
};
const toBox = (b: number[]) => ({ x1: b[0], y1: b[1], x2: b[2], y2: b[3] });

describe(`detection metrics against numpy ${fixture.numpy} (fixtures/make_detection_fixtures.py)`, function () {
  it("IoU of 50 box pairs", function () {
    for (const [i, c] of fixture.iou.entries()) close(iou(toBox(c.a), toBox(c.b)), c.iou, `pair ${i}`);
    assert.ok(fixture.iou.some((c) => c.iou === 0) && fixture.iou.some((c) => c.iou > 0.3), "the pairs include disjoint and overlapping boxes");
  });

  for (const c of fixture.nms) {
    it(`non-maximum suppression at IoU ${c.threshold} keeps the same boxes in the same order (ties included)`, function () {
      const detections = c.boxes.map((b, i) => ({ ...toBox(b), score: c.scores[i], classIndex: c.classes[i], id: i }));
      const kept = nonMaxSuppression(detections, { iouThreshold: c.threshold }).map((d) => d.id);
      assert.deepEqual(kept, c.kept);
      assert.ok(kept.length < detections.length, "something was suppressed");
    });
  }

  it("has the edge cases the tests rely on", function () {
    const names = fixture.cases.map((c) => c.name);
    for (const name of ["tied scores", "iou exactly 0.5", "duplicates", "best match taken", "absent and undetected classes"]) assert.ok(names.includes(name), name);
  });

  for (const c of fixture.cases) {
    it(`${c.name}: ${c.note}`, function () {
      const classNames = Array.from({ length: c.numClasses }, (_, k) => `c${k}`);
      const result = evaluateDetections(c.truth, c.detections, { classNames });
      close(result.mAP, c.mAP, "mAP");
      close(result.precision, c.precision, "precision at score 0.5");
      close(result.recall, c.recall, "recall at score 0.5");
      result.classes.forEach((got, k) => {
        const expected = c.classes[k];
        close(got.ap, expected.ap, `AP of class ${k}`);
        assert.equal(got.objects, expected.objects);
        assert.equal(got.detections, expected.detections);
        assert.equal(got.truePositives, expected.truePositives, `true positives of class ${k}`);
        assert.equal(got.falsePositives, expected.falsePositives, `false positives of class ${k}`);
        got.curve.forEach((p, i) => {
          close(p.recall, expected.recallCurve[i], `recall ${i} of class ${k}`);
          close(p.precision, expected.precisionCurve[i], `precision ${i} of class ${k}`);
        });
      });
    });
  }

  it("a perfect detector scores mAP 1 and a detector that finds nothing 0", function () {
    const truth: SceneObject[][] = [[{ x1: 0, y1: 0, x2: 10, y2: 10, classIndex: 0 }], [{ x1: 5, y1: 5, x2: 20, y2: 25, classIndex: 1 }]];
    const perfect = truth.map((list) => list.map((o) => ({ ...o, score: 0.9 })));
    assert.equal(evaluateDetections(truth, perfect, { classNames: ["a", "b"] }).mAP, 1);
    assert.equal(evaluateDetections(truth, [[], []], { classNames: ["a", "b"] }).mAP, 0);
    assert.throws(() => evaluateDetections(truth, [[]], { classNames: ["a", "b"] }), /detections of every image/);
  });
});
