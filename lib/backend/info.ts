/**
 * `backendInfo()`'s result: what computes, and why not something faster.
 * Shows as a table in a notebook and as lines of text elsewhere.
 */
import { DISPLAY, MimeBundle } from "../display";
import { keyValueTable, rawHtml, textWithCode } from "../display/html";
import type { BackendChoice, BackendName, SkippedBackend } from "./plan";

export interface BackendInfoFields {
  /** convlab's name for the backend in use (null: none started). */
  backend: BackendName | null;
  /** tfjs's name for it ("tensorflow" for gpu and node). */
  tfjsBackend: string | null;
  /** What was asked for (null when the backend was started outside convlab). */
  requested: BackendChoice | null;
  /** Why this backend. */
  reason: string;
  /** Faster backends passed over, and why. */
  skipped: SkippedBackend[];
  /** Threads of convlab's kernels and XNNPACK (wasm only). */
  threads: number | null;
  /** Where the thread count came from (wasm only), e.g. "the default: 2 CPUs". */
  threadsReason?: string;
  /** WebAssembly SIMD in use (wasm only). */
  simd: boolean | null;
  /** convlab's kernels registered for training on wasm. */
  trainingKernels: string[];
  /** Package versions. */
  versions: Record<string, string>;
}


export class BackendInfo implements BackendInfoFields {
  readonly backend!: BackendName | null;
  readonly tfjsBackend!: string | null;
  readonly requested!: BackendChoice | null;
  readonly reason!: string;
  readonly skipped!: SkippedBackend[];
  readonly threads!: number | null;
  readonly threadsReason?: string;
  readonly simd!: boolean | null;
  readonly trainingKernels!: string[];
  readonly versions!: Record<string, string>;

  constructor(fields: BackendInfoFields) {
    Object.assign(this, fields);
  }

  /** Label → value rows, shared by the text and HTML forms. */
  rows(): [string, string][] {
    const rows: [string, string][] = [
      ["backend", this.backend ? `${this.backend} (tfjs "${this.tfjsBackend}")` : "none started"],
      ["why", this.reason],
    ];
    if (this.requested) rows.push(["asked for", this.requested]);
    if (this.threads != null) rows.push(["threads", this.threadsReason ? `${this.threads} (${this.threadsReason})` : String(this.threads)]);
    if (this.simd != null) rows.push(["SIMD", this.simd ? "yes" : "no"]);
    if (this.trainingKernels.length > 0) rows.push(["training kernels", this.trainingKernels.join(", ")]);
    for (const s of this.skipped) rows.push([`not ${s.backend}`, s.reason]);
    rows.push(["versions", Object.entries(this.versions).map(([k, v]) => `${k} ${v}`).join(", ")]);
    return rows;
  }

  toString(): string {
    const rows = this.rows();
    const width = Math.max(...rows.map(([label]) => label.length));
    return rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join("\n");
  }

  [DISPLAY](): MimeBundle {
    return {
      "text/html": keyValueTable(
        this.rows().map(([label, value]) => [label, rawHtml(textWithCode(value))]),
        "convlab-backend-info",
      ),
      "text/plain": this.toString(),
    };
  }
}
