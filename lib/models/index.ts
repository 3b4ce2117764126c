/**
 * Models: DIGITS's LeNet, a small AlexNet-style net and an MLP baseline; a
 * typed layer list for custom nets; summary(model). Every model is a plain
 * tfjs Layers model with seeded initial weights, and kernels initialized to
 * zeros are refused with the reason.
 */
export { lenet, type LeNetOptions } from "./lenet";
export {
  checkNumClasses,
  DEFAULT_INPUT_SHAPE,
  DEFAULT_NUM_CLASSES,
  type ClassifierOptions,
} from "./classifier-options";
export { smallAlexNet, type SmallAlexNetOptions } from "./alexnet";
export { smallVgg, type SmallVggOptions } from "./vgg";
export { mlp, type MlpOptions } from "./mlp";
export { hogFeatures, HogFeatures, type HogOptions } from "./shallow/hog";
export { hogClassifier, type HogClassifierOptions } from "./shallow/hog-classifier";
export { sequential, type SequentialOptions, type LayerItem } from "./sequential";
export {
  conv,
  dense,
  maxPool,
  avgPool,
  globalAvgPool,
  flatten,
  dropout,
  batchNorm,
  activation,
  relu,
  softmax,
  rescale,
  type LayerSpec,
  type LayerKind,
  type ActivationName,
  type ConvOptions,
  type DenseOptions,
  type PoolOptions,
  type BatchNormOptions,
} from "./layers";
export { summary, ModelSummary, type LayerRow } from "./summary";
export { modelInfo, type ModelInfo } from "./model-info";
export {
  ZeroInitializationError,
  checkKernelsNotConstant,
  checkLayerInitializers,
  INITIALIZER_NAMES,
  type InitializerName,
} from "./initializers";
