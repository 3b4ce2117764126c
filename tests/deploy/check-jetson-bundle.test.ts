/**
 * checkJetsonBundle against a good bundle of the trained LeNet and against
 * copies broken on purpose, one problem each: opset too high, an operator the
 * JetPack's TensorRT cannot import, a label count that does not match, a
 * dynamic input, README commands with the wrong tensor names, INT8 on a
 * module without it.
 */
import { strict as assert } from "node:assert";
import { createHash } from "node:crypto";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { BundleCheck, JETPACK_RELEASES, ONNX_TENSORRT_OPERATORS, checkJetsonBundle, findJetPack, jetsonBundle, jetpackMarkdownTable } from "../../lib/deploy";
import { DISPLAY } from "../../lib/display";
import { ModelProto, decodeModel, encodeModel } from "../../lib/deploy/onnx/proto";
import { parseLabelsLikeJetson } from "../../lib/deploy/jetson-inference/labels";
import { readmeCommands } from "../../lib/deploy/jetson-inference/commands";
import { singleShotDetector } from "../../lib/detect";
import { asSamples, mnistDigits, trainedModel, useBackend } from "./fixtures";

const LABELS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];

/** Writes `content` to the bundle's `name` and records its new checksum in bundle.json, as if the bundle had been written so. */
function rewrite(dir: string, name: string, content: string | Uint8Array): void {
  writeFileSync(join(dir, name), content);
  const manifestPath = join(dir, "bundle.json");
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
  for (const entry of manifest.files) if (entry.name === name) entry.sha256 = createHash("sha256").update(content).digest("hex");
  writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
}

function editModel(dir: string, name: string, edit: (model: ModelProto) => void): void {
  const model = decodeModel(readFileSync(join(dir, name)));
  edit(model);
  rewrite(dir, name, encodeModel(model));
}

const messages = (check: BundleCheck) => check.findings.map((f) => `${f.severity} ${f.kind} ${f.file}: ${f.message}`).join("\n");

