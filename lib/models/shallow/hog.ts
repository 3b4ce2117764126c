/**
 * Histograms of oriented gradients (HOG), after Dalal and Triggs (2005): the
 * hand-designed image features that ruled object recognition before CNNs.
 * As a tfjs layer with no weights, so a "shallow" model is an ordinary
 * network whose features are fixed by a person and whose only learning layer
 * is the classifier on top (see hogClassifier):
 *
 * 1. gradients: centred differences [−1, 0, 1] across and down (gray levels),
 *    0 on the image's border;
 * 2. orientation histograms: each pixel votes with its gradient's magnitude
 *    for the `bins` orientations (0–180°, unsigned) nearest its own; the vote
 *    falls off smoothly, reaching 0 one bin width away (a cosine-shaped
 *    kernel, where Dalal and Triggs interpolate linearly);
 * 3. cells: the votes are averaged over square cells of `cellSize` pixels;
 * 4. blocks: each `blockSize` × `blockSize` group of neighbouring cells is
 *    normalized together (L2-Hys: scale to length 1, clip at 0.2, scale
 *    again), which makes the features indifferent to contrast and brightness.
 *
 * The output keeps the blocks' layout, [batch, blocks down, blocks across,
 * blockSize² × bins]; a Dense layer after it flattens it.
 */
import * as tf from "@tensorflow/tfjs";

export interface HogOptions {
  /** Side of a cell in pixels. Default 8 (Dalal and Triggs); 7 tiles a 28×28 image exactly. */
  cellSize?: number;
  /** Orientation bins over 0–180°. Default 9 (Dalal and Triggs). */
  bins?: number;
  /** Cells per block side. Default 2 (Dalal and Triggs). */
  blockSize?: number;
  /** Layer name. Default "hog". */
  name?: string;
}

interface HogConfig extends tf.serialization.ConfigDict {
  cellSize: number;
  bins: number;
  blockSize: number;
}

/** L2-Hys clips normalized block values at 0.2, as Dalal and Triggs do. */
const CLIP = 0.2;
const EPSILON = 1e-6;

function checkWhole(value: unknown, name: string, min: number, advice: string): number {
  if (!(typeof value === "number" && Number.isInteger(value) && value >= min)) {
    throw new Error(`hogFeatures: ${name} must be a whole number of at least ${min} (got ${String(value)}). ${advice}`);
  }
  return value;
}

/** The HOG feature layer. Use hogFeatures(options) to make one. */
export class HogFeatures extends tf.layers.Layer {
  static className = "HogFeatures";
  readonly cellSize: number;
  readonly bins: number;
  readonly blockSize: number;

  constructor(config: Partial<HogConfig> & { name?: string } = {}) {
    super({ name: config.name, trainable: false });
    this.cellSize = checkWhole(config.cellSize ?? 8, "cellSize", 2, "Cells of 4 to 8 pixels suit 28×28 images.");
    this.bins = checkWhole(config.bins ?? 9, "bins", 2, "9 bins (20° each) is the classic choice.");
    this.blockSize = checkWhole(config.blockSize ?? 2, "blockSize", 1, "2 (blocks of 2×2 cells) is the classic choice.");
  }

