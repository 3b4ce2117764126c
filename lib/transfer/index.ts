/**
 * Transfer learning: the pretrained networks that ship with convlab and the
 * tools to reuse them (freezing layers, new heads, features, comparisons).
 */
export { loadPretrained, pretrainedCard, listPretrained, verifyPretrained, savePretrained, pretrainedRoot, usePretrainedRoot, PretrainedFileError } from "./pretrained";
export { ModelCard, modelCardMarkdown, type PretrainedCard, type CardFile, type CardMetric } from "./model-card";
export { freeze, unfreeze, trainableLayers, selectLayers, backboneRates, TrainableLayers, type LayerSelection } from "./freeze";
export { replaceHead, untrainedCopy, copyLayer, type ReplaceHeadOptions } from "./head";
export { featureExtractor, extractFeatures, clearFeatureCache, Features, type ExtractOptions } from "./features";
export { trainOnFeatures, FeatureClassifier, type FeatureClassifierOptions } from "./classifier";
export { modelLayers, layerIndex, headStart, type LayerRef } from "./layers";
export { compareApproaches, ApproachComparison, APPROACHES, type Approach, type ComparisonRow, type CompareApproachesOptions } from "./compare";
export { fineTune, classifyFeatures, FINE_TUNE_TRAINING, type FineTuneOptions, type FineTuneResult, type FeatureExtractionResult, type ReuseOptions } from "./fine-tune";