describe("deploy: checkJetsonBundle", function () {
  this.timeout(600000);
  let root: string;
  let good: string;
  let model: tf.LayersModel;
  let copies = 0;

  /** A fresh copy of the good bundle to break. */
  const copy = () => {
    const dir = join(root, `broken-${copies++}`);
    cpSync(good, dir, { recursive: true });
    return dir;
  };

  before(async () => {
    await useBackend();
    model = (await trainedModel()).model;
    root = mkdtempSync(join(tmpdir(), "convlab-check-bundle-"));
    good = join(root, "lenet-bundle");
    const calibration = asSamples(mnistDigits().train, 200);
    await jetsonBundle(model, good, { labels: LABELS, normalization: { scale: 1 / 255 }, int8Calibration: calibration });
    calibration.x.dispose();
  });

  after(() => rmSync(root, { recursive: true, force: true }));

  it("passes the bundle jetsonBundle writes, for every JetPack it knows", () => {
    for (const release of JETPACK_RELEASES) {
      const check = checkJetsonBundle(good, { jetpack: release.jetpack });
      assert.equal(check.passed, true, `${release.jetpack}:\n${messages(check)}`);
      assert.deepEqual(check.findings, [], `${release.jetpack}:\n${messages(check)}`);
      assert.equal(check.network?.program, "imagenet");
      assert.equal(check.network?.classes, 10);
    }
    const check = checkJetsonBundle(good, { jetpack: "4.6.1" });
    assert.match(check.verdict, /ready for JetPack 4\.6\.1 \(TensorRT 8\.2\.1\)/);
    const text = String(check[DISPLAY]()["text/plain"]);
    assert.match(text, /✓ model\.onnx: ONNX opset 13, within the 13 that JetPack 4\.6\.1's TensorRT 8\.2\.1 reads/);
    assert.match(text, /✓ labels\.txt: 10 labels for 10 classes/);
    assert.match(text, /✓ model\.onnx: input "input_0" \[1, 3, 28, 28\] float32/);
    assert.match(text, /match the checksums in bundle\.json/);
  });

  it("catches an opset too high for the JetPack, and says which JetPack reads it", async () => {
    const dir = join(root, "opset-17");
    await jetsonBundle(model, dir, { labels: LABELS, normalization: { scale: 1 / 255 }, opset: 17 });
    const old = checkJetsonBundle(dir, { jetpack: "4.6.1" });
    assert.equal(old.passed, false);
    assert.deepEqual(old.errors.map((e) => e.kind), ["opset"], messages(old));
    assert.match(
      old.errors[0].message,
      /model\.onnx uses ONNX opset 17, but JetPack 4\.6\.1's TensorRT 8\.2\.1 reads opsets up to 13: its ONNX parser stops before any engine is built\. Export with `opset: 13`.*or use JetPack 5\.0\.2 or later\./,
    );
    assert.equal(checkJetsonBundle(dir, { jetpack: "6.0" }).passed, true);
  });

  it("catches an operator the JetPack's TensorRT cannot import, naming the node and the JetPack that can", () => {
    const dir = copy();
    editModel(dir, "model.onnx", (m) => {
      // Swap the dense layer's ReLU for a hard swish, as a MobileNetV3-style layer would write it (opset 14+).
      const relu = m.graph.node.find((n) => n.op_type === "Relu");
      assert.ok(relu, "the LeNet export has a Relu");
      relu.op_type = "HardSwish";
      m.opset_import[0].version = 17;
    });
    const check = checkJetsonBundle(dir, { jetpack: "5.1" });
    assert.deepEqual(check.errors.map((e) => e.kind), ["operator"], messages(check));
    assert.match(check.errors[0].message, /model\.onnx uses HardSwish \(1 node, first "[^"]+"\), which JetPack 5\.1\.2's TensorRT 8\.5\.2 cannot import: onnx-tensorrt's operator list for TensorRT 8\.5 marks it unsupported/);
    assert.match(check.errors[0].message, /JetPack 6\.0 \(TensorRT 8\.6\.2\) supports it/);
    assert.match(check.errors[0].message, /github\.com\/onnx\/onnx-tensorrt\/blob\/[0-9a-f]{40}\/docs\/operators\.md/);
    assert.equal(checkJetsonBundle(dir, { jetpack: "6.0" }).passed, true, messages(checkJetsonBundle(dir, { jetpack: "6.0" })));
  });

  it("catches operators only onnxruntime knows (a graph optimised for this computer)", () => {
    const dir = copy();
    editModel(dir, "model.onnx", (m) => {
      const gemm = m.graph.node.find((n) => n.op_type === "Gemm")!;
      gemm.op_type = "FusedGemm";
      gemm.domain = "com.microsoft";
    });
    const check = checkJetsonBundle(dir, { jetpack: "6.0" });
    assert.deepEqual(check.errors.map((e) => e.kind), ["operator"], messages(check));
    assert.match(check.errors[0].message, /com\.microsoft\.FusedGemm.*"com\.microsoft" domain, which only onnxruntime knows/);
  });

  it("catches labels.txt with one label too few or too many, and blank lines", () => {
    const fewer = copy();
    rewrite(fewer, "labels.txt", LABELS.slice(0, 9).join("\n") + "\n");
    let check = checkJetsonBundle(fewer, { jetpack: "4.6.1" });
    assert.deepEqual(check.errors.map((e) => e.kind), ["labels"], messages(check));
    assert.match(check.errors[0].message, /labels\.txt has 9 labels but the network outputs 10 classes: jetson-inference would call the missing ones "Class #9"/);

    const more = copy();
    rewrite(more, "labels.txt", [...LABELS, "ten"].join("\n") + "\n");
    check = checkJetsonBundle(more, { jetpack: "4.6.1" });
    assert.deepEqual(check.errors.map((e) => e.kind), ["labels"], messages(check));
    assert.match(check.errors[0].message, /has 11 labels but the network outputs 10 classes: imagenet refuses to start \("failed to load synset class descriptions"\)/);

    const blank = copy();
    rewrite(blank, "labels.txt", LABELS.join("\n") + "\n\n");
    check = checkJetsonBundle(blank, { jetpack: "4.6.1" });
    assert.deepEqual(check.findings.map((f) => `${f.severity} ${f.kind}`), ["warning labels", "error labels"], messages(check));
    assert.match(check.findings[0].message, /Line 11 is blank, and jetson-inference counts a blank line as a class/);
    assert.match(check.findings[1].message, /has 11 labels but the network outputs 10/);
  });

  it("catches a dynamic input dimension, which jetson-inference cannot build an engine for", () => {
    const dir = copy();
    editModel(dir, "model.onnx", (m) => {
      const dim = m.graph.input[0].type.tensor_type.shape!.dim[0];
      delete dim.dim_value;
      dim.dim_param = "batch";
    });
    const check = checkJetsonBundle(dir, { jetpack: "6.0" });
    assert.deepEqual(check.errors.map((e) => e.kind), ["input"], messages(check));
    assert.match(
      check.errors[0].message,
      /The input "input_0" \[batch, 3, 28, 28\] has a dimension without a fixed size \("batch"\)\. TensorRT can build such a network only with an optimization profile, and jetson-inference creates none \(c\/tensorNet\.cpp\)/,
    );
  });

  it("catches README commands with a missing blob name or a file not in the bundle, and a damaged file", () => {
    const dir = copy();
    const readme = readFileSync(join(dir, "README.md"), "utf8");
    rewrite(dir, "README.md", readme.replace("imagenet --model=model.onnx --labels=labels.txt --input_blob=input_0 ", "imagenet --model=model.onnx --labels=labels.txt ").replace("trtexec --onnx=model.onnx --saveEngine", "trtexec --onnx=lenet.onnx --saveEngine"));
    writeFileSync(join(dir, "labels.txt"), readFileSync(join(dir, "labels.txt"), "utf8").replace("seven", "7")); // edited after the bundle was written
    const check = checkJetsonBundle(dir, { jetpack: "6.0" });
    const errors = check.errors.map((e) => e.message).join("\n");
    assert.match(errors, /--input-blob is missing, so imagenet looks for a tensor named "data"; this network's is "input_0"\. Add --input-blob=input_0\./);
    assert.match(errors, /--onnx=lenet\.onnx names a file that is not in the bundle\./);
    assert.match(errors, /labels\.txt is not the file jetsonBundle wrote \(its SHA-256 changed\)/);
    assert.deepEqual(check.errors.map((e) => e.kind).sort(), ["checksum", "readme", "readme"]);
  });

  it("knows which modules run a JetPack and which have fast INT8", () => {
    const nano = checkJetsonBundle(good, { jetpack: "4.6.1", module: "nano" });
    assert.equal(nano.passed, true);
    const int8Warnings = nano.warnings.filter((w) => w.kind === "precision").map((w) => w.message).join("\n");
    assert.match(int8Warnings, /asks for INT8, but the Jetson Nano's GPU \(compute capability 5\.3\) has no fast INT8/);
    assert.match(int8Warnings, /The Jetson Nano has no fast INT8, so model_int8\.onnx will not run faster than FP16/);
    const orin = checkJetsonBundle(good, { jetpack: "6.0", module: "Jetson Orin Nano" });
    assert.deepEqual(orin.findings, [], messages(orin));
    const wrong = checkJetsonBundle(good, { jetpack: "6.0", module: "nano" });
    assert.match(wrong.errors[0].message, /Jetson Nano cannot run JetPack 6\.0; it runs JetPack 4\.6, 4\.6\.1, 4\.6\.4/);
  });

  it("refuses an unknown JetPack, saying which it knows and how to find the Jetson's", () => {
    assert.throws(() => checkJetsonBundle(good, { jetpack: "3.3" }), /does not know JetPack "3\.3".*Known releases: 4\.6, 4\.6\.1.*apt show nvidia-jetpack/s);
    assert.throws(() => checkJetsonBundle(good, { jetpack: "6.1" }), /ships TensorRT 10\.3, whose operator table convlab does not have yet/);
    assert.throws(() => checkJetsonBundle(good, {} as never), /needs the JetPack your Jetson runs/);
    assert.equal(findJetPack(5).jetpack, "5.1.2");
    assert.equal(findJetPack("JetPack 4.6.2").tensorrt, "8.2.1");
  });
});

describe("deploy: the TensorRT and jetson-inference tables", () => {
  it("hold each TensorRT's opset limit and operators, from onnx-tensorrt's operators.md", () => {
    assert.equal(ONNX_TENSORRT_OPERATORS["8.2"].maxOpset, 13);
    assert.equal(ONNX_TENSORRT_OPERATORS["8.6"].maxOpset, 17);
    for (const table of Object.values(ONNX_TENSORRT_OPERATORS)) {
      for (const op of ["Conv", "Gemm", "Relu", "MaxPool", "Softmax", "QuantizeLinear", "DequantizeLinear", "Mul", "Add", "Flatten"]) assert.ok(op in table.supported, `${op} in ${table.source.branch}`);
    }
    assert.ok(ONNX_TENSORRT_OPERATORS["8.5"].unsupported.includes("HardSwish"));
    assert.ok("HardSwish" in ONNX_TENSORRT_OPERATORS["8.6"].supported);
    assert.match(jetpackMarkdownTable(), /\| 4\.6\.1 \| R32\.7\.1 \| 8\.2\.1 \| ≤ 13 \| Jetson Nano \(FP16\);.*Jetson AGX Xavier \(FP16, INT8\) \|/);
  });

  it("are the table the project README shows", () => {
    const readme = readFileSync(join(__dirname, "../../../README.md"), "utf8");
    assert.ok(readme.includes(jetpackMarkdownTable()), "README.md's JetPack table differs from jetpackMarkdownTable(): paste its output into the Deploy section");
  });

  it("read labels.txt as jetson-inference does: blank lines count, synsets lose their prefix", () => {
    const parsed = parseLabelsLikeJetson("cat\n\nn01440764 tench\ndog");
    assert.deepEqual(parsed.labels, ["cat", "", "tench", "dog"]);
    assert.deepEqual(parsed.blankLines, [2]);
    assert.deepEqual(parsed.synsetLines, [3]);
    // A synset line without a final newline loses its last character, as in tensorNet.cpp.
    assert.deepEqual(parseLabelsLikeJetson("n01440764 tench").labels, ["tenc"]);
  });

  it("read README commands as jetson-utils' commandLine does", () => {
    const [command] = readmeCommands("```bash\nimagenet.py --model=m.onnx --Input-Blob=in csi://0 display://0\n```\n");
    assert.equal(command.program, "imagenet.py");
    assert.equal(command.flags.get("input_blob"), "in");
    assert.deepEqual(command.positional, ["csi://0", "display://0"]);
    assert.deepEqual(readmeCommands("imagenet --model=outside-a-code-block.onnx"), []);
  });
});

describe("deploy: checkJetsonBundle on a detector's bundle (detectnet)", function () {
  this.timeout(300000);
  let root: string;
  let good: string;

  before(async () => {
    await useBackend();
    root = mkdtempSync(join(tmpdir(), "convlab-check-detector-"));
    good = join(root, "detector");
    await jetsonBundle(singleShotDetector({ classNames: ["cat", "dog"], seed: 5 }), good);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it("passes the bundle jetsonBundle writes for a single-shot detector", () => {
    const check = checkJetsonBundle(good, { jetpack: "4.6.1" });
    assert.deepEqual(check.findings, [], messages(check));
    assert.equal(check.network?.program, "detectnet");
    assert.equal(check.network?.classes, 3);
    assert.match(String(check), /✓ labels\.txt: 3 labels for 3 classes \(the background first\)/);
  });

  it("catches labels without the background line, and a detectnet command without the score and box names", () => {
    const dir = join(root, "broken");
    cpSync(good, dir, { recursive: true });
    rewrite(dir, "labels.txt", "cat\ndog\n");
    const readme = readFileSync(join(dir, "README.md"), "utf8");
    assert.match(readme, /--output-cvg=scores --output-bbox=boxes/);
    rewrite(dir, "README.md", readme.replace(/ --output-cvg=scores --output-bbox=boxes/g, ""));
    const check = checkJetsonBundle(dir, { jetpack: "6.0" });
    const errors = check.errors.map((e) => e.message).join("\n");
    assert.match(errors, /labels\.txt has 2 labels but the network outputs 3 classes \(the background first\)/);
    assert.match(errors, /--output-cvg is missing, so detectnet looks for a tensor named "coverage"; this network's is "scores"\. Add --output-cvg=scores\./);
    assert.match(errors, /--output-bbox is missing, so detectnet looks for a tensor named "bboxes"; this network's is "boxes"\./);
  });
});
