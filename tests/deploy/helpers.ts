/** Shared checks for the deploy tests: run an export in onnxruntime next to tfjs. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import * as ort from "onnxruntime-node";
import { ExportOnnxOptions, OnnxExport, toOnnx } from "../../lib/deploy";

export interface RoundTrip {
  exported: OnnxExport;
  maxAbsDiff: number;
  tfjs: Float32Array;
  onnx: Float32Array;
}

/** Exports `model`, runs both on `x` (NHWC model input) and returns the largest output difference. */
export async function roundTrip(model: tf.LayersModel, x: tf.Tensor4D, options: ExportOnnxOptions = {}): Promise<RoundTrip> {
  const exported = toOnnx(model, { dynamicBatch: true, ...options });
  keepForChecker(exported);
  const session = await ort.InferenceSession.create(exported.bytes);
  const nchw = tf.tidy(() => tf.transpose(x, [0, 3, 1, 2]).dataSync() as Float32Array);
  const result = await session.run({ [exported.inputName]: new ort.Tensor("float32", Float32Array.from(nchw), [x.shape[0], x.shape[3], x.shape[1], x.shape[2]]) });
  const onnx = result[exported.outputName].data as Float32Array;
  let tfjs = tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync() as Float32Array);
  if (exported.appendedSoftmax) tfjs = tf.tidy(() => tf.softmax(tf.tensor(tfjs, [x.shape[0], tfjs.length / x.shape[0]])).dataSync() as Float32Array);
  await session.release();
  let maxAbsDiff = 0;
  if (onnx.length !== tfjs.length) throw new Error(`output sizes differ: onnx ${onnx.length}, tfjs ${tfjs.length}`);
  for (let i = 0; i < onnx.length; i++) {
    const d = Math.abs(onnx[i] - tfjs[i]);
    if (!(d <= maxAbsDiff)) maxAbsDiff = d;
  }
  return { exported, maxAbsDiff, tfjs: Float32Array.from(tfjs), onnx: Float32Array.from(onnx) };
}

// Every file exported in the tests is checked by onnx.checker at the end.
const checkerDir = mkdtempSync(join(tmpdir(), "convlab-deploy-onnx-"));
process.on("exit", () => rmSync(checkerDir, { recursive: true, force: true }));
const exportedFiles: string[] = [];

export function keepForChecker(exported: OnnxExport | Uint8Array, name?: string): void {
  const bytes = exported instanceof Uint8Array ? exported : exported.bytes;
  const path = join(checkerDir, `${String(exportedFiles.length).padStart(3, "0")}-${(name ?? "model").replace(/[^a-z0-9_-]/gi, "_")}.onnx`);
  writeFileSync(path, bytes);
  exportedFiles.push(path);
}

let checkedUpTo = 0;

/** Files exported since the last call. */
export function uncheckedFiles(): string[] {
  const files = exportedFiles.slice(checkedUpTo);
  checkedUpTo = exportedFiles.length;
  return files;
}

/**
 * Registers, where Debian's python3-onnx is installed (CI installs it), a
 * test that runs onnx.checker on every file exported by the tests before it.
 */
export function checkerTest(): void {
  if (!onnxCheckerAvailable()) {
    console.log("    (python3-onnx is not installed: onnx.checker test not registered)");
    return;
  }
  it("every exported file passes onnx.checker.check_model (full_check)", function () {
    this.timeout(300000);
    const files = uncheckedFiles();
    if (files.length === 0) throw new Error("no files were exported before the checker test");
    const failures = runOnnxChecker(files);
    if (failures.length) throw new Error(`onnx.checker rejected ${failures.length} of ${files.length} files:\n` + failures.map((f) => `${f.file}: ${f.error}`).join("\n"));
  });
}

export const PYTHON = "/usr/bin/python3";

/** True when Debian's python3-onnx is importable. */
export function onnxCheckerAvailable(): boolean {
  const probe = spawnSync(PYTHON, ["-c", "import onnx"], { encoding: "utf8" });
  return probe.status === 0;
}

/** Runs onnx.checker.check_model(full_check=True) on each file; returns the failures. */
export function runOnnxChecker(files: string[]): { file: string; error: string }[] {
  const script = [
    "import json, sys, onnx",
    "failures = []",
    "for path in sys.argv[1:]:",
    "    try:",
    "        onnx.checker.check_model(onnx.load(path), full_check=True)",
    "    except Exception as e:",
    "        failures.append({'file': path, 'error': str(e)[:500]})",
    "print(json.dumps(failures))",
  ].join("\n");
  const run = spawnSync(PYTHON, ["-c", script, ...files], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`onnx checker did not run: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split("\n").pop() as string);
}

export function randomInput(shape: [number, number, number, number], seed = 3): tf.Tensor4D {
  return tf.randomNormal(shape, 0, 1, "float32", seed) as tf.Tensor4D;
}
