/**
 * The compute backend: which one runs (tfjs-node-gpu, tfjs-node, the embedded
 * wasm backend or plain JavaScript), why, and the training kernels convlab
 * adds to the wasm backend so that CNNs train fast on a CPU.
 *
 * ```ts
 * import { useBackend, backendInfo } from "convlab";
 * await useBackend();          // CONVLAB_BACKEND or "auto"
 * backendInfo();               // a table: backend, threads, SIMD, versions, why
 * ```
 */
export { useBackend, ensureBackend, backendInfo, BackendUnavailableError } from "./select";
export type { UseBackendOptions } from "./select";
export { BackendInfo } from "./info";
export type { BackendInfoFields } from "./info";
export { planBackend, describePlan } from "./plan";
export type { BackendName, BackendChoice, BackendPlan, SkippedBackend } from "./plan";
export { registerWasmTrainingKernels, unregisterWasmTrainingKernels } from "./wasm/register";
