/**
 * Deploy: trained tfjs models leave the notebook. Export to ONNX, verify
 * against tfjs with onnxruntime, quantize to FP16 and INT8, benchmark, and
 * bundle for jetson-inference and TensorRT on a Jetson.
 */
export { exportOnnx, toOnnx, OnnxExport, SUPPORTED_LAYERS } from "./exportOnnx";
export type { ExportOnnxOptions } from "./exportOnnx";
export { JETSON_INFERENCE_PREPROCESSING, LUMA_WEIGHTS, describeInputContract } from "./inputTransform";
export type { InputNormalization, DevicePreprocessing, InputContract } from "./inputTransform";
export { SUPPORTED_ACTIVATIONS } from "./activations";
export { verifyOnnx, VerifyReport } from "./verifyOnnx";
export type { VerifyOptions } from "./verifyOnnx";
export type { LabelledSamples } from "./samples";
export { OnnxRunner } from "./onnxRunner";
export type { OnnxSource, RunnerOptions } from "./onnxRunner";
export { quantizeFp16 } from "./quantizeFp16";
export type { Fp16Options } from "./quantizeFp16";
export { quantizeInt8 } from "./quantizeInt8";
export type { Int8Options } from "./quantizeInt8";
export type { CalibrationMethod, CalibrationOptions } from "./calibration";
export { OnnxModelFile } from "./quantizedModel";
export type { Precision, ActivationRange } from "./quantizedModel";
export { benchmarkInference, InferenceBenchmark } from "./benchmarkInference";
export type { BenchmarkInferenceOptions, BenchmarkRow } from "./benchmarkInference";
export { compareQuantized, QuantizationComparison } from "./compareQuantized";
export type { CompareQuantizedOptions, QuantizationRow } from "./compareQuantized";
export { jetsonBundle, JetsonBundle } from "./jetsonBundle";
export type { JetsonBundleOptions, BundleFile } from "./jetsonBundle";
