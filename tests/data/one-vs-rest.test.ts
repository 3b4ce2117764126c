import assert from "node:assert/strict";
import { oneVsRest, split } from "../../lib/data";
import { syntheticDataset } from "./helpers";

describe("oneVsRest", function () {
  const data = split(syntheticDataset(4, 25), { train: 0.6, validation: 0.2, test: 0.2, seed: 1 });

  it("relabels the chosen class as 1 and every other as 0, keeping images and splits", function () {
    const binary = oneVsRest(data, "class 2");
    assert.deepEqual(binary.classNames, ["not class 2", "class 2"]);
    assert.deepEqual(Array.from(binary.labels), Array.from(data.labels, (l) => (l === 2 ? 1 : 0)));
    for (const name of ["train", "validation", "test"] as const) assert.deepEqual(binary.indices(name), data.indices(name));
    assert.equal(binary.pixels, data.pixels);
    assert.deepEqual(binary.classCounts("test"), [15, 5]);
    assert.equal(binary.name, "synthetic: class 2 vs rest");
  });

  it("takes a class index and names of its own", function () {
    const binary = oneVsRest(data, 1, { positiveName: "one", negativeName: "other", name: "ones" });
    assert.deepEqual(binary.classNames, ["other", "one"]);
    assert.equal(binary.classCounts()[1], 25);
    assert.equal(binary.name, "ones");
  });

  it("lists the classes when the one asked for does not exist", function () {
    assert.throws(() => oneVsRest(data, "7"), /synthetic has no class "7". Its classes are: "class 0", "class 1", "class 2", "class 3"/);
    assert.throws(() => oneVsRest(data, 4), /classes 0 to 3; there is no class 4/);
    assert.throws(() => oneVsRest(data, "class 0", { negativeName: "class 0" }), /need different names/);
  });
});
