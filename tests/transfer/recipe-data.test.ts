/**
 * The data the pretraining recipes make (pretrained/recipe-data.ts):
 * quarterTurns turns each image by the quarter turns its label says and
 * keeps the splits; combined puts two datasets' images and classes side by
 * side.
 */
import assert from "node:assert/strict";
import { Dataset, MemoryPixelStore } from "../../lib/data";
import { combined, QUARTER_TURNS, quarterTurns } from "../../pretrained/recipe-data";

/** Three 3×3 images whose pixels are all different, so a turn is easy to see: 1..9, 11..19, 21..29. */
function tiny(name: string, classNames: string[]): Dataset {
  const pixels = Uint8Array.from({ length: 27 }, (_, i) => 10 * Math.floor(i / 9) + (i % 9) + 1);
  const splits = { train: Int32Array.from([0, 1]), test: Int32Array.from([2]) };
  return new Dataset({ name, shape: [3, 3, 1], classNames, pixels: new MemoryPixelStore(pixels, 9), labels: Int32Array.from([0, 1, 0]), splits });
}

/** The image turned clockwise by `turns` quarter turns, written out by hand for a 3×3 image. */
const TURNED: Record<number, number[]> = {
  0: [1, 2, 3, 4, 5, 6, 7, 8, 9],
  1: [7, 4, 1, 8, 5, 2, 9, 6, 3],
  2: [9, 8, 7, 6, 5, 4, 3, 2, 1],
  3: [3, 6, 9, 2, 5, 8, 1, 4, 7],
};

describe("transfer: the recipes' pretraining data", () => {
  it("quarterTurns turns every image by the quarter turns of its label, and keeps the splits", async () => {
    const data = tiny("tiny", ["a", "b"]);
    const turned = await quarterTurns(data, { seed: 3, name: "tiny turned" });
    assert.deepEqual(turned.classNames, [...QUARTER_TURNS]);
    assert.deepEqual(Array.from(turned.indices("train")), [0, 1]);
    assert.deepEqual(Array.from(turned.indices("test")), [2]);
    assert.equal(new Set(turned.labels).size, 3, "seed 3 turns the three images three different ways, so the check below sees three turns");
    const images = await turned.readImages([0, 1, 2]);
    for (let i = 0; i < 3; i++) {
      const label = turned.labels[i];
      assert.ok(label >= 0 && label < 4);
      assert.deepEqual(Array.from(images.subarray(9 * i, 9 * i + 9)), TURNED[label].map((v) => v + 10 * i), `image ${i}, ${QUARTER_TURNS[label]}`);
    }
    const labelsOf = async (seed: number) => Array.from((await quarterTurns(tiny("many", ["a", "b"]), { seed, name: "t" })).labels);
    assert.deepEqual(await labelsOf(3), Array.from(turned.labels), "the same seed turns the same way");
  });

  it("combined holds both datasets' images, classes and splits", async () => {
    const both = await combined(tiny("clothes", ["shirt", "shoe"]), tiny("digits", ["0", "1"]), "clothes and digits");
    assert.deepEqual(both.classNames, ["shirt", "shoe", "0", "1"]);
    assert.deepEqual(Array.from(both.labels), [0, 1, 0, 2, 3, 2]);
    assert.deepEqual(Array.from(both.indices("train")), [0, 1, 3, 4]);
    assert.deepEqual(Array.from(both.indices("test")), [2, 5]);
    assert.deepEqual(Array.from(await both.readImages([4])), [11, 12, 13, 14, 15, 16, 17, 18, 19]);
    await assert.rejects(combined(tiny("a", ["x", "y"]), tiny("b", ["x", "y"]).derive({ shape: [9, 1, 1] }), "bad"), /needs images of one shape/);
  });
});
