/**
 * SSD's training objective (Liu et al., 2016; pytorch-ssd's MultiboxLoss):
 *
 * - classification: softmax cross-entropy of every positive anchor, and of
 *   the hardest negatives only, three per positive in each image (hard
 *   negative mining: without it the thousands of easy background anchors
 *   would drown the few that hold an object);
 * - localisation: smooth L1 between the predicted and the target offsets of
 *   positive anchors;
 * both summed and divided by the number of positives.
 *
 * The network's output is [batch, rows, columns, A × (classes + 1 + 4)]:
 * for each anchor, the class scores (background first) then four offsets.
 * The targets, per anchor: [class, tx, ty, tw, th, positive, best, far]
 * (see matchAnchors).
 */
import * as tf from "@tensorflow/tfjs";

/** Values per anchor in the target tensor. */
export const TARGET_WIDTH = 8;
/** Negatives kept per positive by hard negative mining (SSD's 3:1). */
export const NEGATIVES_PER_POSITIVE = 3;

/** [batch, N, classes + 5] from the head's map. */
export function anchorRows(output: tf.Tensor, anchors: number, values: number): tf.Tensor3D {
  return tf.reshape(output, [output.shape[0]!, anchors, values]) as tf.Tensor3D;
}

/**
 * 1 for the negatives whose loss ranks among the `NEGATIVES_PER_POSITIVE ×
 * positives` highest of their image. A mask: no gradient flows through it.
 */
const hardNegatives = tf.customGrad(((losses: tf.Tensor, positive: tf.Tensor) => {
  const value = tf.tidy(() => {
    // Positives rank last among the candidates.
    const candidates = tf.where(tf.greater(positive, 0), tf.fill(losses.shape, -1), losses);
    // rank[n] = how many anchors of the image have a higher loss than anchor n.
    const rank = tf.sum(tf.cast(tf.greater(tf.expandDims(candidates, 1), tf.expandDims(candidates, 2)), "float32"), 2);
    const wanted = tf.maximum(tf.mul(tf.sum(positive, 1, true), NEGATIVES_PER_POSITIVE), NEGATIVES_PER_POSITIVE);
    return tf.cast(tf.logicalAnd(tf.less(rank, wanted), tf.equal(positive, 0)), "float32");
  });
  return { value, gradFunc: () => [tf.zerosLike(losses), tf.zerosLike(positive)] };
}) as never) as (losses: tf.Tensor, positive: tf.Tensor) => tf.Tensor;

function column(targets: tf.Tensor3D, index: number, size = 1): tf.Tensor {
  const part = tf.slice(targets, [0, 0, index], [-1, -1, size]);
  return size === 1 ? tf.squeeze(part, [2]) : part;
}

/** The mean SSD loss of a batch. */
export function ssdLoss(output: tf.Tensor, targets: tf.Tensor, anchors: number, numClasses: number): tf.Scalar {
  return tf.tidy(() => {
    const rows = anchorRows(output, anchors, numClasses + 5);
    const t = targets as tf.Tensor3D;
    const logits = tf.slice(rows, [0, 0, 0], [-1, -1, numClasses + 1]);
    const offsets = tf.slice(rows, [0, 0, numClasses + 1], [-1, -1, 4]);
    const classes = tf.cast(column(t, 0), "int32");
    const positive = column(t, 5);
    const losses = tf.losses.softmaxCrossEntropy(tf.oneHot(classes, numClasses + 1), logits, undefined, 0, tf.Reduction.NONE);
    const chosen = tf.add(positive, hardNegatives(losses, positive));
    const positives = tf.maximum(tf.sum(positive), 1);
    const classLoss = tf.div(tf.sum(tf.mul(losses, chosen)), positives);
    const difference = tf.abs(tf.sub(offsets, column(t, 1, 4)));
    // Smooth L1 (Huber with δ = 1): ½d² below 1, d − ½ beyond; written with minimum, which has a gradient (comparisons have none).
    const near = tf.minimum(difference, 1);
    const smoothL1 = tf.add(tf.mul(0.5, tf.square(near)), tf.sub(difference, near));
    const boxLoss = tf.div(tf.sum(tf.mul(tf.sum(smoothL1, 2), positive)), positives);
    return tf.add(classLoss, boxLoss) as tf.Scalar;
  });
}

/**
 * How many images of the batch the detector gets entirely right: every
 * object's best anchor says its class, and no anchor far from every object
 * says anything but background. This is the "accuracy" train() draws.
 */
export function ssdCorrect(output: tf.Tensor, targets: tf.Tensor, anchors: number, numClasses: number): tf.Scalar {
  return tf.tidy(() => {
    const rows = anchorRows(output, anchors, numClasses + 5);
    const t = targets as tf.Tensor3D;
    const predicted = tf.argMax(tf.slice(rows, [0, 0, 0], [-1, -1, numClasses + 1]), 2);
    const classes = tf.cast(column(t, 0), "int32");
    const rightClass = tf.equal(predicted, classes);
    const saysBackground = tf.equal(predicted, 0);
    const best = tf.greater(column(t, 6), 0);
    const far = tf.greater(column(t, 7), 0);
    const ok = tf.logicalAnd(tf.logicalOr(tf.logicalNot(best), rightClass), tf.logicalOr(tf.logicalNot(far), saysBackground));
    return tf.sum(tf.min(tf.cast(ok, "float32"), 1)) as tf.Scalar;
  });
}
