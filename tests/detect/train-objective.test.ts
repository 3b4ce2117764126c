/**
 * train() with an objective: the detector and the segmenter learn from the
 * scenes' boxes and masks through the same loop as every classifier (solver,
 * schedule, callbacks, validation), and what cannot work is refused.
 */
import assert from "node:assert/strict";
import { useBackend } from "../../lib/backend";
import { makeScenes, type SceneSet } from "../../lib/data/scenes";
import { segmenter, singleShotDetector } from "../../lib/detect";
import { callback, train } from "../../lib/train";

describe("train() with a detector's or a segmenter's objective", function () {
  this.timeout(300000);
  let scenes: SceneSet;
  before(async () => {
    await useBackend();
    scenes = await makeScenes({ count: { train: 96, validation: 32 }, seed: 3 });
  });

  it("trains the single-shot detector: the SSD loss falls, callbacks and validation run, the notes say what was learnt", async function () {
    const detector = singleShotDetector({ classNames: scenes.classNames, seed: 1 });
    const seen: number[] = [];
    const run = await train(detector.model, scenes.dataset, {
      objective: detector.objective(scenes),
      epochs: 3,
      batchSize: 16,
      solver: "adam",
      learningRate: 0.003,
      lrPolicy: "fixed",
      randomSeed: 1,
      snapshots: false,
      live: false,
      callbacks: [callback({ onEpochEnd: (record) => void seen.push(record.epoch) })],
    });
    assert.deepEqual(seen, [1, 2, 3]);
    assert.equal(run.history.length, 3);
    for (const record of run.history) assert.ok(Number.isFinite(record.loss) && Number.isFinite(record.valLoss!), JSON.stringify(record));
    assert.ok(run.history[2].loss! < run.history[0].loss!, `loss ${run.history.map((r) => r.loss!.toFixed(2)).join(" → ")}`);
    assert.ok(run.notes.some((n) => /SSD loss/.test(n) && /accuracy/.test(n)), run.notes.join(" / "));
  });

  it("trains the segmenter on the masks; its accuracy is the share of pixels right", async function () {
    const model = segmenter({ classNames: scenes.classNames, seed: 1 });
    const run = await train(model.model, scenes.dataset, {
      objective: model.objective(scenes),
      epochs: 1,
      batchSize: 16,
      solver: "adam",
      learningRate: 0.003,
      lrPolicy: "fixed",
      randomSeed: 1,
      snapshots: false,
      live: false,
    });
    const [record] = run.history;
    assert.ok(record.valAccuracy! > 0.8 && record.valAccuracy! <= 1, `pixel accuracy ${record.valAccuracy}`);
    assert.ok(run.notes.some((n) => /share of pixels/.test(n)));
  });

  it("refuses augmentation (it would move pixels but not boxes) and objectives without their functions", async function () {
    const detector = singleShotDetector({ classNames: scenes.classNames, seed: 1 });
    await assert.rejects(train(detector.model, scenes.dataset, { objective: detector.objective(scenes), augment: { shift: 0.1 }, epochs: 1, live: false, snapshots: false }), /augment moves an image's pixels/);
    await assert.rejects(train(detector.model, scenes.dataset, { objective: { loss: () => 0 } as never, epochs: 1, live: false, snapshots: false }), /objective must have targets/);
    await assert.rejects(train(detector.model, scenes.dataset, { epochs: 1, live: false, snapshots: false }), /outputs per image/);
  });
});
