/** A quantized (or FP32) ONNX model in memory, as the quantization passes return it. */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { DISPLAY, MimeBundle } from "../display";

export type Precision = "fp32" | "fp16" | "int8";

export interface ActivationRange {
  /** Graph tensor that is quantized. */
  tensor: string;
  /** Largest |value| seen in calibration. */
  absMax: number;
  /** Clipping threshold chosen by the calibration method (scale = threshold / 127). */
  threshold: number;
}

export class OnnxModelFile {
  constructor(
    readonly bytes: Uint8Array,
    readonly precision: Precision,
    /** How INT8 activation ranges were chosen, per quantized tensor. */
    readonly activationRanges: ActivationRange[] = [],
    readonly description = "",
  ) {}

  get sizeBytes(): number {
    return this.bytes.length;
  }

  /** Writes the model to `path` (folders are created) and returns the path. */
  save(path: string): string {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, this.bytes);
    return path;
  }

  [DISPLAY](): MimeBundle {
    const text = `${this.precision.toUpperCase()} ONNX model, ${(this.sizeBytes / 1024).toFixed(1)} KiB. ${this.description}`;
    return { "text/plain": text };
  }
}
