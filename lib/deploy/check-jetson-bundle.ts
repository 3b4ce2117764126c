/**
 * checkJetsonBundle: will this folder work on a Jetson running a given
 * JetPack? The checks a device would make, made here, before the copy:
 *
 * - the files the README's commands name exist and are the ones written (checksums);
 * - every ONNX file's opset is one the JetPack's TensorRT parser reads, and every
 *   operator is in that parser's list (onnx-tensorrt's docs/operators.md);
 * - the input has fixed dimensions, 3 channels and float32, as jetson-inference feeds it;
 * - the outputs fit imagenet or detectnet, and labels.txt has one label per class
 *   as jetson-inference counts them;
 * - the README's commands use the right tensor names;
 * - INT8 and FP16 against the Jetson module, when one is named.
 *
 * Each problem is explained in a learner's words: what will happen on the
 * device, why, and what to do.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { DISPLAY, MimeBundle } from "../display";
import { escapeHtml } from "../display/html";
import { DataType, ModelProto, decodeModel } from "./onnx/proto";
import { ReadmeCommand, readmeCommands } from "./jetson-inference/commands";
import { parseLabelsLikeJetson } from "./jetson-inference/labels";
import { NetworkDescription, describeNetwork, formatDims } from "./jetson-inference/network";
import { JETPACK_RELEASES, JETSON_MODULES, JetPackRelease, JetsonModule, findJetPack, operatorTable } from "./tensorrt/jetpack";

export interface CheckJetsonBundleOptions {
  /** The JetPack on the Jetson: "4.6.1", "5.1", "6.0", or 4, 5, 6 for the latest of a line. */
  jetpack: string | number;
  /** The Jetson module ("nano", "orinNano", "Jetson AGX Xavier", …), to check precisions. Default: none. */
  module?: string;
}

export type FindingKind = "files" | "checksum" | "opset" | "operator" | "input" | "output" | "labels" | "readme" | "precision";

export interface BundleFinding {
  kind: FindingKind;
  severity: "error" | "warning";
  /** The bundle file it is about. */
  file: string;
  message: string;
}

export class BundleCheck {
  constructor(
    readonly dir: string,
    readonly release: JetPackRelease,
    readonly findings: BundleFinding[],
    /** What was checked and found fine, one line each. */
    readonly passedChecks: string[],
    readonly network: NetworkDescription | undefined,
    /** The module checked against, when one was named. */
    readonly module?: JetsonModule,
  ) {}

  /** True when nothing would stop the bundle on the device (warnings allowed). */
  get passed(): boolean {
    return this.errors.length === 0;
  }

  get errors(): BundleFinding[] {
    return this.findings.filter((f) => f.severity === "error");
  }

  get warnings(): BundleFinding[] {
    return this.findings.filter((f) => f.severity === "warning");
  }

  /** Findings of one kind. */
  about(kind: FindingKind): BundleFinding[] {
    return this.findings.filter((f) => f.kind === kind);
  }

  get verdict(): string {
    const target = `${this.module ? `a ${this.module.name} with ` : ""}JetPack ${this.release.jetpack} (TensorRT ${this.release.tensorrt})`;
    if (this.passed) return `The bundle is ready for ${target}${this.warnings.length ? `, with ${this.warnings.length} warning(s)` : ""}.`;
    return `The bundle would fail on ${target}: ${this.errors.length} problem(s) to fix${this.warnings.length ? `, and ${this.warnings.length} warning(s)` : ""}.`;
  }

  toString(): string {
    const lines = [this.verdict, ...this.findings.map((f) => `${f.severity === "error" ? "✗" : "!"} ${f.file}: ${f.message}`), ...this.passedChecks.map((c) => `✓ ${c}`)];
    return lines.join("\n");
  }

  [DISPLAY](): MimeBundle {
    const item = (mark: string, color: string, text: string) => `<li style="list-style:none"><span style="color:${color}">${mark}</span> ${text}</li>`;
    const html =
      `<p><b>${escapeHtml(this.verdict)}</b> <span style="opacity:0.7">${escapeHtml(this.dir)}</span></p><ul style="padding-left:0.5em">` +
      this.findings.map((f) => item(f.severity === "error" ? "✗" : "!", f.severity === "error" ? "#d62728" : "#b8860b", `<code>${escapeHtml(f.file)}</code>: ${escapeHtml(f.message)}`)).join("") +
      this.passedChecks.map((c) => item("✓", "#2ca02c", escapeHtml(c))).join("") +
      "</ul>";
    return { "text/plain": this.toString(), "text/html": html };
  }
}

