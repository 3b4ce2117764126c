import assert from "node:assert/strict";
import { augmentedCopy, augmentImages, split } from "../../lib/data";
import { syntheticDataset } from "./helpers";

describe("augmentedCopy", function () {
  const data = split(syntheticDataset(3, 10, [6, 6, 1]), { train: 0.6, validation: 0.2, test: 0.2, seed: 1 });

  it("inverts every image, keeping labels and splits, and leaves the original alone", async function () {
    const inverted = await augmentedCopy(data, { invert: true });
    const before = await data.readImages([0, 7, 29]);
    const after = await inverted.readImages([0, 7, 29]);
    assert.deepEqual(Array.from(after), Array.from(before, (p) => 255 - p));
    assert.deepEqual(await data.readImages([0, 7, 29]), before, "the original's pixels are untouched");
    assert.equal(inverted.labels, data.labels);
    for (const name of ["train", "validation", "test"] as const) assert.deepEqual(inverted.indices(name), data.indices(name));
    assert.equal(inverted.name, "synthetic (invert)");
  });

  it("changes each image as augmentImages does with its store index, the same for the same seed", async function () {
    const options = { shift: 0.2, rotate: 30, invert: 0.5, fill: "nearest" as const };
    const a = await augmentedCopy(data, options, { seed: 4, name: "moved" });
    const b = await augmentedCopy(data, options, { seed: 4 });
    const c = await augmentedCopy(data, options, { seed: 5 });
    const all = Array.from({ length: 30 }, (_, i) => i);
    const expected = augmentImages(await data.readImages(all), data.shape, options, 4, all);
    assert.deepEqual(await a.readImages(all), expected);
    assert.deepEqual(await b.readImages(all), expected);
    assert.notDeepEqual(await c.readImages(all), expected);
    assert.equal(a.name, "moved");
    assert.match(b.name, /^synthetic \(shift 0.2, rotate 30, invert 0.5\)$/);
  });

  it("refuses unknown options and copies larger than its limit, saying what to do", async function () {
    await assert.rejects(augmentedCopy(data, { flip: true } as never), /Unknown augmentation option "flip"/);
    await assert.rejects(augmentedCopy(data, { invert: true }, { maxBytes: 100 }), /would hold .* MiB .*Augment while training instead/);
  });
});
