/**
 * `npm run setup:native` / `setup:gpu`: argument handling, the plan it runs,
 * the local mirror it serves, and its failure message when the download
 * host cannot be reached. (A real install cannot be tested here: the host is
 * unreachable from this machine and CI.)
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { get } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  explainFailure,
  installerEnv,
  libtensorflowFile,
  parseSetupArgs,
  planSteps,
  serveFolder,
  usage,
} from "../../lib/backend/setup/install";

const script = join(__dirname, "..", "..", "lib", "backend", "setup", "install.js");

function fetchText(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk) => (body += chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
    }).on("error", reject);
  });
}

describe("setup:native and setup:gpu", function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "convlab-setup-"));
    writeFileSync(join(dir, libtensorflowFile("gpu", "linux", "x64")), "not really a tarball");
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("parses its arguments and refuses bad ones with a reason", () => {
    assert.deepEqual(parseSetupArgs(["native"]), { target: "native", dryRun: false, help: false });
    assert.deepEqual(parseSetupArgs(["gpu", "--dry-run", "--base-uri=http://mirror/libtensorflow-"]), {
      target: "gpu",
      dryRun: true,
      help: false,
      baseUri: "http://mirror/libtensorflow-",
    });
    assert.throws(() => parseSetupArgs([]), /first argument must be "native" or "gpu", got nothing/);
    assert.throws(() => parseSetupArgs(["tpu"]), /got "tpu"/);
    assert.throws(() => parseSetupArgs(["native", "--fast"]), /Unknown option "--fast"/);
    assert.throws(() => parseSetupArgs(["native", "--base-uri"]), /--base-uri needs a value/);
    assert.throws(() => parseSetupArgs(["native", "--mirror-dir", dir]), /has no libtensorflow-cpu-.*-2\.9\.1\.tar\.gz/);
    assert.throws(() => parseSetupArgs(["gpu", "--mirror-dir", dir, "--base-uri", "x"]), /not both/);
  });

  it("names the libtensorflow file tfjs-node 4.22 downloads, and states the GPU requirements", () => {
    assert.equal(libtensorflowFile("gpu", "linux", "x64"), "libtensorflow-gpu-linux-x86_64-2.9.1.tar.gz");
    assert.equal(libtensorflowFile("native", "linux", "x64"), "libtensorflow-cpu-linux-x86_64-2.9.1.tar.gz");
    assert.match(usage("gpu"), /CUDA 11\.2 and cuDNN 8\.1/);
    assert.match(usage("native"), /^Usage: npm run setup:native/);
  });

  it("installs without saving, runs the package's own install script, then checks it loads", () => {
    const env = installerEnv({ target: "gpu", dryRun: false, help: false, mirrorDir: dir }, "http://127.0.0.1:9/");
    assert.deepEqual(env, {
      TFJS_NODE_BASE_URI: "http://127.0.0.1:9/libtensorflow-",
      npm_config_tfjs_binding_binary_host_mirror: "http://127.0.0.1:9/",
    });
    const steps = planSteps({ target: "gpu", dryRun: false, help: false }, "/project", "4.22.0", env);
    assert.deepEqual(steps[0].args, ["install", "--no-save", "--ignore-scripts", "--no-audit", "--no-fund", "@tensorflow/tfjs-node-gpu@4.22.0"]);
    assert.equal(steps[1].cwd, join("/project", "node_modules", "@tensorflow", "tfjs-node-gpu"));
    assert.deepEqual(steps[1].args, ["run", "install"]);
    assert.equal(steps[1].env, env);
    assert.match(steps[2].args[1], /require\("@tensorflow\/tfjs-node-gpu"\)/);
  });

  it("serves a mirror folder on 127.0.0.1 and nothing outside it", async () => {
    const { server, url } = await serveFolder(dir);
    try {
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
      const file = await fetchText(url + libtensorflowFile("gpu", "linux", "x64"));
      assert.deepEqual(file, { status: 200, body: "not really a tarball" });
      assert.equal((await fetchText(url + "missing.tar.gz")).status, 404);
      assert.equal((await fetchText(url + "..%2f..%2fetc%2fpasswd")).status, 404);
    } finally {
      server.close();
    }
  });

  it("explains an unreachable download host and what to do instead", () => {
    const output = "Error: getaddrinfo ENOTFOUND storage.googleapis.com\n  code: 'ENOTFOUND'";
    const message = explainFailure("Running @tensorflow/tfjs-node-gpu's install script", output, "gpu");
    assert.match(message, /^Running @tensorflow\/tfjs-node-gpu's install script failed\./);
    assert.match(message, /could not reach the download host/);
    assert.match(message, /npm run setup:gpu -- --mirror-dir <folder>/);
    assert.match(message, /libtensorflow-gpu-.*-2\.9\.1/);
    assert.match(message, /CUDA 11\.2 and cuDNN 8\.1/);
    assert.match(message, /Last output:\nError: getaddrinfo ENOTFOUND/);
  });

  it("as a command: --dry-run prints the steps; bad arguments exit 2 with the usage", () => {
    const dry = spawnSync(process.execPath, [script, "native", "--dry-run"], { encoding: "utf8" });
    assert.equal(dry.status, 0, dry.stderr);
    assert.match(dry.stdout, /npm install --no-save --ignore-scripts --no-audit --no-fund @tensorflow\/tfjs-node@4\.22\.\d+/);
    assert.match(dry.stdout, /npm run install/);
    const bad = spawnSync(process.execPath, [script, "gpu", "--bogus"], { encoding: "utf8" });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /Unknown option "--bogus"\.\n\nUsage: npm run setup:gpu/);
    const none = spawnSync(process.execPath, [script], { encoding: "utf8" });
    assert.equal(none.status, 2);
  });
});
