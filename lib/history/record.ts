/**
 * One epoch of a training run, the record every reader of a history
 * (charts, train's callbacks, the overfitting verdict) shares.
 */

/**
 * One epoch of training, as the training library records it. Any other
 * numeric metric may be present too (`valPrecision`, `top5`, ...).
 */
export interface EpochRecord {
  epoch: number;
  loss?: number;
  valLoss?: number;
  accuracy?: number;
  valAccuracy?: number;
  /** Learning rate used during this epoch. */
  lr?: number;
  [metric: string]: number | undefined;
}

export function isFiniteNumber(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}
