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
