import assert from "node:assert/strict";
import { Dataset, MemoryPixelStore, computeNormalization, normalize, normalizePixels, scaleNormalization, validateNormalization } from "../../lib/data";

/** Two 2×2 RGB images in train and one in test, with known statistics. */
function tiny(): Dataset {
  const images = [
    [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110],
    [100, 110, 120, 130, 140, 150, 160, 170, 180, 190, 200, 210],
    [255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255],
  ];
  return new Dataset({
    name: "tiny",
    shape: [2, 2, 3],
    classNames: ["a", "b"],
    pixels: new MemoryPixelStore(Uint8Array.from(images.flat()), 12),
    labels: Int32Array.from([0, 1, 0]),
    splits: { train: Int32Array.from([0, 1]), test: Int32Array.from([2]) },
  });
}

function close(actual: ArrayLike<number>, expected: number[], tolerance = 1e-6): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) assert.ok(Math.abs(actual[i] - expected[i]) <= tolerance, `at ${i}: ${actual[i]} vs ${expected[i]}`);
}

describe("normalization", function () {
  it("scales to [0, 1] by default", function () {
    const out = normalizePixels(Uint8Array.from([0, 51, 255]), [1, 3, 1], scaleNormalization());
    close(out, [0, 0.2, 1]);
  });

  it("subtracts the training split's mean image (test images never count)", async function () {
    const n = await computeNormalization(tiny(), { method: "mean-image" });
    assert.deepEqual(n.meanShape, [2, 2, 3]);
    close(n.mean!, [50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 150, 160].map((v) => v / 255));
    assert.match(n.computedFrom ?? "", /train split \(2 images\)/);
    const out = normalizePixels(Uint8Array.from([50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 150, 160]), [2, 2, 3], n);
    close(out, new Array(12).fill(0));
  });

  it("subtracts the mean of each channel (DIGITS's pixel mean), with scale 1 as in DIGITS", async function () {
    const n = await computeNormalization(tiny(), { method: "mean-pixel", scale: 1 });
    // Channel 0 of train: 0, 30, 60, 90, 100, 130, 160, 190 → mean 95.
    close(n.mean!, [95, 105, 115]);
    close(normalizePixels(Uint8Array.from([95, 105, 115]), [1, 1, 3], n), [0, 0, 0]);
  });

  it("standardizes each channel to mean 0 and std 1 on the training split", async function () {
    const data = await normalize(tiny(), "standardize");
    const train = await data.readImages(data.indices("train"));
    const out = normalizePixels(train, data.shape, data.normalization);
    for (let c = 0; c < 3; c++) {
      const values = Array.from(out).filter((_, i) => i % 3 === c);
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
      assert.ok(Math.abs(mean) < 1e-6, `channel ${c} mean ${mean}`);
      assert.ok(Math.abs(std - 1) < 1e-6, `channel ${c} std ${std}`);
    }
  });

  it("is plain JSON that survives a round trip and is checked against the shape", async function () {
    const n = await computeNormalization(tiny(), { method: "standardize" });
    const back = JSON.parse(JSON.stringify(n));
    assert.deepEqual(back, n);
    validateNormalization(back, [2, 2, 3]);
    assert.throws(() => validateNormalization(back, [2, 2, 1]), /mean has 3 values, expected 1/);
    assert.throws(() => validateNormalization({ ...back, method: "zscore" as never }, [2, 2, 3]), /unknown method "zscore"/);
  });
});
