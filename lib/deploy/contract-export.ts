/**
 * An exported detector or segmenter: the ONNX bytes and the contract it
 * meets (input and output names and shapes, the preprocessing the device
 * applies), shown as a short description. The classifier's export is
 * OnnxExport (export-onnx.ts); detectors and segmenters have several
 * outputs or spatial ones, so they get this sibling.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { DISPLAY, type MimeBundle } from "../display";
import { escapeHtml, htmlTable } from "../display/html";
import { describeInputContract, type InputContract } from "./input-transform";
import type { ModelProto } from "./onnx/proto";

export interface ContractOutput {
  name: string;
  shape: number[];
  meaning: string;
}

export class ContractExport {
  constructor(
    readonly kind: "detector" | "segmenter",
    readonly bytes: Uint8Array,
    readonly model: ModelProto,
    readonly inputName: string,
    readonly inputShape: number[],
    readonly outputs: ContractOutput[],
    readonly contract: InputContract,
    /** Class names in output order, background first. */
    readonly labels: string[],
    readonly layers: { name: string; className: string; ops: string[] }[],
    readonly path?: string,
  ) {}

  get sizeBytes(): number {
    return this.bytes.length;
  }

  /** The same export, written to `path` (folders are created). */
  writeTo(path: string): ContractExport {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, this.bytes);
    return new ContractExport(this.kind, this.bytes, this.model, this.inputName, this.inputShape, this.outputs, this.contract, this.labels, this.layers, path);
  }

  [DISPLAY](): MimeBundle {
    const title = `ONNX ${this.kind} export${this.path ? ` → ${this.path}` : ""}: ${(this.sizeBytes / 1024).toFixed(1)} KiB, opset ${this.model.opset_import[0].version}`;
    const io = `${this.inputName} [${this.inputShape.join(", ")}] → ${this.outputs.map((o) => `${o.name} [${o.shape.join(", ")}]`).join(", ")}`;
    const rows = this.outputs.map((o) => [o.name, `[${o.shape.join(", ")}]`, o.meaning]);
    return {
      "text/plain": `${title}\n${io}\n${describeInputContract(this.contract)}\n` + rows.map((r) => `  ${r[0]} ${r[1]}: ${r[2]}`).join("\n"),
      "text/html": `<p><b>${escapeHtml(title)}</b><br>${escapeHtml(io)}<br>${escapeHtml(describeInputContract(this.contract))}</p>` + htmlTable(["output", "shape", "meaning"], rows),
    };
  }
}
