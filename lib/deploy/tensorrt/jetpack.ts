/**
 * JetPack releases, the TensorRT each one ships, and what each Jetson module's
 * GPU can do. Sources:
 * - TensorRT per JetPack: NVIDIA's JetPack release notes and archive pages
 *   (https://developer.nvidia.com/embedded/jetpack-archive);
 * - FP16 and INT8 per GPU: TensorRT's support matrix, "Hardware and
 *   precision" (e.g. https://docs.nvidia.com/deeplearning/tensorrt/archives/tensorrt-825/support-matrix/index.html),
 *   by compute capability: 5.3 (Maxwell) and 6.2 (Pascal, Jetson TX2) have fast
 *   FP16 but no INT8; 7.2 (Xavier) and 8.7 (Orin) have both, on Tensor Cores.
 *   jetson-inference asks TensorRT the same question at run time
 *   (c/tensorNet.cpp, DetectNativePrecisions: platformHasFastFp16/Int8).
 * - Highest opset and supported operators: onnx-tensorrt's docs/operators.md for
 *   that TensorRT version (onnx-operators.ts, generated from it).
 */
import { DISPLAY, MimeBundle } from "../../display";
import { htmlTable, textTable } from "../../display/html";
import { ONNX_TENSORRT_OPERATORS, OperatorTable } from "./onnx-operators";

export interface JetsonModule {
  name: string;
  /** CUDA compute capability of its GPU. */
  computeCapability: string;
  fp16: boolean;
  int8: boolean;
  /** Deep-learning accelerators (DLA) besides the GPU. */
  dla: boolean;
}

export const JETSON_MODULES: Record<string, JetsonModule> = {
  nano: { name: "Jetson Nano", computeCapability: "5.3", fp16: true, int8: false, dla: false },
  tx1: { name: "Jetson TX1", computeCapability: "5.3", fp16: true, int8: false, dla: false },
  tx2: { name: "Jetson TX2", computeCapability: "6.2", fp16: true, int8: false, dla: false },
  xavierNx: { name: "Jetson Xavier NX", computeCapability: "7.2", fp16: true, int8: true, dla: true },
  agxXavier: { name: "Jetson AGX Xavier", computeCapability: "7.2", fp16: true, int8: true, dla: true },
  orinNano: { name: "Jetson Orin Nano", computeCapability: "8.7", fp16: true, int8: true, dla: false },
  orinNx: { name: "Jetson Orin NX", computeCapability: "8.7", fp16: true, int8: true, dla: true },
  agxOrin: { name: "Jetson AGX Orin", computeCapability: "8.7", fp16: true, int8: true, dla: true },
};

export interface JetPackRelease {
  /** "4.6.1"; a learner may name it "4.6.1" or, for the last of a line, "4.6". */
  jetpack: string;
  l4t: string;
  /** TensorRT version shipped. */
  tensorrt: string;
  /** Key into ONNX_TENSORRT_OPERATORS: the parser's documented operators. */
  operatorTable: string;
  /** Modules this release supports (keys of JETSON_MODULES). */
  modules: string[];
}

const JETPACK_4 = ["nano", "tx1", "tx2", "xavierNx", "agxXavier"];
// JetPack 5.0.2 came before the Orin NX (5.1) and the Orin Nano (5.1.1).
const JETPACK_5_0 = ["xavierNx", "agxXavier", "agxOrin"];
const JETPACK_5 = ["xavierNx", "agxXavier", "orinNano", "orinNx", "agxOrin"];
const JETPACK_6 = ["orinNano", "orinNx", "agxOrin"];

/** The releases convlab can check against, oldest first. */
export const JETPACK_RELEASES: JetPackRelease[] = [
  { jetpack: "4.6", l4t: "R32.6.1", tensorrt: "8.0.1", operatorTable: "8.0", modules: JETPACK_4 },
  { jetpack: "4.6.1", l4t: "R32.7.1", tensorrt: "8.2.1", operatorTable: "8.2", modules: JETPACK_4 },
  { jetpack: "4.6.4", l4t: "R32.7.4", tensorrt: "8.2.1", operatorTable: "8.2", modules: JETPACK_4 },
  { jetpack: "5.0.2", l4t: "R35.1", tensorrt: "8.4.1", operatorTable: "8.4", modules: JETPACK_5_0 },
  { jetpack: "5.1.2", l4t: "R35.4.1", tensorrt: "8.5.2", operatorTable: "8.5", modules: JETPACK_5 },
  { jetpack: "6.0", l4t: "R36.3", tensorrt: "8.6.2", operatorTable: "8.6", modules: JETPACK_6 },
];

/** Releases a learner may name by their line: JetPack 4.6.x ships TensorRT 8.2 from 4.6.1 on. */
const ALIASES: Record<string, string> = {
  "4": "4.6.4",
  "4.6.2": "4.6.1",
  "4.6.3": "4.6.1",
  "4.6.5": "4.6.4",
  "4.6.6": "4.6.4",
  "5": "5.1.2",
  "5.1": "5.1.2",
  "5.1.1": "5.1.2",
  "5.1.3": "5.1.2",
  "5.1.4": "5.1.2",
  "5.1.5": "5.1.2",
  "6": "6.0",
};

/** The release a learner names ("4.6", "5.1", 6, "JetPack 6.0"). */
export function findJetPack(version: string | number): JetPackRelease {
  const text = String(version).trim().replace(/^jetpack\s*/i, "");
  const wanted = ALIASES[text] ?? text;
  const release = JETPACK_RELEASES.find((r) => r.jetpack === wanted);
  if (!release) {
    const later = /^6\.[1-9]/.test(text) ? ` JetPack ${text} ships TensorRT 10.3, whose operator table convlab does not have yet; "6.0" (TensorRT 8.6) is the closest it can check.` : "";
    throw new Error(
      `convlab does not know JetPack ${JSON.stringify(version)}.${later} Known releases: ${JETPACK_RELEASES.map((r) => r.jetpack).join(", ")} ` +
        `(also "4", "5", "5.1" and "6" for the latest of each line). On the Jetson, \`cat /etc/nv_tegra_release\` or \`apt show nvidia-jetpack\` tells which one it runs.`,
    );
  }
  return release;
}

export function operatorTable(release: JetPackRelease): OperatorTable {
  return ONNX_TENSORRT_OPERATORS[release.operatorTable];
}

const TABLE_HEADER = ["JetPack", "L4T", "TensorRT", "ONNX opset", "modules (fast precisions)"];

function tableRows(): string[][] {
  const precision = (key: string) => {
    const m = JETSON_MODULES[key];
    return `${m.name} (${[m.fp16 ? "FP16" : "", m.int8 ? "INT8" : ""].filter(Boolean).join(", ") || "FP32 only"})`;
  };
  return JETPACK_RELEASES.map((r) => [r.jetpack, r.l4t, r.tensorrt, `≤ ${operatorTable(r).maxOpset}`, r.modules.map(precision).join("; ")]);
}

/** Markdown table of the releases: TensorRT, opset, modules with FP16/INT8 support. */
export function jetpackMarkdownTable(): string {
  return [`| ${TABLE_HEADER.join(" | ")} |`, `| ${TABLE_HEADER.map(() => "---").join(" | ")} |`, ...tableRows().map((r) => `| ${r.join(" | ")} |`)].join("\n");
}

/** The same table as a notebook display. */
export function jetpackTable(): { [DISPLAY](): MimeBundle } {
  return {
    [DISPLAY]: () => ({ "text/plain": textTable(TABLE_HEADER, tableRows()), "text/html": htmlTable(TABLE_HEADER, tableRows()) }),
  };
}
