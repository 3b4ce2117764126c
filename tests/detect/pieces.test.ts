/**
 * The smaller pieces of lib/detect on hand-made inputs: window counts,
 * connected-component proposals, anchors (encoding, decoding, matching),
 * the SSD loss's hard negative mining, and the segmentation IoU.
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { useBackend } from "../../lib/backend";
import {
  connectedComponentProposals,
  decodeBox,
  encodeBox,
  makeAnchors,
  matchAnchors,
  SegmentationEvaluation,
  segmentationCounts,
  slidingWindows,
  ssdLoss,
  SSD_VARIANCES,
} from "../../lib/detect";

describe("detection pieces", function () {
  before(() => useBackend());

  it("sliding windows: every position every `stride` pixels, reaching past the border by the frame's margin", function () {
    // 28-pixel windows reach 4 pixels past each edge (28 × 0.2 / 1.4): left edges −4, 0, …, 40 on a 64-pixel side.
    const windows = slidingWindows(64, 64, [28], 4);
    assert.equal(windows.length, 12 * 12);
    assert.deepEqual(windows[0], { x1: -4, y1: -4, x2: 24, y2: 24 });
    assert.deepEqual(windows.at(-1), { x1: 40, y1: 40, x2: 68, y2: 68 });
    assert.throws(() => slidingWindows(64, 64, [80]), /does not fit/);
  });

  it("connected-component proposals: one box per bright group, nearby pieces merged, specks ignored", function () {
    const width = 32;
    const pixels = new Uint8Array(32 * 32);
    const fill = (x1: number, y1: number, x2: number, y2: number) => {
      for (let y = y1; y < y2; y++) for (let x = x1; x < x2; x++) pixels[y * width + x] = 200;
    };
    fill(2, 2, 8, 10); // an object
    fill(9, 4, 12, 6); // a stroke 1 pixel away from it: the same object
    fill(20, 20, 28, 30); // another object
    fill(30, 2, 31, 3); // a one-pixel speck
    const boxes = connectedComponentProposals({ pixels, width, height: 32, channels: 1 });
    assert.deepEqual(boxes, [
      { x1: 2, y1: 2, x2: 12, y2: 10 },
      { x1: 20, y1: 20, x2: 28, y2: 30 },
    ]);
  });

  it("anchors: a grid of cells with each shape; offsets encode and decode a box exactly", function () {
    const anchors = makeAnchors({ grid: [2, 3], shapes: [[0.2, 0.2], [0.1, 0.3]], variances: SSD_VARIANCES });
    assert.equal(anchors.length, 12);
    assert.deepEqual(anchors[3], { cx: 0.5, cy: 0.25, w: 0.1, h: 0.3 }); // row 0, column 1, second shape
    const box = { x1: 0.31, y1: 0.12, x2: 0.48, y2: 0.44 };
    const back = decodeBox(encodeBox(box, anchors[3], SSD_VARIANCES), anchors[3], SSD_VARIANCES);
    for (const k of ["x1", "y1", "x2", "y2"] as const) assert.ok(Math.abs(back[k] - box[k]) < 1e-12, k);
  });

  it("matching: every object owns its best anchor, other anchors overlapping it by 0.5 join it, the rest is background", function () {
    const anchors = makeAnchors({ grid: [4, 4], shapes: [[0.25, 0.25]], variances: SSD_VARIANCES });
    const objects = [
      { x1: 0.0, y1: 0.0, x2: 0.25, y2: 0.25, classIndex: 3 }, // exactly anchor 0
      { x1: 0.6, y1: 0.55, x2: 0.8, y2: 0.95, classIndex: 1 }, // overlaps no anchor by 0.5: still gets its best one
    ];
    const t = matchAnchors(anchors, objects, SSD_VARIANCES);
    assert.equal(t.classes[0], 4);
    assert.equal(t.best[0], 1);
    assert.deepEqual(Array.from(t.offsets.slice(0, 4)), [0, 0, 0, 0]);
    const second = Array.from(t.classes).map((c, i) => (c === 2 ? i : -1)).filter((i) => i >= 0);
    assert.equal(second.length, 1);
    assert.equal(t.best[second[0]], 1);
    assert.equal(Array.from(t.classes).filter((c) => c > 0).length, 2);
    assert.equal(t.far[15], 1, "a corner anchor far from both objects is plainly background");
  });

  it("SSD loss: positives plus the 3 hardest negatives per positive; nothing else counts", function () {
    // 1 image, 8 anchors, 2 classes (+ background): anchor 0 is the positive; the loss must not change when an easy negative changes.
    const targets = tf.tensor3d([Array.from({ length: 8 }, (_, i) => (i === 0 ? [1, 0, 0, 0, 0, 1, 1, 0] : [0, 0, 0, 0, 0, 0, 0, 1]))].flat(2), [1, 8, 8]);
    const logits = (easy: number) =>
      tf.tensor3d(
        [
          [[0, 2, 0, 0, 0, 0, 0]], // positive, class 1 likely
          [[0, 3, 0, 0, 0, 0, 0]], [[0, 2, 0, 0, 0, 0, 0]], [[0, 1, 0, 0, 0, 0, 0]], // three hard negatives
          [[easy, 0, 0, 0, 0, 0, 0]], [[5, 0, 0, 0, 0, 0, 0]], [[5, 0, 0, 0, 0, 0, 0]], [[5, 0, 0, 0, 0, 0, 0]], // easy negatives
        ].flat(2),
        [1, 8, 7],
      );
    const a = ssdLoss(logits(5), targets, 8, 2).dataSync()[0];
    const b = ssdLoss(logits(4), targets, 8, 2).dataSync()[0];
    assert.ok(Math.abs(a - b) < 1e-6, `an easy negative changed the loss: ${a} vs ${b}`);
    const ce = (scores: number[], k: number) => Math.log(scores.reduce((s, v) => s + Math.exp(v), 0)) - scores[k];
    const expected = ce([0, 2, 0], 1) + ce([0, 3, 0], 0) + ce([0, 2, 0], 0) + ce([0, 1, 0], 0);
    assert.ok(Math.abs(a - expected) < 1e-5, `${a} vs ${expected}`);
  });

  it("segmentation: per-class IoU from the pixel counts, mean over the classes that occur", function () {
    const truth = [Uint8Array.from([0, 0, 1, 1, 2, 2])];
    const predicted = [Uint8Array.from([0, 1, 1, 1, 2, 0])];
    const counts = segmentationCounts(truth, predicted, 4);
    const evaluation = new SegmentationEvaluation(counts, ["background", "a", "b", "never"], 1, 0, predicted, undefined, undefined);
    const ious = evaluation.classes.map((c) => c.iou);
    assert.deepEqual(ious.slice(0, 3), [1 / 3, 2 / 3, 1 / 2]);
    assert.ok(Number.isNaN(ious[3]));
    assert.ok(Math.abs(evaluation.meanIoU - (1 / 3 + 2 / 3 + 1 / 2) / 3) < 1e-12);
    assert.equal(evaluation.pixelAccuracy, 4 / 6);
  });
});
