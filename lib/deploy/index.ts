/**
 * Deploy: trained tfjs models leave the notebook. Export to ONNX, verify
 * against tfjs with onnxruntime, quantize to FP16 and INT8, benchmark, and
 * bundle for jetson-inference and TensorRT on a Jetson.
 */
export { exportOnnx, toOnnx, OnnxExport, SUPPORTED_LAYERS } from "./export-onnx";
export type { ExportOnnxOptions } from "./export-onnx";
export { JETSON_INFERENCE_PREPROCESSING, LUMA_WEIGHTS, describeInputContract } from "./input-transform";
export type { InputNormalization, DevicePreprocessing, InputContract } from "./input-transform";
export { SUPPORTED_ACTIVATIONS } from "./activations";
export { verifyOnnx, VerifyReport } from "./verify-onnx";
export type { VerifyOptions } from "./verify-onnx";
export type { LabelledSamples } from "./samples";
export { OnnxRunner } from "./onnx-runner";
export type { OnnxSource, RunnerOptions } from "./onnx-runner";
export { quantizeFp16 } from "./quantize-fp16";
export type { Fp16Options } from "./quantize-fp16";
export { quantizeInt8 } from "./quantize-int8";
export type { Int8Options } from "./quantize-int8";
export type { CalibrationMethod, CalibrationOptions } from "./calibration";
export { OnnxModelFile } from "./quantized-model";
export type { Precision, ActivationRange } from "./quantized-model";
export { benchmarkInference, InferenceBenchmark } from "./benchmark-inference";
export type { BenchmarkInferenceOptions, BenchmarkRow } from "./benchmark-inference";
export { compareQuantized, QuantizationComparison } from "./compare-quantized";
export type { CompareQuantizedOptions, QuantizationRow } from "./compare-quantized";
export { jetsonBundle, JetsonBundle } from "./jetson-bundle";
export type { JetsonBundleOptions, BundleFile } from "./jetson-bundle";
export { ContractExport } from "./contract-export";
export type { ContractOutput } from "./contract-export";
export { toDetectorOnnx, toSegmenterOnnx } from "./export-contracts";
export type { ContractExportOptions } from "./export-contracts";
export { verifyDetectorOnnx, verifySegmenterOnnx, ContractVerifyReport } from "./verify-contracts";
export type { Frames, VerifyContractOptions } from "./verify-contracts";
export { ContractBundle } from "./contract-bundle";
export type { ContractBundleOptions } from "./contract-bundle";
export { checkJetsonBundle, BundleCheck } from "./check-jetson-bundle";
export type { CheckJetsonBundleOptions, BundleFinding, FindingKind } from "./check-jetson-bundle";
export { rehearseOnDevice, Rehearsal } from "./rehearse";
export type { RehearseOptions, RehearsalRow, NamedRgbImage } from "./rehearse";
export { JETPACK_RELEASES, JETSON_MODULES, findJetPack, jetpackMarkdownTable, jetpackTable } from "./tensorrt/jetpack";
export type { JetPackRelease, JetsonModule } from "./tensorrt/jetpack";
export { ONNX_TENSORRT_OPERATORS } from "./tensorrt/onnx-operators";
export type { OperatorTable } from "./tensorrt/onnx-operators";
export {
  DETECTNET_PREPROCESSING,
  IMAGENET_PREPROCESSING,
  SEGNET_PREPROCESSING,
  tensorNormMeanRGB,
  resampleLikeJetson,
  grayToRgb,
} from "./jetson-inference/preprocess";
export type { RgbImage as JetsonRgbImage } from "./jetson-inference/preprocess";
export { loadImageLikeJetson } from "./jetson-inference/load-image";
export { DETECTNET_DEFAULT_THRESHOLD, DETECTNET_DEFAULT_CLUSTERING, DETECTNET_BLOBS, detectnetDetect, detectnetLines } from "./jetson-inference/detectnet";
export type { Detection as JetsonDetection, DetectnetOptions } from "./jetson-inference/detectnet";
export { SEGNET_BLOBS, segnetClassify, colorsTxt } from "./jetson-inference/segnet";
export { detectnetCommand, segnetCommand } from "./jetson-inference/commands";
export { compareOptimizationLevels, OptimizationComparison, OPTIMIZATION_LEVELS, diffGraphs, describeChanges } from "./optimize-graph";
export type { OptimizationLevel, CompareOptimizationOptions, LevelResult, RewrittenNode } from "./optimize-graph";
export { measureBatchSizes, BatchSweep } from "./batch-sweep";
export type { BatchSweepOptions, BatchPoint } from "./batch-sweep";
export { inspectCalibration, CalibrationInspection, calibrationSizeSweep, CalibrationSizeSweep } from "./calibration-report";
export type { TensorCalibration, CalibrationSizeRow } from "./calibration-report";
export { quantizationErrorByLayer, LayerErrors } from "./layer-error";
export type { LayerErrorRow } from "./layer-error";
export { planMemory, MemoryPlan } from "./memory-plan";
export type { TensorLife } from "./memory-plan";
export { measureStreams, StreamsComparison } from "./streams";
export type { StreamConfiguration, StreamsOptions, StreamsRow } from "./streams";
export { tuneSession, SessionTuning } from "./tune-session";
export type { TuningCandidate, TuneSessionOptions, TuningRow } from "./tune-session";