/** Checks the bundle in `dir` against the JetPack (and module) named in `options`. */
export function checkJetsonBundle(dir: string, options: CheckJetsonBundleOptions): BundleCheck {
  if (!options || options.jetpack === undefined) {
    throw new Error('checkJetsonBundle needs the JetPack your Jetson runs, e.g. checkJetsonBundle(dir, { jetpack: "4.6.1" }). On the Jetson, `apt show nvidia-jetpack` prints it.');
  }
  const release = findJetPack(options.jetpack);
  const root = resolve(dir);
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new Error(`There is no folder ${root} to check. Pass the folder jetsonBundle wrote.`);
  const module = options.module === undefined ? undefined : findModule(options.module);
  const state = new CheckState(root, release);
  const files = readdirSync(root).filter((name) => statSync(join(root, name)).isFile());

  checkFileNames(state, files);
  checkChecksums(state);
  const readme = files.includes("README.md") ? readFileSync(join(root, "README.md"), "utf8") : undefined;
  if (!readme) state.error("files", "README.md", "There is no README.md: the bundle should say how to run it on the Jetson (jetsonBundle writes one).");
  const commands = readme ? readmeCommands(readme) : [];
  const programCommand = commands.find((c) => c.program !== "trtexec");
  const modelName = programCommand?.flags.get("model") ? basename(programCommand.flags.get("model") as string) : "model.onnx";

  let network: NetworkDescription | undefined;
  for (const name of files.filter((f) => f.endsWith(".onnx"))) {
    const model = readModel(state, name);
    if (!model) continue;
    checkOpset(state, name, model);
    checkOperators(state, name, model);
    const description = describeNetwork(model);
    checkInput(state, name, description, name === modelName);
    if (name === modelName) {
      network = description;
      checkOutputs(state, name, model, description);
    }
  }
  if (!files.includes(modelName)) {
    state.error("files", modelName, `The README runs ${modelName}, but the bundle has no such file${files.some((f) => f.endsWith(".onnx")) ? ` (it has ${files.filter((f) => f.endsWith(".onnx")).join(", ")})` : ""}.`);
  }
  const labelsName = programCommand?.flags.get("labels") ? basename(programCommand.flags.get("labels") as string) : network?.program === "segnet" ? "classes.txt" : "labels.txt";
  checkLabels(state, labelsName, files, network);
  if (network?.program === "segnet" && programCommand) checkColors(state, programCommand.flags.get("colors"), files, network.classes as number);
  if (readme) checkCommands(state, commands, files, network);
  if (module) checkModule(state, module, files, commands);
  return new BundleCheck(root, release, state.findings, state.passed, network, module);
}

class CheckState {
  readonly findings: BundleFinding[] = [];
  readonly passed: string[] = [];
  constructor(
    readonly root: string,
    readonly release: JetPackRelease,
  ) {}
  error(kind: FindingKind, file: string, message: string): void {
    this.findings.push({ kind, severity: "error", file, message });
  }
  warn(kind: FindingKind, file: string, message: string): void {
    this.findings.push({ kind, severity: "warning", file, message });
  }
  ok(text: string): void {
    this.passed.push(text);
  }
  get target(): string {
    return `JetPack ${this.release.jetpack}'s TensorRT ${this.release.tensorrt}`;
  }
}

function findModule(name: string): JetsonModule {
  const wanted = name.toLowerCase().replace(/^jetson\s*/, "").replace(/[\s_-]/g, "");
  const found = Object.entries(JETSON_MODULES).find(([key, m]) => key.toLowerCase() === wanted || m.name.toLowerCase().replace(/^jetson\s*/, "").replace(/[\s_-]/g, "") === wanted);
  if (!found) throw new Error(`Unknown Jetson module "${name}". Known: ${Object.values(JETSON_MODULES).map((m) => m.name).join(", ")}.`);
  return found[1];
}

function checkFileNames(state: CheckState, files: string[]): void {
  const awkward = files.filter((f) => /[^A-Za-z0-9._-]/.test(f));
  for (const name of awkward) {
    state.warn("files", name, "The file name has spaces or other characters a shell treats specially; the commands on the Jetson would need quotes. Rename it with letters, digits, '.', '_' and '-' only.");
  }
}

