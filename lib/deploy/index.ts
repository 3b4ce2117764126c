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
export {
  DETECTNET_PREPROCESSING,
  DETECTNET_CONFIDENCE,
  DETECTNET_CLUSTERING,
  DETECTNET_BLOBS,
  detectnetDecode,
  detectnetResample,
  deviceTensor,
  detectnetCommand,
} from "./detectnet";
export type { DetectnetDetection } from "./detectnet";
export { SEGNET_PREPROCESSING, SEGNET_BLOBS, segnetClassify, segnetCommand, colorsTxt } from "./segnet";
export { ContractBundle } from "./contract-bundle";
export type { ContractBundleOptions } from "./contract-bundle";
