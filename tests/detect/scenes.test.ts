/**
 * makeScenes: the same seed gives the same scenes byte for byte; boxes are
 * the tight boxes of the masks; each split's objects come from the source's
 * split of the same name; options are checked.
 */
import assert from "node:assert/strict";
import { Dataset, MemoryPixelStore } from "../../lib/data";
import { makeScenes, MASK_THRESHOLD, type SceneSet } from "../../lib/data/scenes";

/** A tiny source: class 0 is a filled square, class 1 a bar; train holds only 0s, test only 1s. */
function toySource(): Dataset {
  const n = 20;
  const pixels = new Uint8Array(n * 28 * 28);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i < 10 ? 0 : 1;
    for (let y = 6; y < 22; y++) for (let x = labels[i] === 0 ? 6 : 12; x < (labels[i] === 0 ? 22 : 16); x++) pixels[i * 784 + y * 28 + x] = 200 + (i % 5);
  }
  return new Dataset({
    name: "toy",
    shape: [28, 28, 1],
    classNames: ["square", "bar"],
    pixels: new MemoryPixelStore(pixels, 784),
    labels,
    splits: { train: Int32Array.from({ length: 10 }, (_, i) => i), test: Int32Array.from({ length: 10 }, (_, i) => 10 + i) },
  });
}

async function allPixels(scenes: SceneSet): Promise<Uint8Array> {
  return scenes.dataset.readImages(Int32Array.from({ length: scenes.dataset.pixels.count }, (_, i) => i));
}

describe("makeScenes", function () {
  this.timeout(60000);

  it("gives the same pixels, boxes and masks for the same seed, and others for another seed", async function () {
    const options = { count: 60, seed: 3, clutter: [1, 2] as [number, number] };
    const [a, b, c] = await Promise.all([makeScenes(options), makeScenes(options), makeScenes({ ...options, seed: 4 })]);
    assert.deepEqual(await allPixels(a), await allPixels(b));
    assert.deepEqual(a.objects, b.objects);
    assert.deepEqual(a.masks, b.masks);
    assert.notDeepEqual(await allPixels(a), await allPixels(c));
    assert.equal(a.size("train"), 36);
    assert.equal(a.size("validation"), 12);
    assert.equal(a.size("test"), 12);
  });

  it("boxes are the tight boxes of each object's mask pixels; objects never touch; clutter is background", async function () {
    const scenes = await makeScenes({ count: { train: 40 }, seed: 1, objectsPerImage: [2, 3], clutter: 2 });
    const { height, width } = scenes;
    let objects = 0;
    let clutterPixels = 0;
    for (const index of scenes.indices("train")) {
      const scene = await scenes.sceneAt(index);
      const mask = scene.mask!;
      for (const o of scene.objects) {
        objects++;
        assert.ok(o.x1 >= 0 && o.y1 >= 0 && o.x2 <= width && o.y2 <= height && o.x2 > o.x1 && o.y2 > o.y1, `box ${JSON.stringify(o)} inside the scene`);
        // Every mask pixel of this object lies inside its box, and the box's four edges each touch one.
        const edges = { left: false, right: false, top: false, bottom: false };
        for (let y = 0; y < height; y++) {
          for (let x = 0; x < width; x++) {
            const inside = x >= o.x1 && x < o.x2 && y >= o.y1 && y < o.y2;
            if (!inside) continue;
            if (mask[y * width + x] === o.classIndex + 1) {
              edges.left ||= x === o.x1;
              edges.right ||= x === o.x2 - 1;
              edges.top ||= y === o.y1;
              edges.bottom ||= y === o.y2 - 1;
              assert.ok(scene.pixels[y * width + x] >= MASK_THRESHOLD);
            }
          }
        }
        assert.deepEqual(edges, { left: true, right: true, top: true, bottom: true }, `box ${JSON.stringify(o)} is tight`);
      }
      for (let i = 0; i < scene.objects.length; i++) {
        for (let j = i + 1; j < scene.objects.length; j++) {
          const [p, q] = [scene.objects[i], scene.objects[j]];
          assert.ok(p.x2 <= q.x1 || q.x2 <= p.x1 || p.y2 <= q.y1 || q.y2 <= p.y1, "objects do not overlap");
        }
      }
      // Bright pixels outside every box are clutter, and the mask calls them background.
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const inBox = scene.objects.some((o) => x >= o.x1 - 1 && x < o.x2 + 1 && y >= o.y1 - 1 && y < o.y2 + 1);
          if (!inBox && scene.pixels[y * width + x] >= MASK_THRESHOLD) {
            clutterPixels++;
            assert.equal(mask[y * width + x], 0);
          }
        }
      }
    }
    assert.ok(objects >= 80, `${objects} objects placed`);
    assert.ok(clutterPixels > 100, "the scenes hold clutter");
    assert.deepEqual(scenes.dataset.classNames.slice(0, 4), ["0 objects", "1 object", "2 objects", "3 objects"]);
  });

  it("takes each split's objects from the same split of the source", async function () {
    const scenes = await makeScenes({ source: toySource(), count: { train: 20, test: 20 }, size: 48, objectsPerImage: 1, clutter: 0, seed: 2 });
    const classesIn = (split: "train" | "test") => new Set(Array.from(scenes.indices(split)).flatMap((i) => scenes.objects[i].map((o) => o.classIndex)));
    assert.deepEqual([...classesIn("train")], [0]);
    assert.deepEqual([...classesIn("test")], [1]);
    await assert.rejects(makeScenes({ source: toySource(), count: { validation: 5 } }), /validation split, and toy has none/);
  });

  it("refuses unknown and impossible options, naming them", async function () {
    await assert.rejects(makeScenes({ count: 10, colour: true } as never), /no option "colour"/);
    await assert.rejects(makeScenes({ count: 10, scale: [1.2, 0.8] }), /scale must be/);
    await assert.rejects(makeScenes({ count: { tests: 5 } as never }), /"tests", which is not a split/);
  });
});
