import assert from "node:assert/strict";
import { split } from "../../lib/data";
import { splitOf, syntheticDataset } from "./helpers";

describe("split", function () {
  const data = syntheticDataset(4, 50);

  it("deals 60/20/20 with every image in exactly one split", function () {
    const s = split(data, { train: 0.6, validation: 0.2, test: 0.2, seed: 3 });
    assert.deepEqual([s.size("train"), s.size("validation"), s.size("test")], [120, 40, 40]);
    const all = [...splitOf(s, "train"), ...splitOf(s, "validation"), ...splitOf(s, "test")].sort((a, b) => a - b);
    assert.deepEqual(all, Array.from({ length: 200 }, (_, i) => i));
  });

  it("stratifies: each class keeps its share in every split", function () {
    const s = split(data, { train: 0.6, validation: 0.2, test: 0.2, seed: 3 });
    assert.deepEqual(s.classCounts("validation"), [10, 10, 10, 10]);
    assert.deepEqual(s.classCounts("test"), [10, 10, 10, 10]);
    assert.deepEqual(s.classCounts("train"), [30, 30, 30, 30]);
  });

  it("is deterministic for a seed and differs between seeds", function () {
    const a = split(data, { seed: 11 });
    const b = split(data, { seed: 11 });
    const c = split(data, { seed: 12 });
    assert.deepEqual(splitOf(a, "test"), splitOf(b, "test"));
    assert.notDeepEqual(splitOf(a, "test"), splitOf(c, "test"));
  });

  it("without stratify, cuts the shuffled whole", function () {
    const s = split(data, { train: 0.5, validation: 0.5, test: 0, stratify: false, seed: 1 });
    assert.equal(s.size("train"), 100);
    assert.equal(s.size("validation"), 100);
    assert.equal(s.size("test"), 0);
  });

  it("keeps a split that is not in `from`", function () {
    const first = split(data, { train: 0.8, validation: 0, test: 0.2, seed: 1 });
    const second = split(first, { from: ["train"], validation: 0.25, seed: 2 });
    assert.deepEqual(splitOf(second, "test"), splitOf(first, "test"));
    assert.equal(second.size("validation"), 40);
    assert.equal(second.size("train"), 120);
    assert.match(second.splitOrigin("validation") ?? "", /25% of each class of train \(160 images\), shuffled with seed 2/);
  });

  it("explains bad fractions", function () {
    assert.throws(() => split(data, { train: 0.7, validation: 0.2, test: 0.2 }), /add up to 1\.1.*must add up to 1/);
    assert.throws(() => split(data, { validation: 1.5 }), /validation fraction must be a number from 0 to 1/);
    const first = split(data, { train: 0.8, validation: 0, test: 0.2 });
    assert.throws(() => split(first, { from: ["train"], test: 0.1, validation: 0.1 }), /test split already holds images/);
    assert.throws(() => split(data, { seed: 1, shuffle: true } as never), /Unknown split option "shuffle"/);
  });
});