function checkChecksums(state: CheckState): void {
  const manifestPath = join(state.root, "bundle.json");
  if (!existsSync(manifestPath)) return;
  let manifest: { files?: { name: string; sha256: string }[] };
  try {
    manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
  } catch {
    state.error("files", "bundle.json", "bundle.json is not valid JSON any more; write the bundle again.");
    return;
  }
  let checked = 0;
  for (const entry of manifest.files ?? []) {
    const path = join(state.root, entry.name);
    if (!existsSync(path)) {
      state.error("files", entry.name, `${entry.name} was written with the bundle but is missing now: copy the whole folder, or write the bundle again.`);
      continue;
    }
    const sha = createHash("sha256").update(readFileSync(path)).digest("hex");
    if (sha !== entry.sha256) state.error("checksum", entry.name, `${entry.name} is not the file jetsonBundle wrote (its SHA-256 changed): it was edited or damaged in the copy. Write the bundle again, or copy it again.`);
    else checked++;
  }
  if (checked) state.ok(`${checked} file(s) match the checksums in bundle.json`);
}

function readModel(state: CheckState, name: string): ModelProto | undefined {
  try {
    return decodeModel(readFileSync(join(state.root, name)));
  } catch (error) {
    state.error("files", name, `${name} is not a readable ONNX file (${(error as Error).message}); TensorRT could not parse it either. Write the bundle again.`);
    return undefined;
  }
}

const DEFAULT_DOMAINS = new Set(["", "ai.onnx"]);

function checkOpset(state: CheckState, name: string, model: ModelProto): void {
  const table = operatorTable(state.release);
  const opset = model.opset_import.find((o) => DEFAULT_DOMAINS.has(o.domain ?? ""))?.version;
  if (opset === undefined) {
    state.error("opset", name, `${name} does not say which ONNX opset it uses; TensorRT's parser needs it. Export it again.`);
    return;
  }
  if (Number(opset) > table.maxOpset) {
    const later = JETPACK_RELEASES.find((r) => operatorTable(r).maxOpset >= Number(opset));
    state.error(
      "opset",
      name,
      `${name} uses ONNX opset ${opset}, but ${state.target} reads opsets up to ${table.maxOpset}: its ONNX parser stops before any engine is built. ` +
        `Export with \`opset: ${table.maxOpset}\` (convlab's default is 13, which every JetPack from 4.6 reads)${later ? `, or use JetPack ${later.jetpack} or later` : ""}.`,
    );
  } else {
    state.ok(`${name}: ONNX opset ${opset}, within the ${table.maxOpset} that ${state.target} reads`);
  }
}

function checkOperators(state: CheckState, name: string, model: ModelProto): void {
  const table = operatorTable(state.release);
  const byType = new Map<string, string[]>();
  for (const node of model.graph.node) {
    const key = DEFAULT_DOMAINS.has(node.domain ?? "") ? node.op_type : `${node.domain}.${node.op_type}`;
    byType.set(key, [...(byType.get(key) ?? []), node.name || node.op_type]);
  }
  const bad = [...byType.keys()].filter((op) => !(op in table.supported));
  for (const op of bad) {
    const nodes = byType.get(op) as string[];
    const later = JETPACK_RELEASES.find((r) => r !== state.release && op in operatorTable(r).supported && JETPACK_RELEASES.indexOf(r) > JETPACK_RELEASES.indexOf(state.release));
    const where = op.includes(".")
      ? `it comes from the "${op.split(".").slice(0, -1).join(".")}" domain, which only onnxruntime knows (a graph optimised for this computer, not a portable export)`
      : `onnx-tensorrt's operator list for TensorRT ${state.release.operatorTable} ${table.unsupported.includes(op) ? "marks it unsupported" : "does not have it"} (${table.source.url})`;
    state.error(
      "operator",
      name,
      `${name} uses ${op} (${nodes.length} node${nodes.length > 1 ? "s" : ""}, first "${nodes[0]}"), which ${state.target} cannot import: ${where}. ` +
        (later ? `JetPack ${later.jetpack} (TensorRT ${later.tensorrt}) supports it; ` : "") +
        `otherwise replace the layer that produces it with one TensorRT knows.`,
    );
  }
  checkRestrictions(state, name, model);
  if (bad.length === 0) state.ok(`${name}: all ${byType.size} operator types (${[...byType.keys()].join(", ")}) are in TensorRT ${state.release.operatorTable}'s ONNX parser`);
}