  /** Cells and blocks along one side of an image `size` pixels long. */
  private grid(size: number | null, side: string): { cells: number; blocks: number } {
    if (size === null) throw new Error("hogFeatures needs images of a known size: give the model an inputShape.");
    const cells = Math.floor(size / this.cellSize);
    const blocks = cells - this.blockSize + 1;
    if (blocks < 1) {
      throw new Error(
        `hogFeatures: an image ${size} pixels ${side} holds ${cells} cell${cells === 1 ? "" : "s"} of ${this.cellSize} pixels, ` +
          `too few for one block of ${this.blockSize}×${this.blockSize} cells. Use a smaller cellSize or blockSize.`,
      );
    }
    return { cells, blocks };
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    if (shape.length !== 4) throw new Error(`hogFeatures takes images [batch, height, width, channels], not shape [${shape.join(", ")}].`);
    const down = this.grid(shape[1], "high");
    const across = this.grid(shape[2], "wide");
    return [shape[0], down.blocks, across.blocks, this.blockSize * this.blockSize * this.bins];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const images = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      const [, height, width, channels] = images.shape;
      const down = this.grid(height, "high");
      const across = this.grid(width, "wide");
      const gray: tf.Tensor4D = channels === 1 ? images : images.mean(-1, true);

      // 1. Gradients, 0 on the image's border (as scikit-image does): padding with zeros would invent an edge
      // wherever the background is not black.
      const gx = tf.pad(tf.conv2d(gray, tf.tensor4d([-1, 0, 1], [1, 3, 1, 1]), 1, "valid"), [[0, 0], [0, 0], [1, 1], [0, 0]]);
      const gy = tf.pad(tf.conv2d(gray, tf.tensor4d([-1, 0, 1], [3, 1, 1, 1]), 1, "valid"), [[0, 0], [1, 1], [0, 0], [0, 0]]);
      const magnitude = tf.sqrt(tf.add(tf.add(tf.square(gx), tf.square(gy)), EPSILON * EPSILON));

      // 2. Votes. With θ the gradient's angle, m·cos 2θ and m·sin 2θ turn "180° apart" into "the same";
      // the vote for bin k (centre φ = kπ/bins) is m·(cos 2(θ − φ) − t)/(1 − t) where positive, t = cos(2π/bins).
      const cos2 = tf.div(tf.sub(tf.square(gx), tf.square(gy)), magnitude);
      const sin2 = tf.div(tf.mul(2, tf.mul(gx, gy)), magnitude);
      const doubled = Array.from({ length: this.bins }, (_, k) => (2 * Math.PI * k) / this.bins); // 2φ for each bin
      const aligned = tf.add(tf.mul(cos2, tf.tensor1d(doubled.map(Math.cos))), tf.mul(sin2, tf.tensor1d(doubled.map(Math.sin))));
      const t = Math.cos((2 * Math.PI) / this.bins);
      // The threshold uses the plain magnitude: with 2 or 3 bins t < 0, and the epsilon inside `magnitude`
      // would let every flat pixel vote in every bin.
      const plainMagnitude = tf.sqrt(tf.add(tf.square(gx), tf.square(gy)));
      const votes = tf.div(tf.relu(tf.sub(aligned, tf.mul(plainMagnitude, t))), 1 - t) as tf.Tensor4D;

      // 3. Cells (any pixels beyond the last whole cell are left out).
      const whole = down.cells * this.cellSize === height && across.cells * this.cellSize === width;
      const cropped = whole ? votes : votes.slice([0, 0, 0, 0], [-1, down.cells * this.cellSize, across.cells * this.cellSize, -1]);
      const cells = tf.avgPool(cropped, this.cellSize, this.cellSize, "valid");

      // 4. Blocks of neighbouring cells, each normalized as one vector (L2-Hys).
      const parts: tf.Tensor4D[] = [];
      for (let dy = 0; dy < this.blockSize; dy++) {
        for (let dx = 0; dx < this.blockSize; dx++) parts.push(cells.slice([0, dy, dx, 0], [-1, down.blocks, across.blocks, -1]));
      }
      const blocks = tf.concat(parts, -1);
      const unit = (v: tf.Tensor) => tf.div(v, tf.sqrt(tf.add(tf.sum(tf.square(v), -1, true), EPSILON * EPSILON)));
      return unit(tf.minimum(unit(blocks), CLIP));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), cellSize: this.cellSize, bins: this.bins, blockSize: this.blockSize };
  }
}
tf.serialization.registerClass(HogFeatures);

/** A HOG feature layer for sequential([...]): `sequential([hogFeatures({ cellSize: 7 }), dense({ units: 10 }), softmax()], ...)`. */
export function hogFeatures(options: HogOptions = {}): HogFeatures {
  const known = ["cellSize", "bins", "blockSize", "name"];
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new Error(`hogFeatures has no option "${key}". The options are: ${known.join(", ")}.`);
  }
  return new HogFeatures({ cellSize: options.cellSize, bins: options.bins, blockSize: options.blockSize, name: options.name ?? "hog" });
}
