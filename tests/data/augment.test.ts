import assert from "node:assert/strict";
import { AugmentOptions, augmentImages, isIdentityAugmentation } from "../../lib/data";

function gradient(count: number, h = 8, w = 8, c = 3): Uint8Array {
  const out = new Uint8Array(count * h * w * c);
  for (let i = 0; i < out.length; i++) out[i] = (i * 37 + (i >> 5)) % 256;
  return out;
}

const EVERYTHING: AugmentOptions = { invert: 0.5, flipHorizontal: true, shift: 0.1, rotate: 15, scale: 0.1, noise: 8, brightness: 0.2, contrast: 0.2 };

describe("augmentation", function () {
  it("gives the same bytes for the same seed, and different bytes for another seed", function () {
    const a = augmentImages(gradient(4), [8, 8, 3], EVERYTHING, 42, [0, 1, 2, 3]);
    const b = augmentImages(gradient(4), [8, 8, 3], EVERYTHING, 42, [0, 1, 2, 3]);
    const c = augmentImages(gradient(4), [8, 8, 3], EVERYTHING, 43, [0, 1, 2, 3]);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
  });

  it("treats an image the same whatever batch it is in (seeded by its id)", function () {
    const size = 8 * 8 * 3;
    const images = gradient(3);
    const together = augmentImages(images.slice(), [8, 8, 3], EVERYTHING, 7, [10, 11, 12]);
    const alone = augmentImages(images.slice(size, 2 * size), [8, 8, 3], EVERYTHING, 7, [11]);
    assert.deepEqual(together.subarray(size, 2 * size), alone);
  });

  it("inverts every image with invert: true", function () {
    const image = gradient(1);
    const out = augmentImages(image.slice(), [8, 8, 3], { invert: true }, 0, [0]);
    assert.deepEqual(Array.from(out), Array.from(image, (v) => 255 - v));
  });

  it("flips exactly left-right with probability 1", function () {
    const [h, w, c] = [2, 3, 1];
    const image = Uint8Array.from([1, 2, 3, 4, 5, 6]);
    const out = augmentImages(image.slice(), [h, w, c], { flipHorizontal: 1 }, 0, [0]);
    assert.deepEqual(Array.from(out), [3, 2, 1, 6, 5, 4]);
  });

  it("shifts by whole pixels with constant fill", function () {
    // A 1-pixel-wide vertical line at x = 2 in a 5×5 image; shift 0.2 moves up to ±1 pixel.
    const image = new Uint8Array(25);
    for (let y = 0; y < 5; y++) image[y * 5 + 2] = 200;
    let moved = 0;
    for (let seed = 0; seed < 20; seed++) {
      const out = augmentImages(image.slice(), [5, 5, 1], { shift: 0.2, fill: "constant" }, seed, [0]);
      // Brightness is conserved up to interpolation and the border, so some column still carries the line.
      const columns = [0, 1, 2, 3, 4].map((x) => out[2 * 5 + x]);
      assert.ok(Math.max(...columns) > 90, `seed ${seed}: ${columns}`);
      if (columns[2] < 200) moved++;
    }
    assert.ok(moved > 10, `only ${moved} of 20 seeds moved the line`);
  });

  it("changes nothing with empty options, and rejects unknown or out-of-range options", function () {
    assert.ok(isIdentityAugmentation({}));
    assert.ok(isIdentityAugmentation({ rotate: 0, invert: false }));
    assert.ok(!isIdentityAugmentation({ noise: 1 }));
    const image = gradient(1);
    assert.deepEqual(augmentImages(image.slice(), [8, 8, 3], {}, 5, [0]), image);
    assert.throws(() => augmentImages(gradient(1), [8, 8, 3], { rotation: 10 } as AugmentOptions, 0, [0]), /Unknown augmentation option "rotation"/);
    assert.throws(() => augmentImages(gradient(1), [8, 8, 3], { rotate: 400 }, 0, [0]), /rotate must be a number from 0 to 180 degrees/);
    assert.throws(() => augmentImages(gradient(1), [8, 8, 3], { invert: 2 }, 0, [0]), /invert must be true, false or a probability/);
  });

  it("keeps the mean level under brightness 0 and contrast changes (about the image mean)", function () {
    // Mid-range values, so that clamping at 0 and 255 does not move the mean.
    const image = Uint8Array.from({ length: 64 }, (_, i) => 96 + ((i * 37) % 64));
    const out = augmentImages(image.slice(), [8, 8, 1], { contrast: 0.5 }, 3, [0]);
    const mean = (a: Uint8Array) => a.reduce((s, v) => s + v, 0) / a.length;
    assert.ok(Math.abs(mean(out) - mean(image)) < 3, `${mean(out)} vs ${mean(image)}`);
  });
});