/** The documented restrictions that can be checked on the file itself. */
function checkRestrictions(state: CheckState, name: string, model: ModelProto): void {
  const initializers = new Map(model.graph.initializer.map((t) => [t.name, t]));
  for (const node of model.graph.node) {
    if ((node.op_type === "Conv" || node.op_type === "ConvTranspose") && !initializers.has(node.input[1]) && /initiali[sz]er/.test(operatorTable(state.release).supported[node.op_type] ?? "")) {
      const producer = model.graph.node.find((n) => n.output.includes(node.input[1]));
      if (producer?.op_type !== "DequantizeLinear") {
        state.error("operator", name, `${node.op_type} node "${node.name}" computes its weights in the graph; TensorRT ${state.release.operatorTable} wants them stored (an initializer). Export the model again from its weights.`);
      }
    }
    const zeroPointIndex = node.op_type === "QuantizeLinear" || node.op_type === "DequantizeLinear" ? 2 : -1;
    const zeroPoint = zeroPointIndex > 0 ? initializers.get(node.input[zeroPointIndex]) : undefined;
    if (zeroPoint && zeroPoint.raw_data && zeroPoint.raw_data.some((b) => b !== 0)) {
      state.error("operator", name, `${node.op_type} node "${node.name}" has a non-zero zero point; TensorRT only takes symmetric INT8 (zero point 0). Quantize with convlab's quantizeInt8, which is symmetric.`);
    }
  }
}

function checkInput(state: CheckState, name: string, network: NetworkDescription, runByProgram: boolean): void {
  if (network.inputs.length !== 1) {
    state.error("input", name, `${name} has ${network.inputs.length} inputs; jetson-inference feeds one image tensor. Export a model with a single image input.`);
    return;
  }
  const input = network.inputs[0];
  const free = input.dims.filter((d) => typeof d !== "number" || d <= 0);
  if (free.length) {
    const message =
      `The input "${input.name}" ${formatDims(input.dims)} has ${free.length === 1 ? "a dimension" : "dimensions"} without a fixed size (${free.map((d) => (d === 0 ? "?" : `"${d}"`)).join(", ")}). ` +
      `TensorRT can build such a network only with an optimization profile, and jetson-inference creates none (c/tensorNet.cpp), so building the engine fails. ` +
      `Export with a fixed batch of 1 (jetsonBundle does; exportOnnx's dynamicBatch: false).`;
    if (runByProgram) state.error("input", name, message);
    else state.warn("input", name, `${message} (trtexec alone picks a shape of its own for it.)`);
    return;
  }
  if (input.elemType !== DataType.FLOAT) {
    state.error("input", name, `The input "${input.name}" is not float32; jetson-inference writes float32 pixels into it. Keep the input float32 (quantizeFp16's default keeps it).`);
  }
  if (input.dims.length !== 4 || input.dims[1] !== 3) {
    if (runByProgram) {
      state.error(
        "input",
        name,
        `The input "${input.name}" is ${formatDims(input.dims)}, but jetson-inference feeds [1, 3, height, width]: three planar RGB channels. ` +
          `Export with jetsonBundle, which turns the three channels into what the model needs (gray included) inside the graph.`,
      );
    }
    return;
  }
  if ((input.dims[0] as number) > 1) state.warn("input", name, `The input has a batch of ${input.dims[0]}; jetson-inference classifies one image at a time and fills only the first.`);
  if (runByProgram) state.ok(`${name}: input "${input.name}" ${formatDims(input.dims)} float32, fixed size, 3 channels as jetson-inference feeds it`);
}

function checkOutputs(state: CheckState, name: string, model: ModelProto, network: NetworkDescription): void {
  if (!network.program) {
    state.error(
      "output",
      name,
      `The outputs ${network.outputs.map((o) => `"${o.name}" ${formatDims(o.dims)}`).join(", ")} fit none of jetson-inference's programs: imagenet wants one output of class scores [1, classes], ` +
        `detectnet scores [1, boxes, classes] and boxes [1, boxes, 4], segnet one output [1, classes, height, width].`,
    );
    return;
  }
  for (const output of network.outputs) {
    if (output.elemType !== DataType.FLOAT) state.error("output", name, `The output "${output.name}" is not float32; jetson-inference reads float32 from it. Keep outputs float32.`);
  }
  if (network.program === "imagenet") {
    const producer = model.graph.node.find((n) => n.output.includes(network.outputs[0].name));
    if (producer && producer.op_type !== "Softmax") {
      state.warn("output", name, `The output "${network.outputs[0].name}" is not a softmax; imagenet prints it as a confidence and drops classes under 0.01, so raw scores read as nonsense percentages. Export with a softmax output (exportOnnx's default).`);
    }
  }
  state.ok(`${name}: outputs fit ${network.program} (${network.classes} classes${network.program === "imagenet" ? "" : ", class 0 the background"})`);
}

