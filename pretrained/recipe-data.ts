/**
 * Data made for pretraining from the datasets that ship, with no label of
 * a transfer task's target classes in it:
 *
 * - `quarterTurns`: every image turned by a quarter turn chosen at random,
 *   labelled by the turn (a self-supervised task: a network that tells which
 *   way up a garment is must learn what garments look like, and no class
 *   label is used at all);
 * - `combined`: two datasets of the same image shape as one, their classes
 *   side by side (clothes and digits: more varied classes to learn from).
 */
import { createRandom, Dataset, MemoryPixelStore, SPLIT_NAMES, type SplitName } from "../lib/data";

export const QUARTER_TURNS = ["upright", "a quarter turn", "half a turn", "three quarter turns"] as const;

/** Turns a square image (height × width × channels bytes) clockwise by `turns` quarter turns, into `out`. */
function turnImage(image: Uint8Array, size: number, channels: number, turns: number, out: Uint8Array): void {
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      // Where the pixel at (y, x) goes after one, two or three clockwise quarter turns.
      const [ty, tx] = turns === 1 ? [x, size - 1 - y] : turns === 2 ? [size - 1 - y, size - 1 - x] : turns === 3 ? [size - 1 - x, y] : [y, x];
      for (let c = 0; c < channels; c++) out[(ty * size + tx) * channels + c] = image[(y * size + x) * channels + c];
    }
  }
}

/** Every image of `dataset` turned by 0-3 quarter turns (seeded), labelled by the turn; same splits, class labels dropped. */
export async function quarterTurns(dataset: Dataset, options: { seed: number; name: string }): Promise<Dataset> {
  const [height, width, channels] = dataset.shape;
  if (height !== width) throw new Error(`quarterTurns needs square images; ${dataset.name}'s are ${height}×${width}.`);
  const store = dataset.pixels;
  const pixels = await store.read(Int32Array.from({ length: store.count }, (_, i) => i));
  const turned = new Uint8Array(pixels.length);
  const labels = new Int32Array(store.count);
  const random = createRandom(options.seed);
  for (let i = 0; i < store.count; i++) {
    labels[i] = random.int(4);
    const at = i * store.imageBytes;
    turnImage(pixels.subarray(at, at + store.imageBytes), height, channels, labels[i], turned.subarray(at, at + store.imageBytes));
  }
  return dataset.derive({ name: options.name, classNames: [...QUARTER_TURNS], labels, pixels: new MemoryPixelStore(turned, store.imageBytes) });
}

/** `a` and `b` as one dataset: a's images and classes, then b's; each split is a's split and b's. */
export async function combined(a: Dataset, b: Dataset, name: string): Promise<Dataset> {
  if (a.shape.join("×") !== b.shape.join("×")) throw new Error(`combined needs images of one shape; ${a.name}'s are ${a.shape.join("×")}, ${b.name}'s ${b.shape.join("×")}.`);
  const all = (d: Dataset) => Int32Array.from({ length: d.pixels.count }, (_, i) => i);
  const [pa, pb] = [await a.pixels.read(all(a)), await b.pixels.read(all(b))];
  const pixels = new Uint8Array(pa.length + pb.length);
  pixels.set(pa);
  pixels.set(pb, pa.length);
  const offset = a.pixels.count;
  const labels = Int32Array.from([...a.labels, ...Array.from(b.labels, (l) => l + a.numClasses)]);
  const splits = Object.fromEntries(SPLIT_NAMES.map((s: SplitName) => [s, Int32Array.from([...a.indices(s), ...Array.from(b.indices(s), (i) => i + offset)])]));
  return new Dataset({ name, shape: a.shape, classNames: [...a.classNames, ...b.classNames], pixels: new MemoryPixelStore(pixels, a.pixels.imageBytes), labels, splits, normalization: a.normalization });
}