function checkLabels(state: CheckState, labelsName: string, files: string[], network: NetworkDescription | undefined): void {
  if (!files.includes(labelsName)) {
    state.error("labels", labelsName, `There is no ${labelsName}: jetson-inference's programs need one class name per line to name what they see.`);
    return;
  }
  const parsed = parseLabelsLikeJetson(readFileSync(join(state.root, labelsName), "utf8"));
  if (parsed.blankLines.length) {
    state.warn("labels", labelsName, `Line${parsed.blankLines.length > 1 ? "s" : ""} ${parsed.blankLines.join(", ")} ${parsed.blankLines.length > 1 ? "are" : "is"} blank, and jetson-inference counts a blank line as a class with an empty name. Remove blank lines.`);
  }
  if (parsed.synsetLines.length) {
    state.warn("labels", labelsName, `Line${parsed.synsetLines.length > 1 ? "s" : ""} ${parsed.synsetLines.join(", ")} look${parsed.synsetLines.length > 1 ? "" : "s"} like ImageNet synsets ("n" + 8 characters + a space), so jetson-inference prints only the text after the space. Rename those classes.`);
  }
  if (parsed.longLines.length) state.warn("labels", labelsName, `Line(s) ${parsed.longLines.join(", ")} are longer than 511 characters; jetson-inference splits each into several classes.`);
  const classes = network?.classes;
  if (classes === undefined) return;
  const count = parsed.labels.length;
  const what = network?.program === "imagenet" ? "classes" : "classes (the background first)";
  if (count > classes) {
    state.error(
      "labels",
      labelsName,
      `${labelsName} has ${count} labels but the network outputs ${classes} ${what}: ${network?.program === "imagenet" ? 'imagenet refuses to start ("failed to load synset class descriptions")' : `${network?.program} names the classes by the wrong lines`}. ` +
        `Give exactly one label per output, in the order of the training classes.`,
    );
  } else if (count < classes) {
    state.error(
      "labels",
      labelsName,
      `${labelsName} has ${count} labels but the network outputs ${classes} ${what}: jetson-inference would call the missing ones "Class #${count}"${classes - count > 1 ? " and so on" : ""}, and every label after a missing one may be off by one. ` +
        `Give exactly one label per output, in the order of the training classes.`,
    );
  } else {
    state.ok(`${labelsName}: ${count} labels for ${classes} ${what}`);
  }
}

const DEFAULTS: Record<string, Record<string, string>> = {
  // c/imageNet.h, c/detectNet.h and c/segNet.h: the blob names used when the flags are left out.
  imagenet: { input_blob: "data", output_blob: "prob" },
  detectnet: { input_blob: "data", output_cvg: "coverage", output_bbox: "bboxes" },
  segnet: { input_blob: "input_0", output_blob: "output_0" },
};

function checkCommands(state: CheckState, commands: ReadmeCommand[], files: string[], network: NetworkDescription | undefined): void {
  const programs = commands.filter((c) => c.program !== "trtexec");
  if (programs.length === 0) {
    state.error("readme", "README.md", "README.md has no imagenet, detectnet or segnet command in a code block, so a learner at the Jetson does not know what to type.");
  }
  let problems = 0;
  const fail = (command: ReadmeCommand, message: string) => {
    problems++;
    state.error("readme", "README.md", `Line ${command.line} (\`${command.text}\`): ${message}`);
  };
  for (const command of programs) {
    const program = command.program.replace(/\.py$/, "");
    const missing: Record<string, string> = {
      model: `--model is missing; without it ${program} loads its own built-in network instead of this one.`,
      labels: `--labels is missing; without it ${program} names the classes "Class #0", "Class #1" and so on.`,
    };
    for (const flag of program === "segnet" ? ["model", "labels", "colors"] : ["model", "labels"]) {
      const value = command.flags.get(flag);
      if (!value && missing[flag]) fail(command, missing[flag]);
      else if (value && !files.includes(basename(value))) fail(command, `--${flag}=${value} names a file that is not in the bundle.`);
    }
    if (network?.program && network.program !== program) fail(command, `this network has the outputs of a ${network.program} model, not a ${program} one.`);
    if (!network?.program) continue;
    const expected: Record<string, string | undefined> =
      program === "detectnet"
        ? { input_blob: network.inputs[0]?.name, output_cvg: network.scoresOutput, output_bbox: network.boxesOutput }
        : { input_blob: network.inputs[0]?.name, output_blob: network.outputs[0]?.name };
    for (const [flag, name] of Object.entries(expected)) {
      const given = command.flags.get(flag) ?? DEFAULTS[program][flag];
      if (name !== undefined && given !== name) {
        fail(command, command.flags.has(flag) ? `--${flag.replace(/_/g, "-")}=${given}, but the tensor is named "${name}".` : `--${flag.replace(/_/g, "-")} is missing, so ${program} looks for a tensor named "${given}"; this network's is "${name}". Add --${flag.replace(/_/g, "-")}=${name}.`);
      }
    }
  }
  for (const command of commands.filter((c) => c.program === "trtexec")) {
    const onnx = command.flags.get("onnx");
    if (onnx && !files.includes(basename(onnx))) fail(command, `--onnx=${onnx} names a file that is not in the bundle.`);
  }
  if (problems === 0 && programs.length) state.ok(`README.md: ${commands.length} command(s) name files in the bundle and the network's tensor names`);
}

/** segnet's colors file (tensorNet::LoadClassColors): one "r g b [a]" line per class; missing lines get default colours. */
function checkColors(state: CheckState, colorsFlag: string | undefined, files: string[], classes: number): void {
  if (!colorsFlag) {
    state.warn("labels", "README.md", "The segnet command has no --colors file, so segnet colours every class with a default colour.");
    return;
  }
  const name = basename(colorsFlag);
  if (!files.includes(name)) return; // the README check reports the missing file
  const lines = readFileSync(join(state.root, name), "utf8").split("\n").filter((line) => line.trim().length > 0);
  if (lines.length < classes) state.warn("labels", name, `${name} has ${lines.length} colours for ${classes} classes; segnet gives the others default colours.`);
  else state.ok(`${name}: a colour for each of the ${classes} classes`);
}

function hasQuantizeNodes(root: string, file: string): boolean {
  try {
    return decodeModel(readFileSync(join(root, file))).graph.node.some((n) => n.op_type === "QuantizeLinear" || n.op_type === "DequantizeLinear");
  } catch {
    return false;
  }
}

function checkModule(state: CheckState, module: JetsonModule, files: string[], commands: ReadmeCommand[]): void {
  const key = Object.keys(JETSON_MODULES).find((k) => JETSON_MODULES[k] === module) as string;
  if (!state.release.modules.includes(key)) {
    const runs = JETPACK_RELEASES.filter((r) => r.modules.includes(key)).map((r) => r.jetpack);
    state.error("precision", "-", `${module.name} cannot run JetPack ${state.release.jetpack}; it runs JetPack ${runs.join(", ")}. Check against the JetPack your module has.`);
    return;
  }
  for (const command of commands.filter((c) => c.program === "trtexec" && c.flags.has("int8"))) {
    const onnx = basename(command.flags.get("onnx") ?? "");
    if (!module.int8) {
      state.warn("precision", "README.md", `Line ${command.line} asks for INT8, but the ${module.name}'s GPU (compute capability ${module.computeCapability}) has no fast INT8: TensorRT falls back to FP16 or FP32 for those layers, or refuses. Use --fp16 on this module.`);
    } else if (onnx && files.includes(onnx) && !hasQuantizeNodes(state.root, onnx)) {
      state.warn("precision", "README.md", `Line ${command.line} builds INT8 from ${onnx}, which has no calibrated ranges (no Quantize/Dequantize nodes): trtexec then makes up ranges and the accuracy is lost. Use the calibrated model_int8.onnx.`);
    }
  }
  const int8Files = files.filter((f) => f.endsWith(".onnx") && hasQuantizeNodes(state.root, f));
  if (int8Files.length && !module.int8) {
    state.warn("precision", int8Files[0], `The ${module.name} has no fast INT8, so ${int8Files.join(", ")} will not run faster than FP16 there; use model.onnx with FP16 (jetson-inference's default on this module).`);
  }
  state.ok(`${module.name} runs JetPack ${state.release.jetpack}; fast precisions: ${[module.fp16 ? "FP16" : "", module.int8 ? "INT8" : ""].filter(Boolean).join(", ") || "none besides FP32"}`);
}
